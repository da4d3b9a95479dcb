def first():
    return 1


def second():
    return 2


def run():
    handlers = [first, second]
    for handler in handlers:
        handler()


run()
