def handle_create():
    return 1


def handle_delete():
    return 2
