def make_counter():
    def step():
        return 1
    return step


def run():
    step = make_counter()
    step()


run()
