class Bus:
    def __init__(self):
        self.listeners = []

    def subscribe(self, func):
        self.listeners.append(func)

    def publish(self, event):
        for func in self.listeners:
            func(event)


def on_created(event):
    return event


def on_deleted(event):
    return event


def run():
    bus = Bus()
    bus.subscribe(on_created)
    bus.subscribe(on_deleted)
    bus.publish("x")


run()
