class Local:
    def get(self):
        return "local"


class Remote:
    def get(self):
        return "remote"


def driver_for(remote):
    if remote:
        return Remote()
    return Local()


def run():
    driver_for(True).get()
    driver_for(False).get()


run()
