class ComputeAPI:
    def __init__(self):
        self.version = "6.0"

    def build_instances(self):
        return self.version


class ConductorManager:
    compute_rpcapi_class = ComputeAPI

    def __init__(self):
        self.compute_rpcapi = self.compute_rpcapi_class()

    def build(self):
        return self.compute_rpcapi.build_instances()


ConductorManager().build()
