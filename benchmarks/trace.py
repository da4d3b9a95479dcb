"""Time `stackread trace` on real releases: cold, warm index, warm result. Prints figures; asserts nothing.

    python benchmarks/trace.py [--release nova==34.0.0] [--repeat 5] [create_server resize ...]

Each release is fetched into the stackread cache first (not timed). Every run is the whole
command in a fresh interpreter, as a user meets it:
- cold: an empty cache directory (index, resolution and walk all done);
- warm index: the summaries are cached, the flow itself is not (a new question);
- warm: the same question asked again (the flow read back from the cache).
Times are the best and the median of --repeat runs; peak memory from the resource module.
"""

from __future__ import annotations

import argparse
import pathlib
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

from stackread.source.fetch import fetch_release

DEFAULT_OPERATIONS = ["create_server", "resize", "live-migrate"]


def run(args: list[str]) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "stackread", *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    return elapsed, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def forget_flows(cache: str) -> None:
    """The index stays, the traced flows go: the next run is a new question on a warm index."""
    for database in (pathlib.Path(cache) / "index").glob("*.sqlite"):
        with sqlite3.connect(database) as db:
            db.execute("DELETE FROM blobs WHERE key LIKE 'trace:%'")


def figures(times: list[float]) -> str:
    return f"best {min(times):.2f} s, median {statistics.median(times):.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("operations", nargs="*", default=DEFAULT_OPERATIONS)
    parser.add_argument("--release", default="nova==34.0.0")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    tree = str(fetch_release(options.release))
    print(f"{options.release}  ({tree})")
    for operation in options.operations:
        with tempfile.TemporaryDirectory() as cache:
            base = ["trace", operation, "-C", tree, "--cache-dir", cache]
            cold, peak = run(base)
            index_warm = []
            for _ in range(options.repeat):
                forget_flows(cache)
                index_warm.append(run(base)[0])
            warm = [run(base)[0] for _ in range(options.repeat)]
        print(f"  trace {operation:<14} cold {cold:.2f} s (peak {peak // 1024} MB) | "
              f"warm index {figures(index_warm)} | warm {figures(warm)}  ->  {statistics.median(index_warm) / statistics.median(warm):.1f}x")


if __name__ == "__main__":
    main()
