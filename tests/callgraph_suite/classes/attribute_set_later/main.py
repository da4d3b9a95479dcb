class LibvirtDriver:
    def spawn(self):
        return 1


class Manager:
    def __init__(self):
        self.driver = None

    def init_host(self):
        self.driver = LibvirtDriver()

    def spawn(self):
        return self.driver.spawn()


manager = Manager()
manager.init_host()
manager.spawn()
