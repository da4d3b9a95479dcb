"""Where stackread keeps what it fetched and what it worked out: one small module, so that
opening the cache does not import the fetcher (urllib, tarfile, certificates)."""

from __future__ import annotations

import os
import pathlib


def default_cache_dir() -> pathlib.Path:
    if explicit := os.environ.get("STACKREAD_CACHE_DIR"):
        return pathlib.Path(explicit).expanduser()
    if xdg := os.environ.get("XDG_CACHE_HOME"):
        return pathlib.Path(xdg).expanduser() / "stackread"
    return pathlib.Path.home() / ".cache" / "stackread"


LIMIT_VARIABLE = "STACKREAD_CACHE_MAX_MB"
# Nova costs ~9 MB of per-file summaries (shared by content between releases) and an 8 MB call
# graph per distinct tree, a traced flow 30-400 KB: 512 MiB keeps some 25 Nova-size trees warm, a
# few releases and branches of several projects, and stays small next to the releases themselves.
DEFAULT_LIMIT_MB = 512


def cache_limit() -> tuple[int, str | None]:
    """(bytes the computed results may take, a one-line problem with $STACKREAD_CACHE_MAX_MB or None)."""
    text = os.environ.get(LIMIT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_LIMIT_MB * 2**20, None
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1.0
    if not 0 < megabytes < 2**40:  # also refuses nan and inf
        return DEFAULT_LIMIT_MB * 2**20, (f"{LIMIT_VARIABLE}={text!r} is not a positive number of MiB; "
                                          f"using {DEFAULT_LIMIT_MB}")
    return max(1, int(megabytes * 2**20)), None
