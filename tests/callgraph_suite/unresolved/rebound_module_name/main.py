def old_handler():
    return 1


def new_handler():
    return 2


handler = old_handler
handler = new_handler


def run():
    return handler()


run()
