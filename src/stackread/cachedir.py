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
