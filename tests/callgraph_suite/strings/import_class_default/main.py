from oslo_utils import importutils

DEFAULT_DRIVER = "drivers.fake.FakeDriver"


def get_driver(name=DEFAULT_DRIVER):
    cls = importutils.import_class(name)
    return cls()


def run():
    return get_driver().start()


run()
