HOOKS = []


def hook(func):
    HOOKS.append(func)
    return func


@hook
def on_start():
    return 1


on_start()
