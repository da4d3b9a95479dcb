def one():
    return 1


def two():
    return 2


def run():
    first = lambda: one()
    second = lambda: two()
    first()
    second()


run()
