class Volume:
    def attach(self):
        return 1


class VolumeAPI:
    def get(self, volume_id):
        return Volume()


class ComputeManager:
    def __init__(self):
        self.volume_api = VolumeAPI()

    def attach_volume(self, volume_id):
        volume = self.volume_api.get(volume_id)
        return volume.attach()


ComputeManager().attach_volume(1)
