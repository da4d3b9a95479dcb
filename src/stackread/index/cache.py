"""On-disk cache of per-file summaries and of whole-program results, keyed by content.

One SQLite database per summary format. Summaries are stored as zlib-compressed JSON,
blobs as given, each row with the CRC-32 of what is stored: loading can never execute
anything, and a damaged row is a miss rather than a wrong answer. SQLite gives the rest:
one transaction per put (a crash leaves the previous state), and WAL mode with a busy
timeout, so two stackread processes may read and write the same cache at once. The cache
is only ever an accelerator: whatever goes wrong with it is reported in one line through
`warn` and the run carries on, with a cache rebuilt empty when the file is corrupt, or
with none at all when it cannot be used.

Measured with benchmarks/cache.py, best of 5, over several runs (2-core Xeon VM, Python
3.11.7, SQLite 3.40.1; runs differ by up to 25% on this machine). Real summaries of Nova
34.0.0 with its tests (`--tree`: 1,429 summaries, 53-54 MB of JSON, summary format 3) and
synthetic ones (the default: 1,500 of 20 KB, nested more densely, 30 MB):

                   Nova 34.0.0                            synthetic
    storage        db size  put_many     get_many         db size  put_many     get_many
    JSON           55 MB    0.58-0.68 s  0.47-0.60 s      32 MB    0.53-0.68 s  0.67-0.97 s
    zlib level 1    9 MB    0.73-0.97 s  0.54-0.61 s       9 MB    0.69-0.89 s  0.81-1.07 s
    zlib level 6    7 MB    1.18-1.23 s  0.53-0.59 s       7 MB    1.02-1.34 s  0.77-1.04 s

Summaries are compressed at level 1: the file is 3.5 to 6 times smaller for up to 0.1 s
more per get_many and 0.15-0.3 s more per put_many. Neither is on the fast path (a warm
`stackread callgraph` on Nova takes 0.13 s and reads only the graph blob): summaries are
read when the graph must be resolved again (4 s) and written after parsing (8 s), so
compression costs those runs 2-4%. Level 6 saves little more and pushes put_many past
1 s. Blobs are stored plain, because the graph blob is that fast path.

The 0.2 s goal for a Nova-scale get_many is out of reach with JSON: decoding alone takes
0.35-0.4 s for Nova and 0.7 s for the synthetic set (millions of small lists and strings),
while SQLite's part is under 10 ms (under 30 ms uncompressed) whatever the lookup: IN
lists of 900 keys, one IN list of all keys, a joined temporary table, or one query per
key. The garbage collector is paused while decoding (2.3 s instead of 0.7 s for the
synthetic set); the one collection this defers (0.15-0.4 s) disappears if the caller
runs gc.freeze() once it has loaded what it keeps.
"""

from __future__ import annotations

import json
import pathlib
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from stackread.perf import collector_paused

__all__ = ["FORMAT_VERSION", "SummaryCache", "default_cache_dir"]

FORMAT_VERSION = 1

_T = TypeVar("_T")
_BUSY_TIMEOUT = 10.0  # seconds another process may hold the write lock before we give up
_CHUNK = 900  # keys per query: under 999, the smallest host-parameter limit SQLite has shipped with
_SCHEMA = """
CREATE TABLE IF NOT EXISTS summaries (
    key TEXT PRIMARY KEY, version TEXT NOT NULL, crc INTEGER NOT NULL, payload BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (
    key TEXT PRIMARY KEY, version TEXT NOT NULL, crc INTEGER NOT NULL, payload BLOB NOT NULL);
"""
# check_circular=False: summaries are trees, and the cycle check costs 40% of encoding.
_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)
_ZLIB_LEVEL = 1  # see the figures above


def default_cache_dir() -> pathlib.Path:
    from stackread import cachedir

    return cachedir.default_cache_dir() / "index"


