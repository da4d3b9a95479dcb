def make_default():
    return 1


class Config:
    default = make_default()

    def value(self):
        return self.default


Config().value()
