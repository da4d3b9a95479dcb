def notify(message):
    return message


def inner(callback=None):
    return callback("x")


def outer(**kwargs):
    return inner(**kwargs)


def run():
    outer(callback=notify)


run()
