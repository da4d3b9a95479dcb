class Base:
    def save(self):
        return 1


class Instance(Base):
    def save(self):
        self._validate()
        return super().save()

    def _validate(self):
        return True


Instance().save()
