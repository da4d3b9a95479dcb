class Instance:
    def __init__(self, flavor):
        self._flavor = flavor

    @property
    def memory_mb(self):
        return self._lookup("memory_mb")

    def _lookup(self, key):
        return self._flavor[key]


def run():
    return Instance({"memory_mb": 1}).memory_mb


run()
