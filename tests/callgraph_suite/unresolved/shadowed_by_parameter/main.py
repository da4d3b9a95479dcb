def notify():
    return 1


def run(notify):
    notify("x")


run(print)
notify()
