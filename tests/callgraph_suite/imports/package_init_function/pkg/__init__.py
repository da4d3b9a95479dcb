def setup():
    return _configure()


def _configure():
    return 1
