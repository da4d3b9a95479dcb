def handle(url):
    return url


def fetch(url, on_done):
    return on_done(url)


def run():
    fetch("http://x", handle)


run()
