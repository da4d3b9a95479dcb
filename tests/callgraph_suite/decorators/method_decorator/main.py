def synchronized(func):
    def locked(self, *args):
        return func(self, *args)
    return locked


class Manager:
    @synchronized
    def update(self):
        return self._do_update()

    def _do_update(self):
        return 1


Manager().update()
