def create():
    return 1


def delete():
    return 2


ACTIONS = {"create": create, "delete": delete}


def run():
    return ACTIONS["create"]()


run()
