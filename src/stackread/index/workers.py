"""Worker processes for parsing that die with the process that started them.

A forked worker holds its own copy of the pipe it reads work from, so when the parent is killed
(SIGKILL, the OOM killer) the pipe never reaches end of file and the worker waits forever: one pair
outlived its run by 14 minutes. Each worker therefore asks Linux to kill it when its parent goes
(PR_SET_PDEATHSIG); elsewhere a thread in the worker watches for the parent to change.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_POLL = 0.5  # seconds between looks at the parent, where there is no death signal


def pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers end when this process does, however it ends."""
    # fork shares the already-imported interpreter; elsewhere the default start method works too.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                               initializer=die_with_parent, initargs=(os.getpid(),))


def die_with_parent(parent: int) -> None:
    """Run first in each worker: end it as soon as `parent` is gone.

    The death signal comes when the thread that forked the worker ends. The pool is created,
    used and shut down inside one call, so the workers never outlive that thread's use of them."""
    if not _parent_death_signal():
        threading.Thread(target=_watch, args=(parent,), daemon=True, name="stackread-watch-parent").start()
    # The parent may have gone before the signal was asked for; then nobody will send it.
    if os.getppid() != parent:
        os._exit(1)


def _parent_death_signal() -> bool:
    """Ask the kernel for SIGKILL when the parent dies; False where it cannot be asked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        done = libc.prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), ctypes.c_ulong(0),
                          ctypes.c_ulong(0), ctypes.c_ulong(0))
    except (OSError, AttributeError):
        return False
    return done == 0


def _watch(parent: int) -> None:
    # An orphan is adopted by init (or a subreaper), so its parent id changes.
    while os.getppid() == parent:
        time.sleep(_POLL)
    os._exit(1)
