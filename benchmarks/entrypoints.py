"""Time `stackread entrypoints` on real releases, and CLI start-up. Prints figures; asserts nothing.

    python benchmarks/entrypoints.py [nova==34.0.0 nova==15.1.5 cinder==29.0.0 ...]

Each release is fetched into the stackread cache first (not timed). Times are the best of
--repeat runs of the whole command in a fresh interpreter, as a user meets them.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from measure import run  # benchmarks/ is on the path
from stackread.source.fetch import fetch_release

DEFAULT = ["nova==34.0.0", "nova==15.1.5", "cinder==29.0.0"]


def timed(args: list[str], repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "stackread", *args], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs.append(time.perf_counter() - start)
    return min(runs), statistics.median(runs)


def peak_rss_mb(args: list[str]) -> float:
    """Peak resident memory of one run, reported by the run itself."""
    return run(args).peak_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("releases", nargs="*", default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()

    best, median = timed(["--help"], opts.repeat)
    print(f"{'stackread --help':40} best {best:6.3f} s   median {median:6.3f} s")
    for spec in opts.releases:
        path = str(fetch_release(spec))
        for label, args in ((f"entrypoints {spec}", ["entrypoints", path]),
                            (f"entrypoints {spec} --json", ["entrypoints", path, "--json"])):
            best, median = timed(args, opts.repeat)
            print(f"{label:40} best {best:6.3f} s   median {median:6.3f} s")
        print(f"{'  peak RSS (one run)':40} {peak_rss_mb(['entrypoints', path, '--json']):6.0f} MB")


if __name__ == "__main__":
    main()
