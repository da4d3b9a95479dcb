def helper(x):
    return x


square = lambda x: helper(x) * helper(x)
square(3)
