from pkg import one


def run():
    return one.process()


run()
