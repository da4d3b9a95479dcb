class Handler:
    def __call__(self, request):
        return self.process(request)

    def process(self, request):
        return request


def run():
    handler = Handler()
    return handler("req")


run()
