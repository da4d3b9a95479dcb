class Notifications:
    def _handle_create(self):
        return 1

    def _handle_delete(self):
        return 2

    def _handle_update(self):
        return 3

    def handle(self, kind):
        return getattr(self, f"_handle_{kind}")()


notifications = Notifications()
notifications.handle("create")
notifications.handle("delete")
