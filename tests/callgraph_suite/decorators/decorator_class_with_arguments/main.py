class retry:
    def __init__(self, times):
        self.times = times

    def __call__(self, func):
        def wrapper(*args):
            return func(*args)
        return wrapper


@retry(3)
def connect():
    return 1


connect()
