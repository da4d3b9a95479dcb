from ..common import utils


def build():
    return utils.generate_uuid()
