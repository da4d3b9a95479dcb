class Outer:
    class Inner:
        def go(self):
            return 1

    def run(self):
        return self.Inner().go()


Outer().run()
