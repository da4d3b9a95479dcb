import threading


class Job:
    def run(self):
        return 1


def start():
    thread = threading.Thread(target=print, args=("x",))
    thread.run()


start()
Job().run()
