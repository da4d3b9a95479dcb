import tools


def run():
    return sorted([2, 1])


run()
tools.sorted([1])
