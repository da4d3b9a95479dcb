class Registry:
    def __init__(self):
        self.data = {}

    def __getitem__(self, key):
        return self.data[key]

    def __setitem__(self, key, value):
        self.data[key] = value


def run():
    registry = Registry()
    registry["a"] = 1
    return registry["a"]


run()
