from pkg import objects


def run():
    instance = objects.Instance()
    return instance.save()


run()
