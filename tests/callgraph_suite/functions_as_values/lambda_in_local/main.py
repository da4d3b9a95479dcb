def helper():
    return 1


def run():
    func = lambda: helper()
    func()


run()
