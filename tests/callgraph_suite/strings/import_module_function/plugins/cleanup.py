def purge():
    return 1


def other():
    return 2
