def instance_create():
    return 1
