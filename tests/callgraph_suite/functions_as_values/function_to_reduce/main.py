import functools


def combine(a, b):
    return a + b


def run():
    return functools.reduce(combine, [1, 2, 3])


run()
