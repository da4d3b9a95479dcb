"""On-disk cache of per-file summaries and of whole-program results, keyed by content.

One SQLite database per summary format. Every row holds UTF-8 JSON and its CRC-32, so
loading can never execute anything, and a damaged row is a miss rather than a wrong
answer. SQLite gives the rest: one transaction per put (a crash leaves the previous
state), and WAL mode with a busy timeout, so two stackread processes may read and write
the same cache at once. The cache is only ever an accelerator: whatever goes wrong with
it is reported in one line through `warn` and the run carries on, with a cache rebuilt
empty when the file is corrupt, or with none at all when it cannot be used.

Measured with `python benchmarks/cache.py` (2-core Xeon, Python 3.11, SQLite 3.40;
1,500 synthetic summaries of ~18.5 KB JSON each, 27.7 MB in all):

    storage         db size   put_many   get_many + decode
    JSON            28.4 MB    0.72 s        0.63 s
    zlib level 1     8.2 MB    1.09 s        0.79 s
    zlib level 6     6.6 MB    1.46 s        0.76 s

JSON is stored uncompressed: compression would quarter the file but cost a third more on
every warm run, and pushes put_many past its 1 s budget. Nearly all of the time is
`json.dumps`/`json.loads` of ~5 million small lists and strings; SQLite's part is ~25 ms
either way, and the lookup strategy (IN lists of 900 keys, one IN list of all keys,
a joined temporary table, one query per key) moves it by less than 10 ms.
"""

from __future__ import annotations

import contextlib
import gc
import json
import pathlib
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

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


def default_cache_dir() -> pathlib.Path:
    from stackread import fetch  # lazily: fetch imports urllib, tarfile and more that reading never needs

    return fetch.default_cache_dir() / "index"


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
        with _gc_paused():
            for key, crc, payload in rows:
                summary = _decode(crc, payload)
                if isinstance(summary, dict):
                    found[key] = summary
                else:
                    damaged += 1
        if damaged:
            entries = "entry" if damaged == 1 else "entries"
            self._warn(f"stackread: ignoring {damaged} damaged {entries} in the cache {self._path}")
        return found

    def put_many(self, items: Mapping[str, dict]) -> None:
        if self._db is None:
            return
        rows = [_row(key, self._version, _ENCODER.encode(summary).encode()) for key, summary in items.items()]
        self._run(lambda db: _write(db, "summaries", rows), None)

    def get_blob(self, key: str) -> bytes | None:
        sql = "SELECT crc, payload FROM blobs WHERE key = ? AND version = ?"
        row = self._run(lambda db: db.execute(sql, (key, self._version)).fetchone(), None)
        if row is None:
            return None
        crc, payload = row
        if not _intact(crc, payload):
            self._warn(f"stackread: ignoring the damaged entry {key} in the cache {self._path}")
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
                self._warn(f"stackread: the cache {self._path} was corrupt ({exc}); rebuilt it empty")
                return
        self._warn(f"stackread: cannot use the cache {self._path} ({exc}); running without it")


def _connect(path: pathlib.Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are begun explicitly, as IMMEDIATE for writes (below).
    db = sqlite3.connect(path, timeout=_BUSY_TIMEOUT, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL still commits atomically; a power cut may only drop the latest puts.
        db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(_SCHEMA)
    except BaseException:
        db.close()
        raise
    return db


def _select_many(db: sqlite3.Connection, keys: list[str], version: str) -> list[tuple[str, int, Any]]:
    rows: list[tuple[str, int, Any]] = []
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        sql = f"SELECT key, crc, payload FROM summaries WHERE version = ? AND key IN ({','.join('?' * len(chunk))})"
        rows += db.execute(sql, (version, *chunk)).fetchall()
    return rows


def _write(db: sqlite3.Connection, table: str, rows: list[tuple[str, str, int, bytes]]) -> None:
    # IMMEDIATE takes the write lock up front, waiting out another writer within the busy
    # timeout; a deferred transaction would fail at once if another process wrote first.
    db.execute("BEGIN IMMEDIATE")
    with db:  # commits, or rolls back on any error so that no part of the batch lands
        db.executemany(f"INSERT OR REPLACE INTO {table} (key, version, crc, payload) VALUES (?, ?, ?, ?)", rows)


def _row(key: str, version: str, payload: bytes) -> tuple[str, str, int, bytes]:
    return key, version, zlib.crc32(payload), payload


def _intact(crc: object, payload: object) -> bool:
    return isinstance(payload, bytes) and zlib.crc32(payload) == crc


def _decode(crc: object, payload: object) -> object:
    """The stored JSON value, or None when the row is damaged."""
    if not _intact(crc, payload):
        return None
    try:
        return json.loads(payload)  # type: ignore[arg-type]  # bytes, checked by _intact
    except ValueError:  # also UnicodeDecodeError: the CRC matched, yet what was stored is not JSON
        return None


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    # Decoding allocates millions of containers, and each few hundred allocations start a
    # collection that scans them all again: pausing makes a Nova-scale get_many 4x faster.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _is_corruption(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _delete(path: pathlib.Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
