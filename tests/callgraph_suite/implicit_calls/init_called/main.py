class Quota:
    def __init__(self, limit):
        self.limit = self._check(limit)

    def _check(self, limit):
        return limit


def run():
    return Quota(10)


run()