class SummaryCache:
    def __init__(
        self,
        directory: pathlib.Path | None,
        *,
        stackread_version: str,
        warn: Callable[[str], None] = lambda message: None,
    ) -> None:
        self._version = stackread_version
        self._warn = warn
        self._path = None if directory is None else directory / f"summaries-v{FORMAT_VERSION}.sqlite"
        self._db: sqlite3.Connection | None = None
        if self._path is not None:
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                self._db = _connect(self._path)
            except (OSError, sqlite3.Error) as exc:
                self._recover(exc)

    def __enter__(self) -> SummaryCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def get_many(self, keys: Iterable[str]) -> dict[str, dict]:
        """The cached summaries of those keys that have one; a key that has none is absent."""
        wanted = list(dict.fromkeys(keys))
        rows = self._run(lambda db: _select_many(db, wanted, self._version), [])
        found: dict[str, dict] = {}
        damaged = 0
        # Decoding allocates millions of containers: pausing makes a Nova-scale get_many 2-3x faster.
        with collector_paused():
            for key, crc, payload in rows:
                summary = _decode(crc, payload)
                if isinstance(summary, dict):
                    found[key] = summary
                else:
                    damaged += 1
        if damaged:
            entries = "entry" if damaged == 1 else "entries"
            self._warn(f"ignoring {damaged} damaged {entries} in the cache {self._path}")
        return found

    def put_many(self, items: Mapping[str, dict]) -> None:
        if self._db is None:
            return
        rows = [_row(key, self._version, _encode(summary)) for key, summary in items.items()]
        self._run(lambda db: _write(db, "summaries", rows), None)

    def get_blob(self, key: str) -> bytes | None:
        sql = "SELECT crc, payload FROM blobs WHERE key = ? AND version = ?"
        row = self._run(lambda db: db.execute(sql, (key, self._version)).fetchone(), None)
        if row is None:
            return None
        crc, payload = row
        if not _intact(crc, payload):
            self._warn(f"ignoring the damaged entry {key} in the cache {self._path}")
            return None
        return payload

    def put_blob(self, key: str, data: bytes) -> None:
        if self._db is None:
            return
        row = _row(key, self._version, bytes(data))
        self._run(lambda db: _write(db, "blobs", [row]), None)

    def _run(self, operation: Callable[[sqlite3.Connection], _T], fallback: _T) -> _T:
        """operation's result, or fallback when the cache is off or fails (which is reported)."""
        if self._db is None:
            return fallback
        try:
            return operation(self._db)
        except sqlite3.Error as exc:
            self._recover(exc)
            return fallback

    def _recover(self, exc: OSError | sqlite3.Error) -> None:
        """Report exc in one line; rebuild a corrupt cache empty, or else go on without one."""
        self.close()
        assert self._path is not None
        if _is_corruption(exc):
            try:
                _delete(self._path)
                self._db = _connect(self._path)
            except (OSError, sqlite3.Error) as again:
                exc = again
            else:
                self._warn(f"the cache {self._path} was corrupt ({exc}); rebuilt it empty")
                return
        self._warn(f"cannot use the cache {self._path} ({exc}); running without it")


def _connect(path: pathlib.Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are begun explicitly, as IMMEDIATE for writes (below).
    db = sqlite3.connect(path, timeout=_BUSY_TIMEOUT, isolation_level=None)
    try:
        _use_wal(db)
        # In WAL mode NORMAL still commits atomically; a power cut may only drop the latest puts.
        db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(_SCHEMA)
    except BaseException:
        db.close()
        raise
    return db


def _use_wal(db: sqlite3.Connection) -> None:
    # Turning a new, empty file to WAL reads it and then writes its first page. When two
    # processes do that at once, SQLite refuses one of them at once ("database is locked")
    # rather than let both wait on each other's lock, so the waiting is done here.
    deadline = time.monotonic() + _BUSY_TIMEOUT
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if _error_code(exc) != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _select_many(db: sqlite3.Connection, keys: list[str], version: str) -> list[tuple[str, int, Any]]:
    rows: list[tuple[str, int, Any]] = []
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        sql = f"SELECT key, crc, payload FROM summaries WHERE version = ? AND key IN ({','.join('?' * len(chunk))})"
        rows += db.execute(sql, (version, *chunk)).fetchall()
    return rows


def _write(db: sqlite3.Connection, table: str, rows: list[tuple[str, str, int, bytes]]) -> None:
    # IMMEDIATE takes the write lock before anything else (waiting out another writer within
    # the busy timeout), so the batch can never be refused halfway for want of it.
    db.execute("BEGIN IMMEDIATE")
    with db:  # commits, or rolls back on any error so that no part of the batch lands
        db.executemany(f"INSERT OR REPLACE INTO {table} (key, version, crc, payload) VALUES (?, ?, ?, ?)", rows)


def _row(key: str, version: str, payload: bytes) -> tuple[str, str, int, bytes]:
    return key, version, zlib.crc32(payload), payload


def _intact(crc: object, payload: object) -> bool:
    return isinstance(payload, bytes) and zlib.crc32(payload) == crc


def _encode(summary: dict) -> bytes:
    return zlib.compress(_ENCODER.encode(summary).encode(), _ZLIB_LEVEL)


def _decode(crc: object, payload: object) -> object:
    """The stored JSON value, or None when the row is damaged."""
    if not _intact(crc, payload):
        return None
    try:
        return json.loads(zlib.decompress(payload))  # type: ignore[arg-type]  # bytes, checked by _intact
    except (zlib.error, ValueError):  # intact, yet not what this code writes: another build's row
        return None


def _error_code(exc: BaseException) -> int | None:
    """SQLite's primary result code for exc (its extended code without the detail bits)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _is_corruption(exc: BaseException) -> bool:
    return _error_code(exc) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _delete(path: pathlib.Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
