def handler(a, b):
    return a + b


def call_with(func, *args):
    return func(*args)


def run():
    return call_with(handler, 1, 2)


run()
