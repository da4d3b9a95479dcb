def first():
    return 1


def second():
    return 2


def run():
    for func in {first, second}:
        func()


run()
