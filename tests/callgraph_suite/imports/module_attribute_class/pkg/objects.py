class Instance:
    def __init__(self):
        self.changes = {}

    def save(self):
        return self.changes
