class Query:
    def filter(self, value):
        return self

    def first(self):
        return 1


def run():
    Query().filter(1).first()


run()
