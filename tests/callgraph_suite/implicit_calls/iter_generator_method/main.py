class InstanceList:
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        for item in self.items:
            yield item


def run():
    for _ in InstanceList([1, 2]):
        pass


run()
