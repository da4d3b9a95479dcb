class Driver:
    def spawn(self):
        return 1


def boot(driver):
    return driver.spawn()


def run():
    boot(Driver())


run()
