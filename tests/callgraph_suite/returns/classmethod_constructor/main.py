class Instance:
    def __init__(self, uuid):
        self.uuid = uuid

    @classmethod
    def get_by_uuid(cls, uuid):
        return cls(uuid)

    def save(self):
        return self.uuid


def run():
    inst = Instance.get_by_uuid("u")
    inst.save()


run()
