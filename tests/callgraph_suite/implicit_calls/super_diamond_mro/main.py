class Base:
    def setup(self):
        return 1


class Left(Base):
    def setup(self):
        return super().setup()


class Right(Base):
    def setup(self):
        return super().setup()


class Child(Left, Right):
    def setup(self):
        return super().setup()


Child().setup()
Left().setup()
