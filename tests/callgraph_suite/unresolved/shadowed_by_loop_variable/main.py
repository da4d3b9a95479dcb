def step():
    return 1


def run():
    for step in (print, repr):
        step("x")


run()
step()
