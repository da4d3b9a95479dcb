def deco(func):
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper


def helper():
    return 1


@deco
def work():
    return helper()


work()
