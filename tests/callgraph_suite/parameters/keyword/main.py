def shout(text):
    return text.upper()


def whisper(text):
    return text.lower()


def speak(text, style):
    return style(text)


def run():
    speak(style=shout, text="a")
    speak("b", style=whisper)


run()
