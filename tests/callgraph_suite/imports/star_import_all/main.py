from pkg.tools import *


def helper():
    return 0


def run():
    return exported() + helper()


run()
