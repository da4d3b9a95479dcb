def first():
    return 1


def second():
    return 2


PAIR = (first, second)


def run():
    return PAIR[1]()


run()
