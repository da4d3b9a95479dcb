class Engine:
    def __init__(self):
        self.engine_action = {"suspend": self.suspend, "resume": self.resume}

    def suspend(self):
        return 1

    def resume(self):
        return 2

    def act(self, action):
        return self.engine_action[action]()


engine = Engine()
engine.act("suspend")
engine.act("resume")
