class Base:
    def ping(self):
        return 1


class Plain(Base):
    pass


def run():
    Plain().ping()


run()
