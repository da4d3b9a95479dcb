class Plugin:
    def load(self):
        return 1


class Registry:
    @staticmethod
    def create():
        return Plugin()


def run():
    Registry.create().load()


run()
