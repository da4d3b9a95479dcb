class EngineService:
    def create_stack(self, ctxt, name):
        return name

    def delete_stack(self, ctxt, name):
        return name


class EngineClient:
    def __init__(self):
        self.service = EngineService()

    @staticmethod
    def make_msg(method, **kwargs):
        return method, kwargs

    def call(self, ctxt, msg):
        method, kwargs = msg
        return getattr(self.service, method)(ctxt, **kwargs)

    def create_stack(self, ctxt, name):
        return self.call(ctxt, self.make_msg("create_stack", name=name))


EngineClient().create_stack(None, "s")
