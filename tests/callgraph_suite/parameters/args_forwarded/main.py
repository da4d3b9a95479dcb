def cleanup(instance):
    return instance


def spawn(func, *args, **kwargs):
    return func(*args, **kwargs)


def spawn_n(func, *args, **kwargs):
    return spawn(func, *args, **kwargs)


def run():
    spawn_n(cleanup, "vm")


run()
