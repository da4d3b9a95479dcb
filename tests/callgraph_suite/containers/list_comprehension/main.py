def a():
    return 1


def b():
    return 2


def run():
    return [func() for func in (a, b)]


run()
