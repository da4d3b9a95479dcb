import socket


class Connection:
    def close(self):
        return 1


def probe():
    sock = socket.socket()
    sock.close()


probe()
Connection().close()
