HANDLERS = {}


def handles(name):
    def register(func):
        HANDLERS[name] = func
        return func
    return register


@handles("boot")
def boot():
    return 1


@handles("stop")
def stop():
    return 2


def dispatch(name):
    return HANDLERS[name]()


dispatch("boot")
dispatch("stop")
