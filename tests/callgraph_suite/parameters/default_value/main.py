def default_formatter(value):
    return str(value)


def render(value, formatter=default_formatter):
    return formatter(value)


def run():
    return render(1)


run()
