class Listener:
    def _on_start(self):
        return 1

    def notify(self, event):
        handler = getattr(self, "_on_" + event, None)
        if handler is not None:
            handler()


listener = Listener()
listener.notify("start")
listener.notify("stop")
