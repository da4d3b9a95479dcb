class Driver:
    def cleanup(self):
        return 1


def teardown(driver, hook):
    if hasattr(driver, hook):
        getattr(driver, hook)()


teardown(Driver(), "cleanup")
teardown(Driver(), "missing")
