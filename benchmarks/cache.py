"""Time the summary cache at Nova scale. Prints figures.

    python benchmarks/cache.py [--files 1500] [--kb 20] [--repeat 3]
    python benchmarks/cache.py --tree "$(stackread get nova==34.0.0)"

Builds synthetic summaries of the shape the indexer writes (dicts of name -> list, nested
lists of small lists of strings and ints), or with --tree the real summaries of a source
tree (tests included), then, in a temporary directory, times:
SummaryCache as shipped; the same table storing JSON plain or zlib-compressed; the ways
of looking many keys up; and decoding with the garbage collector running or paused.
Times are the best of --repeat runs; gets read from a fresh connection with the file in
the OS page cache, as a warm `stackread` run does.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import pathlib
import random
import sqlite3
import tempfile
import time
import zlib
from collections.abc import Callable

from stackread.index import cache
from stackread.perf import collector_paused

VERSION = "0.1.0"
WORDS = ["self", "context", "instance", "compute_api", "compute_rpcapi", "db", "objects", "LOG",
         "CONF", "host", "node", "request_spec", "flavor", "image_meta", "block_device_mapping",
         "utils", "exception", "_", "migration", "allocations", "nova", "compute", "api", "manager"]


# -- synthetic summaries ------------------------------------------------------------


def _dotted(rng: random.Random) -> str:
    return ".".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))


def _expr(rng: random.Random, depth: int = 0) -> list:
    """Like ["attr", ["name", "self"], "compute_api"] or ["call", [...], 2]."""
    roll = rng.random()
    if depth > 2 or roll < 0.4:
        return ["name", rng.choice(WORDS)]
    if roll < 0.8:
        return ["attr", _expr(rng, depth + 1), rng.choice(WORDS)]
    return ["call", _expr(rng, depth + 1), rng.randint(0, 5)]


def _function(rng: random.Random) -> dict:
    return {
        "line": rng.randint(1, 5000),
        "args": [rng.choice(WORDS) for _ in range(rng.randint(0, 5))],
        "decorators": [_dotted(rng)] if rng.random() < 0.3 else [],
        "calls": [[_expr(rng), rng.randint(1, 5000)] for _ in range(rng.randint(3, 30))],
        "returns": [_expr(rng) for _ in range(rng.randint(0, 3))],
    }


def summary(rng: random.Random, size: int) -> dict:
    """A module summary of about `size` bytes of compact JSON."""
    result: dict = {"module": _dotted(rng), "imports": {}, "functions": {}}
    written = 0
    while written < size:
        name = f"{rng.choice(WORDS)}_{rng.randint(0, 9999)}"
        result["functions"][name] = function = _function(rng)
        result["imports"][name] = _dotted(rng)
        written += len(json.dumps(function, separators=(",", ":"))) + 2 * len(name) + 40
    return result


def summaries(files: int, kb: float) -> dict[str, dict]:
    rng = random.Random(42)
    # Sizes spread around the mean, as module sizes do.
    return {f"{i:064x}": summary(rng, int(rng.uniform(0.5, 1.5) * kb * 1000)) for i in range(files)}


def real_summaries(path: str) -> dict[str, dict]:
    from stackread.diagnostics import Diagnostics
    from stackread.index.build import index_tree
    from stackread.source.trees import open_tree

    with cache.SummaryCache(None, stackread_version=VERSION) as disabled:  # parse every file
        result = index_tree(open_tree(path, None), disabled, Diagnostics(), include_tests=True)
    return {f.key: result.summaries[f.path] for f in result.files if f.path in result.summaries}


# -- measuring ----------------------------------------------------------------------


def best(run: Callable[[], object], repeat: int) -> float:
    """Best time of run(); what it returns is freed, and collected, outside the timing."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
        del result
        gc.collect()
    return min(times)


def db_size(directory: pathlib.Path) -> float:
    return sum(f.stat().st_size for f in directory.iterdir()) / 1e6


def shipped(items: dict[str, dict], blob: bytes, root: pathlib.Path, repeat: int) -> None:
    directory = root / "shipped"
    with cache.SummaryCache(directory, stackread_version=VERSION) as store:
        first = best(lambda: store.put_many(items), 1)
        again = best(lambda: store.put_many(items), repeat)
    size = db_size(directory)

    def get() -> dict[str, dict]:
        with cache.SummaryCache(directory, stackread_version=VERSION) as store:
            return store.get_many(items)

    blobs = root / "blobs"
    with cache.SummaryCache(blobs, stackread_version=VERSION) as store:
        blob_put = best(lambda: store.put_blob("graph", blob), repeat)

    def get_blob() -> bytes | None:
        with cache.SummaryCache(blobs, stackread_version=VERSION) as store:
            return store.get_blob("graph")

    print("SummaryCache as shipped")
    print(f"  put_many, new file {first:7.3f} s    put_many, replacing {again:7.3f} s")
    print(f"  get_many + decode  {best(get, repeat):7.3f} s    (from opening the file to the dict)")
    print(f"  summaries on disk  {size:7.1f} MB")
    print(f"  put_blob {len(blob) / 1e6:.0f} MB     {blob_put:7.3f} s    get_blob {best(get_blob, repeat):7.3f} s")


