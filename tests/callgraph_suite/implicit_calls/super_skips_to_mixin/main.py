class Base:
    def save(self):
        return 1


class AuditMixin:
    def save(self):
        return 2


class Model(Base):
    def save(self):
        return super().save()


class Audited(Model, AuditMixin):
    pass


Audited().save()
