import pkg


def run():
    return pkg.helper()


run()
