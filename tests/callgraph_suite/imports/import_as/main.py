import pkg.util as util


def run():
    return util.helper()


run()
