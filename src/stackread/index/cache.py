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

The database is bounded: past `max_bytes` (default 512 MiB, `STACKREAD_CACHE_MAX_MB`), the
least recently used rows go, summaries and blobs alike, until it is back under three quarters
of that. Each row says when it was last used (stored before the payload, so that ordering rows
by it never reads the payloads); a read marks it used again at most once an hour, written in
one batch when the cache is closed, so that a warm answer costs no write at all. A file whose
tables are not the ones this code makes (another program's, or a broken one) is rebuilt empty
with one warning, as a corrupt one is; the files of older formats are removed when a new one
is made.
"""

from __future__ import annotations

import functools
import json
import pathlib
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from stackread.perf import collector_paused

__all__ = ["DB_NAME", "FORMAT_VERSION", "SummaryCache", "default_cache_dir"]

FORMAT_VERSION = 2  # 2: rows carry when they were last used
DB_NAME = f"summaries-v{FORMAT_VERSION}.sqlite"

_T = TypeVar("_T")
_BUSY_TIMEOUT = 10.0  # seconds another process may hold the write lock before we give up
_CHUNK = 900  # keys per query: under 999, the smallest host-parameter limit SQLite has shipped with
_TABLES = ("summaries", "blobs")
_SCHEMA = "".join(f"""
CREATE TABLE IF NOT EXISTS {table} (
    key TEXT PRIMARY KEY, version TEXT NOT NULL, crc INTEGER NOT NULL, used INTEGER NOT NULL, payload BLOB NOT NULL);
""" for table in _TABLES)
_TOUCH_EVERY = 3600  # seconds: a row read again sooner is not marked again (LRU to the hour is plenty)
_EVICT_TO = 0.75  # of max_bytes: evicting a quarter at a time, a full cache is not trimmed on every put
_WAL_LIMIT = 16 * 2**20  # bytes the write-ahead log keeps after a checkpoint (a Nova put_many is ~9 MB)
# check_circular=False: summaries are trees, and the cycle check costs 40% of encoding.
_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)
_ZLIB_LEVEL = 1  # see the figures above


def default_cache_dir() -> pathlib.Path:
    from stackread.source import cachedir

    return cachedir.default_cache_dir() / "index"


class SummaryCache:
    def __init__(
        self,
        directory: pathlib.Path | None,
        *,
        stackread_version: str,
        warn: Callable[[str], None] = lambda message: None,
        max_bytes: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._version = stackread_version
        self._warn = warn
        self._clock = clock
        self._path = None if directory is None else directory / DB_NAME
        self._db: sqlite3.Connection | None = None
        self._touched: dict[str, set[str]] = {table: set() for table in _TABLES}  # read, to mark used
        self._max_bytes = max_bytes
        if self._path is None:
            return
        if max_bytes is None:
            from stackread.source.cachedir import cache_limit

            self._max_bytes, problem = cache_limit()
            if problem:
                warn(problem)
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            new = not self._path.exists()
            self._db = _connect(self._path)
            if new:
                _remove_older_formats(self._path.parent)
        except (OSError, sqlite3.Error) as exc:
            self._recover(exc)

    def __enter__(self) -> SummaryCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Marks what was read as used (one write, if anything is due), and closes the file."""
        if any(self._touched.values()):
            self._run(self._mark_used, None)
        self._disconnect()

    def _disconnect(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def get_many(self, keys: Iterable[str]) -> dict[str, dict]:
        """The cached summaries of those keys that have one; a key that has none is absent."""
        wanted = list(dict.fromkeys(keys))
        rows = self._run(lambda db: _select_many(db, wanted, self._version), [])
        found: dict[str, dict] = {}
        damaged = 0
        self._touch("summaries", [(key, used) for key, _crc, used, _payload in rows])
        # Decoding allocates millions of containers: pausing makes a Nova-scale get_many 2-3x faster.
        with collector_paused():
            for key, crc, _used, payload in rows:
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
        self.put_encoded({key: encode(summary) for key, summary in items.items()})

    def put_encoded(self, items: Mapping[str, bytes]) -> None:
        """put_many for summaries already encoded with `encode` (by the parsing workers, in parallel)."""
        if self._db is None:
            return
        now = self._now()
        rows = [_row(key, self._version, payload, now) for key, payload in items.items()]
        self._run(lambda db: self._put(db, "summaries", rows), None)

    def get_blob(self, key: str) -> bytes | None:
        sql = "SELECT crc, used, payload FROM blobs WHERE key = ? AND version = ?"
        row = self._run(lambda db: db.execute(sql, (key, self._version)).fetchone(), None)
        if row is None:
            return None
        crc, used, payload = row
        self._touch("blobs", [(key, used)])
        if not _intact(crc, payload):
            self._warn(f"ignoring the damaged entry {key} in the cache {self._path}")
            return None
        return payload

    def put_blob(self, key: str, data: bytes) -> None:
        if self._db is None:
            return
        row = _row(key, self._version, bytes(data), self._now())
        self._run(lambda db: self._put(db, "blobs", [row]), None)

    # -- least recently used out ---------------------------------------------------------

    def _now(self) -> int:
        return int(self._clock())

    def _touch(self, table: str, rows: list[tuple[str, object]]) -> None:
        """Remembers the rows read whose mark of use is over an hour old."""
        due = self._now() - _TOUCH_EVERY
        self._touched[table].update(key for key, used in rows if not isinstance(used, int) or used < due)

    def _mark_used(self, db: sqlite3.Connection) -> None:
        now = self._now()
        db.execute("BEGIN IMMEDIATE")
        with db:
            for table, keys in self._touched.items():
                db.executemany(f"UPDATE {table} SET used = ? WHERE key = ?", [(now, key) for key in keys])
        for keys in self._touched.values():
            keys.clear()

    def _put(self, db: sqlite3.Connection, table: str, rows: list[tuple[str, str, int, int, bytes]]) -> None:
        _write(db, table, rows)
        assert self._max_bytes is not None  # set whenever there is a database
        if _bytes_in_use(db) > self._max_bytes:
            self._mark_used(db)  # what this run read counts as used now: it stays
            _evict(db, _bytes_in_use(db) - int(self._max_bytes * _EVICT_TO))

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
        """Report exc in one line; rebuild a corrupt or foreign cache empty, or else go on without one."""
        self._disconnect()
        for keys in self._touched.values():
            keys.clear()
        assert self._path is not None
        was = "was corrupt" if _is_corruption(exc) else "had tables of another layout" if _is_foreign(exc) else None
        if was:
            try:
                _delete(self._path)
                self._db = _connect(self._path)
            except (OSError, sqlite3.Error) as again:
                exc = again
            else:
                self._warn(f"the cache {self._path} {was} ({exc}); rebuilt it empty")
                return
        self._warn(f"cannot use the cache {self._path} ({exc}); running without it")


def contents(path: pathlib.Path) -> dict[str, tuple[int, int]]:
    """{kind: (entries, bytes stored)} of the database at path, read only (never made or repaired):
    "summaries" for the per-file summaries, a blob's key up to its colon for the rest (program,
    trace, routes, entrypoints). Raises sqlite3.Error for a file that cannot be read."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT)
    try:
        problem = layout_problem(db)
        if problem:
            raise ForeignLayout(problem)
        rows = db.execute("SELECT 'summaries', count(*), total(length(payload)) FROM summaries UNION ALL "
                          "SELECT CASE WHEN instr(key, ':') THEN substr(key, 1, instr(key, ':') - 1) ELSE 'other' END,"
                          " count(*), total(length(payload)) FROM blobs GROUP BY 1").fetchall()
    finally:
        db.close()
    return {kind: (count, int(size)) for kind, count, size in rows if count}


class ForeignLayout(sqlite3.DatabaseError):
    """A valid SQLite file whose tables are not the ones this code makes."""


def _connect(path: pathlib.Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are begun explicitly, as IMMEDIATE for writes (below).
    new = not path.exists()
    db = sqlite3.connect(path, timeout=_BUSY_TIMEOUT, isolation_level=None)
    try:
        if new:  # set before the first table and WAL, or never; on an existing file it is a write
            # Evicted rows then give their pages back to the file system (`stackread cache info`).
            db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        _use_wal(db)
        # In WAL mode NORMAL still commits atomically; a power cut may only drop the latest puts.
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(f"PRAGMA journal_size_limit = {_WAL_LIMIT}")
        db.executescript(_SCHEMA)
        problem = layout_problem(db)
        if problem:
            raise ForeignLayout(problem)
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


def layout_problem(db: sqlite3.Connection) -> str | None:
    """What differs between the file's tables and the ones this code makes; None when nothing does."""
    for table in _TABLES:
        kind = db.execute("SELECT type FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        if kind != ("table",):
            return f"{table} is a {kind[0] if kind else 'missing'}, not a table"
        found = [tuple(column[1:]) for column in db.execute(f"PRAGMA table_info({table})")]
        if found != _expected_columns(table):
            names = ", ".join(column[0] for column in found) or "none"
            return f"table {table} has columns {names}"
    return None


@functools.cache
def _expected_columns(table: str) -> list[tuple]:
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(_SCHEMA)
        return [tuple(column[1:]) for column in db.execute(f"PRAGMA table_info({table})")]
    finally:
        db.close()


def _bytes_in_use(db: sqlite3.Connection) -> int:
    """The database's pages that hold something (the file less its free pages): cheap, from the header."""
    pages = db.execute("PRAGMA page_count").fetchone()[0] - db.execute("PRAGMA freelist_count").fetchone()[0]
    return pages * db.execute("PRAGMA page_size").fetchone()[0]


def _evict(db: sqlite3.Connection, excess: int) -> None:
    """Deletes the least recently used rows holding at least `excess` bytes, and frees their pages."""
    # length() of a blob is read from the row's header: neither query loads a payload.
    rows = db.execute(" UNION ALL ".join(f"SELECT '{t}', key, used, length(key) + length(payload) FROM {t}"
                                         for t in _TABLES) + " ORDER BY used").fetchall()
    doomed: dict[str, list[tuple[str]]] = {table: [] for table in _TABLES}
    freed = 0
    for table, key, _used, size in rows:
        if freed >= excess:
            break
        doomed[table].append((key,))
        freed += size
    db.execute("BEGIN IMMEDIATE")
    with db:
        for table, keys in doomed.items():
            db.executemany(f"DELETE FROM {table} WHERE key = ?", keys)
    db.executescript("PRAGMA incremental_vacuum;")  # executescript: execute() would free one page only


def _remove_older_formats(directory: pathlib.Path) -> None:
    """The files of earlier formats: this code never reads them again, and they hold their size."""
    for version in range(1, FORMAT_VERSION):
        _delete(directory / f"summaries-v{version}.sqlite")


def _select_many(db: sqlite3.Connection, keys: list[str], version: str) -> list[tuple[str, int, Any, Any]]:
    rows: list[tuple[str, int, Any, Any]] = []
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        sql = f"SELECT key, crc, used, payload FROM summaries WHERE version = ? AND key IN ({','.join('?' * len(chunk))})"
        rows += db.execute(sql, (version, *chunk)).fetchall()
    return rows


def _write(db: sqlite3.Connection, table: str, rows: list[tuple[str, str, int, int, bytes]]) -> None:
    # IMMEDIATE takes the write lock before anything else (waiting out another writer within
    # the busy timeout), so the batch can never be refused halfway for want of it.
    db.execute("BEGIN IMMEDIATE")
    with db:  # commits, or rolls back on any error so that no part of the batch lands
        db.executemany(f"INSERT OR REPLACE INTO {table} (key, version, crc, used, payload) VALUES (?, ?, ?, ?, ?)",
                       rows)


def _row(key: str, version: str, payload: bytes, used: int) -> tuple[str, str, int, int, bytes]:
    return key, version, zlib.crc32(payload), used, payload


def _intact(crc: object, payload: object) -> bool:
    return isinstance(payload, bytes) and zlib.crc32(payload) == crc


def encode(summary: dict) -> bytes:
    """A summary as the cache stores it (`put_encoded`)."""
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


def _is_foreign(exc: BaseException) -> bool:
    """Tables not as this code makes them: found on opening, or (changed meanwhile) by a query."""
    return isinstance(exc, ForeignLayout) or (
        isinstance(exc, sqlite3.OperationalError) and str(exc).startswith(("no such table", "no such column",
                                                                           "table blobs has no", "table summaries has no")))


def _delete(path: pathlib.Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
