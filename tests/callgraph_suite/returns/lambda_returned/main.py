def helper(x):
    return x


def make():
    return lambda x: helper(x)


def run():
    func = make()
    func(1)


run()
