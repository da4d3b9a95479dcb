import compute


def build():
    return 1


def run():
    return compute.build()


run()
