class Driver:
    def live_migration(self, instance, post_method, recover_method):
        try:
            self._copy(instance)
        except RuntimeError:
            recover_method(instance)
            return
        post_method(instance)

    def _copy(self, instance):
        if instance == "bad":
            raise RuntimeError(instance)


class ComputeManager:
    def __init__(self):
        self.driver = Driver()

    def live_migration(self, instance):
        self.driver.live_migration(instance, self._post_live_migration, self._rollback_live_migration)

    def _post_live_migration(self, instance):
        return instance

    def _rollback_live_migration(self, instance):
        return instance


manager = ComputeManager()
manager.live_migration("ok")
manager.live_migration("bad")
