"""The command line, thin: click commands parse options, build one request, call one flow and hand
the answer to render. Heavy modules are imported inside commands so `stackread --help` starts fast.
Imports everything below it; nothing imports it.
"""

from stackread.cli import analysis, flows, gallery, store  # noqa: F401 - each module's commands join the group
from stackread.cli.base import cli, main

__all__ = ["cli", "main"]
