"""Graphviz's chatter on standard error that tells the user nothing, kept from reaching them.

pygraphviz's wheel bundles its own Graphviz and an older fontconfig. Loading fonts, that
fontconfig reads every sample config of the system's newer one (it scans conf.avail whatever
FONTCONFIG_FILE says) and prints `Fontconfig warning: ".../05-reset-dirs-sample.conf", line 6:
unknown element "reset-dirs"` on every drawing: an element it is too old to know, in a file that
is not even in use. The C library writes to file descriptor 2 directly, so while Graphviz runs
fd 2 goes to a temporary file; afterwards every line but those warnings goes on to stderr, so a
real error of Graphviz or of fontconfig still reaches the user.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from typing import Iterator

_UNKNOWN_ELEMENT = re.compile(r'Fontconfig warning: "[^"\n]*", line \d+: unknown element "[^"\n]*"\s*')


def noise(line: str) -> bool:
    """A line of stderr that only says the bundled fontconfig is older than the system's config."""
    return _UNKNOWN_ELEMENT.fullmatch(line) is not None


@contextlib.contextmanager
def quiet_fontconfig() -> Iterator[None]:
    """Run the body with fd 2 captured; pass on what it wrote except fontconfig's noise."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no fd 2 (a closed or replaced stderr): nothing to hide
        yield
        return
    with tempfile.TemporaryFile() as captured:  # a file, not a pipe: a long error cannot block Graphviz
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [line for line in captured.read().decode("utf-8", "replace").splitlines(keepends=True)
                    if not noise(line)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()
