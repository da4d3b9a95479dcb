def traced(func):
    def tracer():
        return func()
    return tracer


def outer():
    @traced
    def inner():
        return 1
    return inner()


outer()
