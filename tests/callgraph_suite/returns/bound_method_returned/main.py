class Service:
    def handler(self):
        return 1

    def get_handler(self):
        return self.handler


def run():
    service = Service()
    handler = service.get_handler()
    handler()


run()
