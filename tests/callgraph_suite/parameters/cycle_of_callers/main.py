class Instance:
    def save(self):
        pass


# `inst` of first is what run and second pass; `inst` of second is what first passes: a cycle.
# first's calls are read first, so second's `inst` is worked out inside that cycle, while first's
# answer is not known yet: it must not be kept as nothing.
def first(inst, n):
    if n:
        second(inst, n - 1)
    inst.save()


def second(inst, n):
    inst.save()
    first(inst, n)


def run():
    first(Instance(), 3)


run()
