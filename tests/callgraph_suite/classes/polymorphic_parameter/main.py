class Shape:
    def area(self):
        return 0


class Square(Shape):
    def area(self):
        return 4


class Circle(Shape):
    def area(self):
        return 3


def total(shapes):
    return sum(shape.area() for shape in shapes)


total([Square(), Circle()])
