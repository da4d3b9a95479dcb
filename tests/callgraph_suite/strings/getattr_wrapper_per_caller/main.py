class Manager:
    def create_instance(self):
        return 1

    def delete_instance(self):
        return 2


class API:
    def __init__(self):
        self.manager = Manager()

    def _method(self, name):
        return getattr(self.manager, name)

    def create(self):
        return self._method("create_instance")()

    def delete(self):
        return self._method("delete_instance")()


api = API()
api.create()
api.delete()
