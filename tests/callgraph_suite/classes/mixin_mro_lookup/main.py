class Base:
    def run(self):
        return self.hook()

    def hook(self):
        return 1


class Mixin:
    def hook(self):
        return 2


class Child(Mixin, Base):
    pass


Base().run()
Child().run()
