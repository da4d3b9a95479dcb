class Server:
    def __init__(self):
        self._state = None

    @property
    def state(self):
        return self._state

    @state.setter
    def state(self, value):
        self._state = self._check(value)

    def _check(self, value):
        return value


server = Server()
server.state = "active"
server.state
