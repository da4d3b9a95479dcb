import functools


def log(level, message):
    return level + message


def run():
    warn = functools.partial(log, "WARN")
    warn("disk")


run()
