class Worker:
    def __init__(self, name):
        self.name = name

    def work(self):
        return self.name


def spawn(factory, name):
    worker = factory(name)
    return worker.work()


spawn(Worker, "w")