STORAGES: dict[str, tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]] = {
    "JSON": (bytes, bytes),
    "zlib level 1": (lambda data: zlib.compress(data, 1), zlib.decompress),
    "zlib level 6": (lambda data: zlib.compress(data, 6), zlib.decompress),
}


def storages(items: dict[str, dict], root: pathlib.Path, repeat: int) -> None:
    """The shipped schema and settings, with the payload optionally compressed."""
    print("\nstorage         db size   put_many   get_many + decode")
    for label, (pack, unpack) in STORAGES.items():
        directory = root / label.replace(" ", "-")
        directory.mkdir()
        path = directory / "c.sqlite"

        def put() -> None:
            rows = []
            for key, value in items.items():
                payload = pack(cache._ENCODER.encode(value).encode())
                rows.append(cache._row(key, VERSION, payload, 0))
            db = cache._connect(path)
            cache._write(db, "summaries", rows)
            db.close()

        def get() -> list[dict]:
            db = cache._connect(path)
            rows = cache._select_many(db, list(items), VERSION)
            db.close()
            with collector_paused():
                return [json.loads(unpack(payload)) for _, crc, _used, payload in rows if zlib.crc32(payload) == crc]

        put_time = best(put, repeat)
        print(f"{label:14} {db_size(directory):6.1f} MB  {put_time:7.3f} s  {best(get, repeat):7.3f} s")


def lookups(items: dict[str, dict], root: pathlib.Path, repeat: int) -> None:
    """Fetching the rows only (no decoding): the part of get_many SQLite does."""
    db = cache._connect(root / "shipped" / cache.DB_NAME)
    keys = list(items)
    select = "SELECT key, crc, payload FROM summaries WHERE version = ? AND key "

    def one_in_list() -> list:
        return db.execute(select + f"IN ({','.join('?' * len(keys))})", (VERSION, *keys)).fetchall()

    def temp_table() -> list:
        db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (key TEXT PRIMARY KEY)")
        db.execute("BEGIN")
        with db:
            db.execute("DELETE FROM wanted")
            db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((key,) for key in keys))
            return db.execute("SELECT key, crc, payload FROM summaries JOIN wanted USING (key)"
                              " WHERE version = ?", (VERSION,)).fetchall()

    def per_key() -> list:
        return [db.execute(select + "= ?", (VERSION, key)).fetchone() for key in keys]

    strategies = {
        f"IN lists of {cache._CHUNK} (shipped)": lambda: cache._select_many(db, keys, VERSION),
        f"one IN list of {len(keys)}": one_in_list,
        "joined temporary table": temp_table,
        "one query per key": per_key,
    }
    print(f"\nlooking up {len(keys)} keys, rows only")
    for label, run in strategies.items():
        assert len(run()) == len(keys)
        print(f"  {label:32} {best(run, repeat):7.4f} s")
    db.close()


def decode_kept(payloads: list[bytes], pause: bool, freeze: bool) -> tuple[float, float]:
    """Time to decode every payload, keeping the results as the indexer does, and then the
    time of the collection that the next few thousand allocations would start anyway."""
    gc.collect()
    start = time.perf_counter()
    with collector_paused() if pause else contextlib.nullcontext():
        kept = [json.loads(payload) for payload in payloads]
    if freeze:
        gc.freeze()
    decoded = time.perf_counter()
    gc.collect(1)
    collected = time.perf_counter()
    gc.unfreeze()
    del kept
    return decoded - start, collected - decoded


def collector(payloads: list[bytes], repeat: int) -> None:
    print(f"\ndecoding {len(payloads)} payloads, kept      decode   then collector")
    for label, pause, freeze in (("collector running", False, False), ("collector paused (shipped)", True, False),
                                 ("paused, then gc.freeze()", True, True)):
        runs = [decode_kept(payloads, pause, freeze) for _ in range(repeat)]
        print(f"  {label:32} {min(r[0] for r in runs):7.3f} s  {min(r[1] for r in runs):7.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1500)
    parser.add_argument("--kb", type=float, default=20, help="mean summary size, KB of JSON")
    parser.add_argument("--tree", help="use the real summaries of this source tree instead")
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()

    items = real_summaries(opts.tree) if opts.tree else summaries(opts.files, opts.kb)
    total = sum(len(cache._ENCODER.encode(value)) for value in items.values())
    print(f"{len(items)} summaries, {total / 1e6:.1f} MB of JSON, {total / len(items) / 1e3:.1f} KB each on average;"
          f" {os.cpu_count()} CPUs, SQLite {sqlite3.sqlite_version}\n")
    blob = cache._ENCODER.encode(list(items.values())[: max(1, len(items) * 2 // 3)]).encode()
    with tempfile.TemporaryDirectory(prefix="stackread-cache-bench-") as tmp:
        root = pathlib.Path(tmp)
        shipped(items, blob, root, opts.repeat)
        storages(items, root, opts.repeat)
        lookups(items, root, opts.repeat)
    payloads = [cache._ENCODER.encode(value).encode() for value in items.values()]
    del items  # so that collections below scan only what the decoding made
    collector(payloads, opts.repeat)


if __name__ == "__main__":
    main()
