"""Running well on large inputs."""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def collector_paused():
    """Pause the cyclic garbage collector while building large, long-lived, acyclic data.

    Indexing and resolving Nova make ~10^6 containers and almost no cycles; the collector would
    scan the growing heap again and again (measured on Nova 34.0.0: resolution 2.4 s -> 1.2 s,
    indexing 1.9 s -> 1.5 s), for nothing to collect.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
