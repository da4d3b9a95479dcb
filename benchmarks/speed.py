"""The speed table of issue 20, each row as a ratio to the `ast.parse` floor of the same run.

    python benchmarks/speed.py [--release nova==34.0.0] [--repeat 3] [--rows cold,new,...] [--against SRC] [--json]

Every row is a whole command in a fresh interpreter, as a user meets it, on a private copy of the
release (so that an edit touches nothing else). The floor is a plain single-process `ast.parse` of
the files the row reads; floor and row are measured interleaved, --repeat times each, and the
medians compared: this machine's speed drifts between runs, an interleaved median does not.

Rows (issue 20's table):
  cold      `trace create_server`, empty cache
  new       `trace resize` on a warm index (after `trace create_server`)
  edit      `trace create_server` again after editing one file (nova/compute/api.py)
  cached    the same question again (answer read back)
  graph     `callgraph --json`, cold, with its peak memory
  tests     `callgraph --json --include-tests`, cold, with its peak memory, against the floor of
            every file including tests
  pyan3     pyan3 on the non-test files, when pyan3 is on PATH (its time against stackread's cold
            `callgraph`); else left out
Prints figures; asserts nothing.

`--against SRC` runs each row with another checkout of stackread too (PYTHONPATH=SRC/src), interleaved
with this one on the same copy of the release, and prints both, with the CPU time (user + system) of
each: on a machine shared with other work, CPU time moves less than wall time does.

Bytecode: an installed stackread has its modules compiled (pip writes the .pyc files); a run with
PYTHONDONTWRITEBYTECODE set (as some shells here are) compiles every module it imports on each
command instead, ~0.1 s of each row. So the commands run with bytecode kept in a directory of the
benchmark's own (PYTHONPYCACHEPREFIX), written by one untimed command first; `--no-bytecode`
measures as the environment says.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from measure import run  # benchmarks/ is on the path
from stackread.index.files import list_sources
from stackread.source.fetch import fetch_release
from stackread.source.trees import open_tree

ROWS = ("cold", "new", "edit", "cached", "graph", "tests", "pyan3")
TARGETS = {"cold": 1.0, "new": 0.2, "edit": 0.2, "cached": 0.1, "graph": 1.5, "tests": 1.5}
EDITED = "nova/compute/api.py"


def floor(data: list[bytes]) -> float:
    start = time.perf_counter()
    for blob in data:
        try:
            ast.parse(blob)
        except (SyntaxError, ValueError):
            pass
    return time.perf_counter() - start


def command(args: list[str], env: dict) -> tuple[float, float, float]:
    """(seconds, peak MB, CPU seconds) of one whole stackread command."""
    done = run(args, env)
    if done.returncode not in (0, 1):
        raise SystemExit(f"stackread {' '.join(args)} failed:\n{done.stderr}")
    return done.seconds, done.peak_mb, done.cpu_seconds


class Bench:
    def __init__(self, source: Path, work: Path):
        self.work = work
        self.tree = work / "tree"
        shutil.copytree(source, self.tree)
        self.runs = 0

    bytecode = True  # see the module's docstring

    def fresh_cache(self, code: Path | None = None) -> dict:
        """The environment of a row's commands: a cache of their own; `code`: another checkout's."""
        self.runs += 1
        env = {**os.environ, "STACKREAD_CACHE_DIR": str(self.work / f"cache-{self.runs}")}
        if code is not None:
            env["PYTHONPATH"] = str(code / "src")
        if self.bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(self.work / "pycache")
        return env

    def sources(self, include_tests: bool) -> list[bytes]:
        tree = open_tree(self.tree)
        return [tree.read_bytes(p) or b"" for p in list_sources(tree, include_tests)]

    def trace(self, operation: str, env: dict) -> tuple[float, float, float]:
        return command(["trace", operation, "-C", str(self.tree)], env)

    def row(self, name: str, code: Path | None = None) -> tuple[float, float, float]:
        """(seconds, peak MB, CPU seconds) of the row's measured command, its set-up done first (not
        timed); `code`: run by another checkout of stackread."""
        env = self.fresh_cache(code)
        if name == "cold":
            return self.trace("create_server", env)
        if name == "graph":
            return command(["callgraph", str(self.tree), "--json"], env)
        if name == "tests":
            return command(["callgraph", str(self.tree), "--json", "--include-tests"], env)
        self.trace("create_server", env)
        if name == "new":
            return self.trace("resize", env)
        if name == "cached":
            return self.trace("create_server", env)
        if name == "edit":
            edited = self.tree / EDITED
            original = edited.read_bytes()
            edited.write_bytes(original + f"\n\ndef _benchmark_edit_{self.runs}():\n    pass\n".encode())
            try:
                return self.trace("create_server", env)
            finally:
                edited.write_bytes(original)
        raise ValueError(name)


def pyan3(tree: Path, data_paths: list[str]) -> float | None:
    if shutil.which("pyan3") is None:
        return None
    start = time.perf_counter()
    subprocess.run(["pyan3", *data_paths, "--dot"], cwd=tree, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=3600)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", default="nova==34.0.0")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", default=",".join(ROWS), help="comma-separated, of: " + ", ".join(ROWS))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--against", type=Path, metavar="SRC", help="also run each row with this checkout of stackread")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="compile stackread's modules on every command, as PYTHONDONTWRITEBYTECODE says")
    opts = parser.parse_args()
    rows = [r for r in opts.rows.split(",") if r]
    unknown = set(rows) - set(ROWS)
    if unknown:
        parser.error(f"unknown rows: {', '.join(sorted(unknown))}")
    source = fetch_release(opts.release)
    work = Path(tempfile.mkdtemp(prefix="stackread-speed-"))
    results = []
    try:
        bench = Bench(source, work)
        bench.bytecode = not opts.no_bytecode
        codes = [None] + ([opts.against.resolve()] if opts.against else [])
        for code in codes if bench.bytecode else ():  # untimed: compiles what the commands import
            bench.trace("create_server", bench.fresh_cache(code))
            command(["callgraph", str(bench.tree), "--json"], bench.fresh_cache(code))
        plain, everything = bench.sources(False), bench.sources(True)
        for name in rows:
            if name == "pyan3":
                continue
            data = everything if name == "tests" else plain
            floors, runs = [], {code: [] for code in codes}
            for _ in range(opts.repeat):
                floors.append(floor(data))
                for code in codes:
                    runs[code].append(bench.row(name, code))
            base = statistics.median(floors)
            took, cpu = (statistics.median(r[i] for r in runs[None]) for i in (0, 2))
            results.append({"row": name, "files": len(data), "floor_s": round(base, 3), "seconds": round(took, 3),
                            "ratio": round(took / base, 2), "target": TARGETS.get(name),
                            "peak_mb": round(max(r[1] for r in runs[None])), "cpu_s": round(cpu, 3)})
            if opts.against:
                theirs, their_cpu = (statistics.median(r[i] for r in runs[codes[1]]) for i in (0, 2))
                results[-1].update(against_s=round(theirs, 3), against_cpu_s=round(their_cpu, 3))
        if "pyan3" in rows:
            tree = open_tree(bench.tree)
            paths = list_sources(tree, False)
            theirs = pyan3(bench.tree, paths)
            if theirs is not None:
                ours, _peak, _cpu = command(["callgraph", str(bench.tree), "--json"], bench.fresh_cache())
                results.append({"row": "pyan3", "files": len(paths), "seconds": round(theirs, 3),
                                "stackread_s": round(ours, 3), "ahead": round(theirs / ours, 1)})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if opts.json:
        print(json.dumps({"release": opts.release, "repeat": opts.repeat, "cores": os.cpu_count(),
                          "bytecode": not opts.no_bytecode, "rows": results},
                         indent=2))
        return
    compiled = "modules compiled once" if not opts.no_bytecode else "modules compiled on every command"
    print(f"{opts.release}, {os.cpu_count()} cores, medians of {opts.repeat} interleaved runs, {compiled}")
    if opts.against:
        print(f"old: the same commands run by {opts.against}; CPU/old: this one's CPU time over the old one's")
    against = f"  {'old':>8} {'old CPU':>7} {'CPU/old':>7}" if opts.against else ""
    print(f"{'row':8} {'files':>6} {'floor':>8} {'command':>8} {'ratio':>7} {'target':>7} {'peak':>7} {'CPU':>7}{against}")
    for r in results:
        if r["row"] == "pyan3":
            print(f"{'pyan3':8} {r['files']:6} {'':>8} {r['seconds']:7.2f}s  stackread {r['stackread_s']:.2f} s: "
                  f"{r['ahead']}x ahead")
            continue
        target = f"<={r['target']}x" if r["target"] is not None else ""
        theirs = (f"  {r['against_s']:7.2f}s {r['against_cpu_s']:6.2f}s {r['cpu_s'] / r['against_cpu_s']:7.2f}"
                  if "against_s" in r else "")
        print(f"{r['row']:8} {r['files']:6} {r['floor_s']:7.2f}s {r['seconds']:7.2f}s {r['ratio']:6.2f}x "
              f"{target:>7} {r['peak_mb']:5d} MB {r['cpu_s']:6.2f}s{theirs}")


if __name__ == "__main__":
    main()
