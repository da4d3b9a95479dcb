def build():
    return 2
