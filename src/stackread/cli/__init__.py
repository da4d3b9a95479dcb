"""The command line, thin: click commands parse options, build one request, call one flow and hand
the answer to render. Heavy modules are imported inside commands so `stackread --help` starts fast.
"""

from stackread.cli.commands import cli, main  # noqa: F401 - the console script and the tests
