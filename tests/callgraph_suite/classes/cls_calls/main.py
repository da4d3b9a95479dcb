class Migration:
    @classmethod
    def get_by_id(cls, mid):
        return cls._from_db(mid)

    @classmethod
    def _from_db(cls, mid):
        return mid


Migration.get_by_id(1)
