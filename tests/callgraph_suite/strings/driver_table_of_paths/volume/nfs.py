class NfsDriver:
    def create_volume(self):
        return "nfs"
