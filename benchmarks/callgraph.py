"""The call-graph targets of issue 3, measured on a real release. Prints figures; asserts nothing.

    python benchmarks/callgraph.py [--release nova==34.0.0] [--repeat 5]

1. plain `ast.parse` of every non-test file, sequentially, in this run (the floor);
2. a cold index of the same files (empty cache), as a ratio to (1);
3. warm `stackread callgraph --json >/dev/null` and `stackread graph ... --depth 1`, end to end;
4. after editing one file: how many files are parsed again, and the time;
5. peak memory of a cold run over the whole release including its tests.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import run  # benchmarks/ is on the path
from stackread.flows.callgraph import load_callgraph
from stackread.flows.reading import Reading
from stackread.diagnostics import Diagnostics
from stackread.source.fetch import fetch_release
from stackread.index.build import index_tree
from stackread.index.cache import SummaryCache
from stackread.index.files import list_sources
from stackread.source.trees import open_tree

SYMBOL = "ComputeManager.build_and_run_instance"

def best_of(repeat: int, args: list[str], env: dict) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "stackread", *args], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs.append(time.perf_counter() - start)
    return min(runs), statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", default="nova==34.0.0")
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()
    source = fetch_release(opts.release)
    work = Path(tempfile.mkdtemp(prefix="stackread-bench-"))
    try:
        tree_dir = work / "tree"
        shutil.copytree(source, tree_dir)
        env = {**os.environ, "STACKREAD_CACHE_DIR": str(work / "cache")}
        tree = open_tree(tree_dir)
        paths = list_sources(tree, include_tests=False)
        data = [tree.read_bytes(p) for p in paths]

        # Interleaved, best of three each: this machine's speed drifts by 20% between runs.
        floors, colds = [], []
        for attempt in range(3):
            start = time.perf_counter()
            for blob in data:
                try:
                    ast.parse(blob)
                except SyntaxError:
                    pass
            floors.append(time.perf_counter() - start)
            with SummaryCache(work / f"cold-cache-{attempt}", stackread_version="bench") as cache:
                start = time.perf_counter()
                index_tree(tree, cache, Diagnostics())
                colds.append(time.perf_counter() - start)
        floor, cold = min(floors), min(colds)
        print(f"{opts.release}: {len(paths)} non-test files, {sum(map(len, data)) / 1e6:.1f} MB")
        print(f"plain ast.parse, sequential          {floor:7.2f} s   (best of 3)")
        print(f"cold index (parse+summarize+cache)   {cold:7.2f} s   = {cold / floor:.2f}x plain ast.parse"
              f"  ({os.cpu_count()} cores, best of 3)")

        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "stackread", "callgraph", str(tree_dir)], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"cold `stackread callgraph` end to end {time.perf_counter() - start:7.2f} s")
        best, median = best_of(opts.repeat, ["callgraph", str(tree_dir), "--json"], env)
        print(f"warm `callgraph --json >/dev/null`   {best:7.2f} s best, {median:.2f} s median")
        best, median = best_of(opts.repeat, ["graph", SYMBOL, "-C", str(tree_dir), "--depth", "1"], env)
        print(f"warm `graph {SYMBOL} --depth 1`  {best:5.2f} s best, {median:.2f} s median")

        edited = tree_dir / "nova" / "compute" / "api.py"
        edited.write_text(edited.read_text() + "\n\ndef _benchmark_edit():\n    pass\n")
        start = time.perf_counter()
        result = load_callgraph(Reading(tree_dir, cache_dir=work / "cache"))  # where the CLI runs put it
        print(f"after editing one file: {result.stats['parsed']} file(s) parsed, {time.perf_counter() - start:.2f} s")

        for label, extra in (("no cache", ["--no-cache"]), ("writing the cache", ["--cache-dir", str(work / "mem")])):
            rss = run(["callgraph", str(tree_dir), "--include-tests", *extra], env).peak_mb
            print(f"peak memory, cold, with tests, {label:18} {rss:5.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
