"""One whole stackread command in a fresh interpreter, as a user runs it: its time and peak memory.

The console script ends its process without tearing the heap down (perf.one_command_process), so
the command cannot report its own peak on the way out; the kernel's accounting of the child, read
when it is reaped (wait4), can: the larger of the command's process and its largest worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    returncode: int
    stderr: str
    seconds: float
    peak_mb: float
    cpu_seconds: float = 0.0  # user + system of the command and the workers it reaped


def run(args: list[str], env: dict | None = None) -> Run:
    """`stackread ARGS...`, its output thrown away."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "stackread", *args], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    stderr = child.stderr.read()
    child.stderr.close()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
    return Run(child.returncode, stderr, seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)
