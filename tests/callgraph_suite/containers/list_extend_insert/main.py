def a():
    return 1


def b():
    return 2


def c():
    return 3


def run():
    steps = [a]
    steps.extend([b])
    steps.insert(0, c)
    for step in steps:
        step()


run()
