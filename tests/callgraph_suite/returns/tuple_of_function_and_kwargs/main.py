class Engine:
    def create_stack(self, name):
        return name


def make_msg(method, **kwargs):
    return method, kwargs


def run():
    engine = Engine()
    method, kwargs = make_msg(engine.create_stack, name="s")
    method(**kwargs)


run()
