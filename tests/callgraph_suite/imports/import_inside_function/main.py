def run():
    from pkg import util
    return util.helper()


run()
