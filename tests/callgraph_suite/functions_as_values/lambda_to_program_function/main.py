def fetch():
    return 1


def retry(func):
    return func()


def run():
    return retry(lambda: fetch())


run()
