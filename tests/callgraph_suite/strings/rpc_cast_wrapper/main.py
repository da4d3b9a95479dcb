class Manager:
    def create_instance(self, ctxt, name):
        return name

    def delete_instance(self, ctxt, name):
        return name

    def resize_instance(self, ctxt, name):
        return name


class Client:
    def __init__(self, target):
        self.target = target

    def cast(self, ctxt, method, **kwargs):
        return getattr(self.target, method)(ctxt, **kwargs)


class API:
    def __init__(self):
        self.client = Client(Manager())

    def _cast(self, ctxt, method, **kwargs):
        return self.client.cast(ctxt, method, **kwargs)

    def create(self, ctxt):
        return self._cast(ctxt, "create_instance", name="vm")

    def delete(self, ctxt):
        return self._cast(ctxt, "delete_instance", name="vm")


api = API()
api.create(None)
api.delete(None)
