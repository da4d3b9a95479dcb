METHOD = "resize"


class Flavor:
    def resize(self):
        return 1

    def delete(self):
        return 2


def run():
    return getattr(Flavor(), METHOD)()


run()
