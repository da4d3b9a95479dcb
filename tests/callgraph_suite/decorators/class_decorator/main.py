REGISTRY = {}


def register(cls):
    REGISTRY[cls.__name__] = cls
    return cls


@register
class Plugin:
    def run(self):
        return 1


Plugin().run()
