from oslo_utils import importutils


def load():
    driver = importutils.import_object("virt.libvirt.LibvirtDriver")
    return driver.spawn()


load()
