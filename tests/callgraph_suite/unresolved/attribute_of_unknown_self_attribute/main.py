class Host:
    def update(self):
        return 1


class Tracker:
    def __init__(self, client):
        self.client = client

    def sync(self):
        return self.client.update()


Host().update()
