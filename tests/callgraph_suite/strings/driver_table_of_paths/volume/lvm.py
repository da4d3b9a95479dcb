class LVMDriver:
    def create_volume(self):
        return "lvm"
