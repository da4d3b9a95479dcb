class Money:
    def __init__(self, value):
        self.value = value

    def __add__(self, other):
        return Money(self.value + other.value)

    def __eq__(self, other):
        return self.value == other.value


def run():
    total = Money(1) + Money(2)
    return total == Money(3)


run()
