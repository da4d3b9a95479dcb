class Timer:
    def __init__(self, func):
        self.func = func

    def fire(self):
        return self.func()


class Service:
    def tick(self):
        return 1

    def start(self):
        timer = Timer(self.tick)
        timer.fire()


Service().start()
