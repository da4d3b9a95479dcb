class Host:
    def launch(self):
        return 1


class Conductor:
    def build(self, *, host):
        return host.launch()


def run():
    Conductor().build(host=Host())


run()
