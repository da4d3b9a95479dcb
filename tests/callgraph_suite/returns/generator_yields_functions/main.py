def first():
    return 1


def second():
    return 2


def handlers():
    yield first
    yield second


def run():
    for handler in handlers():
        handler()


run()
