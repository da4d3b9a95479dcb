class Service:
    def start(self):
        return 1

    def stop(self):
        return 2


def run():
    service = Service()
    name = "stop"
    return getattr(service, name)()


run()
