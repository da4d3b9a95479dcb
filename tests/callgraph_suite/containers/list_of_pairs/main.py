def index():
    return 1


def show():
    return 2


ROUTES = [("/", index), ("/show", show)]


def run():
    for path, handler in ROUTES:
        handler()


run()
