class Driver:
    def __init__(self):
        self.ready = True


class LibvirtDriver(Driver):
    def __init__(self):
        super().__init__()
        self.uri = "qemu"


LibvirtDriver()
