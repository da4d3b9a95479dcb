def on_done(result):
    return result


def execute(**kwargs):
    callback = kwargs["callback"]
    return callback(1)


def run():
    execute(callback=on_done)


run()
