from pkg.models import Instance as Inst


def run():
    return Inst.create()


run()
