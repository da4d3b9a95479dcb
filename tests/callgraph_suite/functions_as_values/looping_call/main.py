class FixedIntervalLoopingCall:
    def __init__(self, func):
        self.func = func

    def start(self):
        for _ in range(2):
            self.func()


class Manager:
    def _heal_instance_info_cache(self):
        return 1

    def init_host(self):
        FixedIntervalLoopingCall(self._heal_instance_info_cache).start()


Manager().init_host()
