def plain(value):
    return str(value)


def fancy(value):
    return "*%s*" % value


def render(value, formatter=plain):
    return formatter(value)


def run():
    render(1)
    render(2, fancy)


run()
