class Instance:
    @classmethod
    def create(cls):
        return cls._build()

    @classmethod
    def _build(cls):
        return None
