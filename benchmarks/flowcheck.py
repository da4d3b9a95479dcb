"""Regression check of every flow: write the gallery JSON of each release, then compare two runs.

    python benchmarks/flowcheck.py write OUT [--source SRC]   # galleries, rpc and callgraph stats
    python benchmarks/flowcheck.py compare OLD NEW            # which operations changed, and how

SRC is a checkout of stackread to run (default: the installed one), so that main and a branch can
be compared on the same releases. Reads the releases `stackread get` put in the cache.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile

RELEASES = ["nova-34.0.0", "nova-15.1.5", "cinder-29.0.0"]


def releases_dir() -> pathlib.Path:
    base = os.environ.get("STACKREAD_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "stackread")
    return pathlib.Path(base) / "releases"


def stackread(source: str | None, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if source:
        env["PYTHONPATH"] = str(pathlib.Path(source, "src").resolve())
    return subprocess.run([sys.executable, "-m", "stackread", *args], capture_output=True,
                          text=True, env=env)


def write(out: pathlib.Path, source: str | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as cache:
        for name in RELEASES:
            tree = str(releases_dir() / name)
            done = stackread(source, "gallery", tree, "-o", str(out / "site"), "--cache-dir", cache)
            print(name, done.stdout.strip().splitlines()[:1], done.stderr.strip()[-300:])
            rpc = stackread(source, "rpc", tree, "--json", "--cache-dir", cache)
            (out / f"{name}.rpc.json").write_text(rpc.stdout)
            sends = json.loads(rpc.stdout or "[]")
            print(f"  rpc {sum(1 for s in sends if s['endpoint'])}/{len(sends)}")
            graph = stackread(source, "callgraph", tree, "--json", "--cache-dir", cache)
            data = json.loads(graph.stdout or "{}")
            stats = {key: len(value) if isinstance(value, list) else value
                     for key, value in data.items() if not isinstance(value, dict)}
            (out / f"{name}.callgraph.txt").write_text(json.dumps(stats, sort_keys=True))
            print("  callgraph", stats)


def hops(page: dict) -> list[str]:
    return [f"{h['from']}->{h['to']} {h['kind']} {h['method']}"
            + ("" if h.get("default_path", True) else " (branch)") for h in page["hops"]]


def steps(page: dict) -> set[str]:
    found: set[str] = set()
    stack = list(page["steps"])
    while stack:
        step = stack.pop()
        found.add(f"{step['process']} {step['function']}")
        stack.extend(step.get("children") or [])
    return found


def compare(old: pathlib.Path, new: pathlib.Path) -> None:
    for side in ("rpc.json", "callgraph.txt"):
        for path in sorted(old.glob(f"*.{side}")):
            other = new / path.name
            if not other.exists() or other.read_text() != path.read_text():
                print(f"changed: {path.name}")
    old_pages = {p.relative_to(old): p for p in old.glob("site/*/*.json")}
    new_pages = {p.relative_to(new): p for p in new.glob("site/*/*.json")}
    for name in sorted(old_pages.keys() ^ new_pages.keys()):
        print(f"{'only in old' if name in old_pages else 'only in new'}: {name}")
    same = 0
    for name in sorted(old_pages.keys() & new_pages.keys()):
        a = json.loads(old_pages[name].read_text())
        b = json.loads(new_pages[name].read_text())
        a.pop("revision", None), b.pop("revision", None)
        if a == b:
            same += 1
            continue
        print(f"== {name}")
        for hop in hops(a):
            if hop not in hops(b):
                print(f"  - hop {hop}")
        for hop in hops(b):
            if hop not in hops(a):
                print(f"  + hop {hop}")
        sa, sb = steps(a), steps(b)
        for step in sorted(sa - sb)[:15]:
            print(f"  - step {step}")
        for step in sorted(sb - sa)[:15]:
            print(f"  + step {step}")
    print(f"{same} of {len(old_pages.keys() & new_pages.keys())} pages identical")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "write":
        source = sys.argv[sys.argv.index("--source") + 1] if "--source" in sys.argv else None
        write(pathlib.Path(sys.argv[2]), source)
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        compare(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]))
    else:
        sys.exit(__doc__)
