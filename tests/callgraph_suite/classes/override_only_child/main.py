class Task:
    def execute(self):
        return self.do()

    def do(self):
        raise NotImplementedError()


class ResizeTask(Task):
    def do(self):
        return "resized"


ResizeTask().execute()
