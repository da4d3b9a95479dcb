class ComputeDriver:
    def spawn(self):
        raise NotImplementedError()


class LibvirtDriver(ComputeDriver):
    def spawn(self):
        return "spawned"


class Manager:
    def __init__(self, driver):
        self.driver = driver

    def build(self):
        return self.driver.spawn()


Manager(LibvirtDriver()).build()
