class Flavor:
    @classmethod
    def get_all(cls):
        return cls._query()

    @classmethod
    def _query(cls):
        return []

    @staticmethod
    def normalize(name):
        return name.lower()


def run():
    Flavor.get_all()
    Flavor.normalize("M1")


run()
