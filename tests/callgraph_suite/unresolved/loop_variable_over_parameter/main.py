def cleanup():
    return 1


class Manager:
    def cleanup(self):
        return 2


def run(items):
    for cleanup in items:
        cleanup()


run([print])
Manager().cleanup()
