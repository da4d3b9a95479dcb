class API:
    def _call(self, func, *args):
        return func(*args)

    def start(self):
        return self._call(self._start, 1)

    def stop(self):
        return self._call(self._stop, 2)

    def _start(self, x):
        return x

    def _stop(self, x):
        return x


api = API()
api.start()
api.stop()
