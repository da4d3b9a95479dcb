class Base:
    def helper(self):
        return 1


class Child(Base):
    pass


Child().helper()
