def describe(self):
    return self.name


class Flavor:
    name = "m1"
    summary = describe

    def show(self):
        return self.summary()


Flavor().show()
