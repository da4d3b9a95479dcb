class Worker:
    def run(self):
        return 1


def handle(request):
    return request.run()


Worker().run()
