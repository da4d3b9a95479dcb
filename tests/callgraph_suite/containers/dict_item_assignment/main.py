def start():
    return 1


def stop():
    return 2


def run():
    table = {}
    table["start"] = start
    table["stop"] = stop
    return table["stop"]()


run()
