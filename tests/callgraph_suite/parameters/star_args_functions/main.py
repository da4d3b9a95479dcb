def first():
    return 1


def second():
    return 2


def call_all(*funcs):
    for func in funcs:
        func()


def run():
    call_all(first, second)


run()
