def work():
    return 1


def get():
    return work


def runner(func):
    return func()


def run():
    runner(get())


run()
