class Instance:
    def save(self):
        return 1


class Migration:
    def save(self):
        return 2


def persist(instance):
    return instance.save()


persist(Instance())
Migration()
