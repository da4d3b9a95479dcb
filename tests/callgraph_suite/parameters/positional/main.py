def double(x):
    return x * 2


def apply(func, value):
    return func(value)


def run():
    return apply(double, 3)


run()
