def work():
    return 1


def pick():
    return work


def run():
    func = pick()
    func()


run()
