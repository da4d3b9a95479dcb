import handlers


def run(kind):
    return getattr(handlers, "handle_" + kind)()


run("create")
