import functools


def on_error(context, exc):
    return context


def fail():
    raise ValueError("x")


def guarded(func, handler):
    try:
        return func()
    except ValueError as exc:
        return handler(exc)


def run():
    guarded(fail, functools.partial(on_error, "ctx"))


run()
