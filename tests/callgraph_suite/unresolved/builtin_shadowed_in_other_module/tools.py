def sorted(items):
    return list(items)
