"""The issue-16 table: for each release in the cache, RPC sends, how many an endpoint serves, time.

Run: python benchmarks/rpc_table.py [NAME ...]  (names as in the cache, e.g. trove-26.0.0).
Reads the releases `stackread get` put in the cache; runs the installed `stackread`, cold.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

# Each release with the library trees its RPC names come from (read as source, never imported).
RELEASES = {
    "nova-34.0.0": [], "nova-15.1.5": [], "cinder-29.0.0": [], "manila-21.0.0": [],
    "ironic-39.0.0": [], "neutron-29.0.0": ["neutron-lib==5.0.1"], "openstack-heat-27.0.1": [],
    "octavia-19.0.0": [], "designate-23.0.0": [], "magnum-23.0.0": [], "trove-26.0.0": [],
    "zun-18.0.0": [], "python-watcher-17.0.0": [], "openstack-cyborg-17.0.0": [],
    "barbican-23.0.0": [],
}


def releases_dir() -> pathlib.Path:
    base = os.environ.get("STACKREAD_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "stackread")
    return pathlib.Path(base) / "releases"


def row(name: str, libraries: list[str], cache: str) -> str:
    args = ["stackread", "rpc", str(releases_dir() / name), "--json", "--cache-dir", cache]
    for library in libraries:
        args += ["-L", library]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode:
        return f"| {name} | failed: {done.stderr.strip().splitlines()[-1:]} |"
    sends = json.loads(done.stdout)
    matched = sum(1 for send in sends if send["endpoint"])
    services = len({send["service"] for send in sends if send["service"]})
    share = f"{100 * matched / len(sends):.1f}%" if sends else "-"
    return f"| {name} | {services} | {len(sends)} | {matched} ({share}) | {took:.1f} s |"


def main(names: list[str]) -> None:
    print("| release | services sent to | sends | matched | time (cold) |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as cache:
        for name in names or RELEASES:
            print(row(name, RELEASES.get(name, []), cache), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
