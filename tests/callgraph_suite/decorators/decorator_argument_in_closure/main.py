class Notifier:
    def notify(self):
        return 1


def wrap_exception(notifier):
    def outer(func):
        def wrapped(self, *args):
            try:
                return func(self, *args)
            except ValueError:
                notifier.notify()
                raise
        return wrapped
    return outer


NOTIFIER = Notifier()


class Compute:
    @wrap_exception(NOTIFIER)
    def reboot(self):
        raise ValueError("reboot")


try:
    Compute().reboot()
except ValueError:
    pass
