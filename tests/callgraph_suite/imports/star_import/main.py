from pkg.tools import *


def run():
    return public()


run()
