from oslo_utils import importutils


def run():
    module = importutils.import_module("plugins.cleanup")
    return module.purge()


run()
