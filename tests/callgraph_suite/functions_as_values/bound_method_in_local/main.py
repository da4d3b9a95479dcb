class Service:
    def start(self):
        return 1

    def stop(self):
        return 2


def run():
    service = Service()
    method = service.stop
    method()


run()
