def a():
    return 1


def b():
    return 2


def c():
    return 3


STEPS = [a, b, c]


def run():
    for step in STEPS[1:]:
        step()


run()
