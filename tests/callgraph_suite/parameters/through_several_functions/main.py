def target():
    return 1


def level3(func):
    return func()


def level2(func):
    return level3(func)


def level1(func):
    return level2(func)


def run():
    return level1(target)


run()
