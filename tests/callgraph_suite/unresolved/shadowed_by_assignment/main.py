def helper():
    return 1


def run():
    helper = print
    helper("x")


run()
helper()
