from oslo_utils import importutils

DRIVERS = {"lvm": "volume.lvm.LVMDriver", "nfs": "volume.nfs.NfsDriver"}


class VolumeManager:
    def __init__(self, backend):
        self.driver = importutils.import_object(DRIVERS[backend])

    def create_volume(self):
        return self.driver.create_volume()


VolumeManager("lvm").create_volume()
VolumeManager("nfs").create_volume()
