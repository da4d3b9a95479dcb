class ComputeManager:
    def reboot_instance(self, ctxt):
        return 1

    def stop_instance(self, ctxt):
        return 2


class Dispatcher:
    def __init__(self, endpoint):
        self.endpoint = endpoint

    def dispatch(self, message):
        method = message["method"]
        return getattr(self.endpoint, method)(None, **message["args"])


class ComputeAPI:
    def __init__(self, server):
        self.server = server

    def reboot(self):
        return self.server.dispatch({"method": "reboot_instance", "args": {}})


server = Dispatcher(ComputeManager())
ComputeAPI(server).reboot()
