class Cpu:
    def report(self):
        return 1


class Disk:
    def report(self):
        return 2


def run():
    for monitor in [Cpu(), Disk()]:
        monitor.report()


run()
