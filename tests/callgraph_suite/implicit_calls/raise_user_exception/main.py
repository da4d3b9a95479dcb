class QuotaError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def check():
    raise QuotaError("over quota")


def run():
    try:
        check()
    except QuotaError:
        pass


run()
