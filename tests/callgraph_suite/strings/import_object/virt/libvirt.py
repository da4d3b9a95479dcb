class LibvirtDriver:
    def __init__(self):
        self.uri = "qemu:///system"

    def spawn(self):
        return self.uri


class FakeDriver:
    def spawn(self):
        return None
