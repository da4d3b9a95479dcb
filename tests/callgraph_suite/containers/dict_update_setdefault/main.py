def on_create():
    return 1


def on_delete():
    return 2


def run():
    table = {}
    table.update({"create": on_create})
    table.setdefault("delete", on_delete)
    table["create"]()
    table["delete"]()


run()
