"""Parsing workers die with their parent, even when it is killed with SIGKILL."""

from __future__ import annotations

import os
import pathlib
import select
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import stackread
from conftest import write_tree
from stackread.index import build

# Runs a cold index with two workers and, once the first summary is back (the workers exist),
# prints their pids and waits: the workers finish the rest and sit idle, waiting for more work.
SCRIPT = textwrap.dedent("""
    import multiprocessing, pathlib, sys, time
    from stackread.diagnostics import Diagnostics
    from stackread.index import build, workers
    from stackread.source.trees import DirectoryTree

    if sys.argv[2] == "watch":  # as on a system without PR_SET_PDEATHSIG
        workers._parent_death_signal = lambda: False

    class NoCache:
        def get_many(self, keys):
            return {}

        def put_many(self, items):
            pass

    def progress(done, total):
        if done == 1:
            print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
            time.sleep(600)

    build.index_tree(DirectoryTree(pathlib.Path(sys.argv[1])), NoCache(), Diagnostics(), workers=2,
                     progress=progress)
""")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie has ended; only its exit status waits to be collected
        return pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


@pytest.mark.parametrize("how", ["signal", "watch"])
def test_workers_end_when_their_parent_is_killed(tmp_path, how):
    if how == "signal" and not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux only")
    count = build._PARALLEL_FROM * 4
    root = write_tree(tmp_path / "tree", {"pkg/__init__.py": "", **{
        f"pkg/m{i}.py": "".join(f"def f{j}(x):\n    return g(x, {j})\n\n" for j in range(40))
        for i in range(count)}})
    env = {**os.environ, "PYTHONPATH": str(pathlib.Path(stackread.__file__).parents[1])}
    parent = subprocess.Popen([sys.executable, "-c", SCRIPT, str(root), how], stdout=subprocess.PIPE, text=True,
                              env=env)
    workers: list[int] = []
    try:
        ready, _, _ = select.select([parent.stdout], [], [], 120)
        assert ready, "the index never started"
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert workers and all(alive(pid) for pid in workers)

        parent.kill()
        parent.wait(timeout=60)

        deadline = time.monotonic() + 30  # generous: they go at once (signal) or within half a second
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in workers if alive(pid)] == []
    finally:
        parent.kill()
        for pid in workers:  # only if the test failed: never leave them behind
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


class _Counted:
    """A cache that holds nothing and counts the summaries put into it."""

    def __init__(self):
        self.put = 0

    def get_many(self, keys):
        return {}

    def put_many(self, items):
        self.put += len(items)


def _many_modules(root: pathlib.Path) -> pathlib.Path:
    return write_tree(root, {"pkg/__init__.py": "", **{f"pkg/m{i}.py": f"def f{i}():\n    return {i}\n"
                                                      for i in range(build._PARALLEL_FROM * 2)}})


def test_an_index_started_early_is_taken_over_and_each_file_parsed_once(tmp_path):
    import multiprocessing

    from stackread.diagnostics import Diagnostics
    from stackread.source.trees import DirectoryTree

    tree, cache, parsed = DirectoryTree(_many_modules(tmp_path / "tree")), _Counted(), []
    with build.prefetching(tree, cache, progress=lambda done, total: parsed.append(done)):
        assert multiprocessing.active_children()  # parsing already, while this process goes on
        taken = build.index_tree(tree, cache, Diagnostics())
    alone = build.index_tree(tree, _Counted(), Diagnostics())
    # What index_tree returned is what the early start parsed (its progress counted every file).
    assert taken.parsed == len(taken.files) == build._PARALLEL_FROM * 2 + 1 == parsed[-1]
    assert cache.put == taken.parsed and taken.summaries == alone.summaries
    assert not multiprocessing.active_children()


def test_an_index_started_early_and_never_asked_for_leaves_no_worker_behind(tmp_path):
    import multiprocessing

    from stackread.source.trees import DirectoryTree

    cache = _Counted()
    with build.prefetching(DirectoryTree(_many_modules(tmp_path / "tree")), cache):
        assert multiprocessing.active_children()
    assert not multiprocessing.active_children() and cache.put == 0
