__all__ = ["exported"]


def exported():
    return 1


def helper():
    return 2
