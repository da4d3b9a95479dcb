class API:
    ACTIONS = {"reboot": "_reboot", "pause": "_pause"}

    def action(self, name):
        return getattr(self, self.ACTIONS[name])()

    def _reboot(self):
        return 1

    def _pause(self):
        return 2

    def _unused(self):
        return 3


api = API()
api.action("reboot")
api.action("pause")
