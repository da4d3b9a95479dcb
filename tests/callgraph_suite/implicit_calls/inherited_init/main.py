class Base:
    def __init__(self):
        self.ready = True


class Child(Base):
    def work(self):
        return self.ready


Child().work()
