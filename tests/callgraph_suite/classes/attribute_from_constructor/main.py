class Driver:
    def spawn(self):
        return 1


class Manager:
    def __init__(self):
        self.driver = Driver()

    def build(self):
        return self.driver.spawn()


Manager().build()
