def a():
    return 1


def b():
    return 2


def run():
    table = {name: func for name, func in [("a", a), ("b", b)]}
    for func in table.values():
        func()


run()
