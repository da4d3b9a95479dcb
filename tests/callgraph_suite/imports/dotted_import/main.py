import pkg.sub.mod


def run():
    return pkg.sub.mod.helper()


run()
