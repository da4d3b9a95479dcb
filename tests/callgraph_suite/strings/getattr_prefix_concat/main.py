class Commands:
    def do_list(self):
        return 1

    def do_show(self):
        return 2

    def do_delete(self):
        return 3

    def dispatch(self, action):
        return getattr(self, "do_" + action)()


commands = Commands()
commands.dispatch("list")
commands.dispatch("show")
