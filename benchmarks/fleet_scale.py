"""Issue 20's scale row: every project of the fleet issues, one release each, indexed cold.

    python benchmarks/fleet_scale.py [--include-tests] [--command callgraph] [NAME==VERSION ...]

Each release (read from the cache `stackread get` fills, fetched when missing) is indexed by a fresh
interpreter into one new cache directory, as a user's first command on each tree does it: its files
listed, parsed and summarised on every core, the summaries stored. `--command callgraph` runs the
whole cold `stackread callgraph PATH --json` instead (index, resolution, the graph written). Prints,
per release and in all: files, lines, seconds, the peak memory of the process (and of its largest
worker), the cache's size on disk, and the floor, a plain single-process `ast.parse` of the same files in this run. The target
(issue 20): the whole fleet under 60 s and under 1 GB on this machine. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from speed import floor  # the same floor as the speed table's (benchmarks/ is on the path)
from stackread.index.files import list_sources
from stackread.source.fetch import fetch_release
from stackread.source.trees import open_tree

# One release of each project issues 16 and 17 name (the services, and the libraries they read).
FLEET = ["nova==34.0.0", "cinder==29.0.0", "manila==21.0.0", "neutron==29.0.0", "neutron-lib==5.0.1",
         "ironic==39.0.0", "openstack-heat==27.0.1", "keystone==30.0.0", "octavia==19.0.0", "glance==33.0.0",
         "python-watcher==17.0.0", "designate==23.0.0", "trove==26.0.0", "zun==18.0.0", "barbican==23.0.0",
         "magnum==23.0.0", "openstack-cyborg==17.0.0", "openstack-placement==16.0.0", "masakari==22.0.0"]

# The child: index (or run the command) and report its own peak RSS and its largest worker's, in KB.
_CHILD = """
import os, resource, sys
tree, cache_dir, include_tests, command = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4:]
if command:
    import gc
    from stackread.cli import main
    sys.argv = ["stackread", *command, "--cache-dir", cache_dir]
    gc.disable()  # as the console script does; unwrapped, so that its process reports below
    try:
        main.__wrapped__()
    except SystemExit:
        pass
else:
    from stackread.diagnostics import Diagnostics
    from stackread.index.build import index_tree
    from stackread.index.cache import SummaryCache
    from stackread.source.trees import open_tree
    import pathlib
    with SummaryCache(pathlib.Path(cache_dir), stackread_version="bench") as cache:
        index_tree(open_tree(tree), cache, Diagnostics(), include_tests=include_tests)
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(own, worker, file=sys.stderr, flush=True)
os._exit(0)  # as the console script leaves: the heap is not torn down
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("releases", nargs="*", default=FLEET, metavar="NAME==VERSION")
    parser.add_argument("--include-tests", action="store_true", help="index the tests too")
    parser.add_argument("--command", choices=["callgraph"], help="run the whole cold command instead")
    opts = parser.parse_args()
    rows, total = [], {"files": 0, "lines": 0, "floor": 0.0, "seconds": 0.0, "own": 0, "worker": 0}
    with tempfile.TemporaryDirectory(prefix="stackread-fleet-") as work:
        cache_dir = str(Path(work, "cache"))
        for release in opts.releases:
            path = fetch_release(release)
            tree = open_tree(path)
            data = [tree.read_bytes(p) or b"" for p in list_sources(tree, opts.include_tests)]
            parse = floor(data)
            command = [opts.command, str(path), "--json"] + (["--include-tests"] if opts.include_tests else []) \
                if opts.command else []
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", _CHILD, str(path), cache_dir,
                                   "1" if opts.include_tests else "0", *command],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            seconds = time.perf_counter() - start
            own, worker = (int(n) // 1024 for n in done.stderr.strip().splitlines()[-1].split())
            row = {"release": release, "files": len(data), "lines": sum(b.count(b"\n") for b in data),
                   "floor": parse, "seconds": seconds, "own": own, "worker": worker}
            rows.append(row)
            for key in ("files", "lines", "floor", "seconds"):
                total[key] += row[key]
            total["own"], total["worker"] = max(total["own"], own), max(total["worker"], worker)
            print(f"{release:28} {row['files']:5} files {row['lines'] / 1e3:6.0f}k lines  floor {parse:5.2f} s  "
                  f"{'callgraph' if opts.command else 'index'} {seconds:6.2f} s ({seconds / parse:4.2f}x)  "
                  f"peak {own:4} MB, worker {worker:4} MB", flush=True)
        disk = sum(f.stat().st_size for f in Path(cache_dir).rglob("*") if f.is_file()) / 2**20
    print(f"{'all ' + str(len(rows)) + ' releases':28} {total['files']:5} files {total['lines'] / 1e6:6.2f}M lines  "
          f"floor {total['floor']:5.1f} s  {'callgraph' if opts.command else 'index'} {total['seconds']:6.1f} s "
          f"({total['seconds'] / total['floor']:4.2f}x)  largest peak {total['own']} MB, worker {total['worker']} MB, "
          f"cache {disk:.0f} MB on disk  (target: under 60 s and 1 GB; {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
