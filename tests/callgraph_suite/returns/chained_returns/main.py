def final():
    return 1


def middle():
    return final


def outer():
    return middle()


def run():
    outer()()


run()
