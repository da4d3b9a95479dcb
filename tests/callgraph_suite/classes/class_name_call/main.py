class Utils:
    @staticmethod
    def normalize(name):
        return name.lower()


class Host:
    def __init__(self, name):
        self.name = Utils.normalize(name)


Host("A")
