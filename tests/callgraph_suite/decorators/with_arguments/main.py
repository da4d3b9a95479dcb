def retry(times):
    def decorator(func):
        def wrapper(*args):
            result = None
            for _ in range(times):
                result = func(*args)
            return result
        return wrapper
    return decorator


@retry(2)
def fetch():
    return 1


fetch()
