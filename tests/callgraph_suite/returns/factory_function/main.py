class Connection:
    def __init__(self, host):
        self.host = host

    def execute(self):
        return self.host


def connect(host):
    return Connection(host)


def run():
    conn = connect("db")
    conn.execute()


run()
