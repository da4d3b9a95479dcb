def first():
    return 1


def second():
    return 2


def run():
    x, y = first, second
    y()


run()
