from .db import instance_create


def create():
    return instance_create()
