HANDLER = None


def handle():
    return 1


def install():
    global HANDLER
    HANDLER = handle


def run():
    install()
    HANDLER()


run()
