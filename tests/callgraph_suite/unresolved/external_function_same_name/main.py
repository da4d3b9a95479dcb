import json


class Encoder:
    def dumps(self, value):
        return str(value)


def dumps(value):
    return "custom"


def run():
    return json.dumps({})


run()
Encoder().dumps(1)
