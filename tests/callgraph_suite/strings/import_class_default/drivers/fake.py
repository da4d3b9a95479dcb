class FakeDriver:
    def __init__(self):
        self.started = False

    def start(self):
        self.started = True
