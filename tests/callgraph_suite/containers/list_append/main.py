def first():
    return 1


def second():
    return 2


def run():
    hooks = []
    hooks.append(first)
    hooks.append(second)
    for hook in hooks:
        hook()


run()
