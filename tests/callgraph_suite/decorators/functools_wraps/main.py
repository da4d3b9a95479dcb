import functools


def logged(func):
    @functools.wraps(func)
    def inner(*args):
        return func(*args)
    return inner


@logged
def compute(x):
    return x


compute(1)
