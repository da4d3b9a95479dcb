class HostSet:
    def __init__(self, hosts):
        self.hosts = hosts

    def __contains__(self, host):
        return host in self.hosts

    def __len__(self):
        return len(self.hosts)


def run():
    hosts = HostSet(["a"])
    return "a" in hosts and len(hosts)


run()
