class Service:
    def start(self):
        return 1

    def stop(self):
        return 2


def invoke(obj, name):
    return getattr(obj, name)()


def run():
    invoke(Service(), "start")


run()
