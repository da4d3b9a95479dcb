class Flavor:
    def extra_specs(self):
        return {}


def lookup(name):
    result = None
    if name:
        result = Flavor()
    return result


def run():
    flavor = lookup("m1")
    flavor.extra_specs()


run()
