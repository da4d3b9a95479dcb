class NovaException(Exception):
    def __init__(self, message=None):
        self.message = message or self._default()
        super().__init__(self.message)

    def _default(self):
        return "error"


class InstanceNotFound(NovaException):
    pass


def get(uuid):
    raise InstanceNotFound()


try:
    get("u")
except NovaException:
    pass
