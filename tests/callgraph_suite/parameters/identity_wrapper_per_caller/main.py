def create():
    return 1


def delete():
    return 2


def passthrough(func):
    return func


def do_create():
    return passthrough(create)()


def do_delete():
    return passthrough(delete)()


do_create()
do_delete()
