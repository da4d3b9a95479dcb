"""The summary cache: hits, misses, versions, damage, unusable directories, crashes, concurrency."""

from __future__ import annotations

import multiprocessing
import os
import pathlib
import sqlite3
import threading
import zlib

import pytest

from stackread.flows.reading import Reading
from stackread.index.cache import FORMAT_VERSION, SummaryCache, default_cache_dir, encode

DB_NAME = f"summaries-v{FORMAT_VERSION}.sqlite"
CRASHED = 17  # exit status of a child that died mid-write on purpose


def summary(key: str, writer: str = "main", size: int = 1) -> dict:
    """A small summary of the indexer's shape; `key` and `writer` tell its origin."""
    calls = [[["attr", ["name", "self"], "compute_api"], line] for line in range(size)]
    return {"key": key, "writer": writer, "functions": {"create": calls}, "imports": {"api": "nova.compute.api"}}


def open_cache(directory: pathlib.Path, warnings: list[str] | None = None, version: str = "1.0") -> SummaryCache:
    return SummaryCache(directory, stackread_version=version,
                        warn=(warnings if warnings is not None else []).append)


def fill(directory: pathlib.Path, count: int, size: int = 1) -> dict[str, dict]:
    items = {f"key-{i:04d}": summary(f"key-{i:04d}", size=size) for i in range(count)}
    with open_cache(directory) as cache:
        cache.put_many(items)
    return items


# -- hits and misses -----------------------------------------------------------------


def test_put_summaries_are_hits_for_a_later_cache_and_unknown_keys_are_absent(tmp_path):
    items = fill(tmp_path / "cache", 3)

    with open_cache(tmp_path / "cache") as cache:
        found = cache.get_many([*items, "never-stored"])

    assert found == items
    assert (tmp_path / "cache" / DB_NAME).is_file()


def test_lookups_of_many_keys_from_any_iterable_find_them_all(tmp_path):
    items = fill(tmp_path, 2500)  # more keys than one query may name

    with open_cache(tmp_path) as cache:
        found = cache.get_many(key for key in [*items, *items])

    assert found == items


def test_a_later_put_replaces_the_summary(tmp_path):
    with open_cache(tmp_path) as cache:
        cache.put_many({"k": summary("k", "old")})
        cache.put_many({"k": summary("k", "new")})
        assert cache.get_many(["k"]) == {"k": summary("k", "new")}


def test_a_batch_that_cannot_be_stored_stores_nothing(tmp_path):
    with open_cache(tmp_path) as cache:
        with pytest.raises(TypeError):
            cache.put_many({"good": summary("good"), "bad": {"not json": object()}})
        assert cache.get_many(["good", "bad"]) == {}


def test_summaries_encoded_elsewhere_read_back_as_put(tmp_path):
    # The parsing workers encode what they summarise; the cache stores their bytes as they are.
    items = {"a": summary("a"), "b": summary("b", size=3)}
    with open_cache(tmp_path) as cache:
        cache.put_encoded({key: encode(value) for key, value in items.items()})
    with open_cache(tmp_path) as cache:
        assert cache.get_many(["a", "b"]) == items


def test_blobs_round_trip_byte_for_byte(tmp_path):
    data = bytes(range(256)) * 1000
    with open_cache(tmp_path) as cache:
        cache.put_blob("graph", data)
    with open_cache(tmp_path) as cache:
        assert cache.get_blob("graph") == data
        assert cache.get_blob("other") is None


def test_another_stackread_version_misses_and_then_overwrites(tmp_path):
    with open_cache(tmp_path, version="1.0") as old:
        old.put_many({"k": summary("k", "1.0")})
        old.put_blob("graph", b"1.0")

    with open_cache(tmp_path, version="2.0") as new:
        assert new.get_many(["k"]) == {}
        assert new.get_blob("graph") is None
        new.put_many({"k": summary("k", "2.0")})
        new.put_blob("graph", b"2.0")
        assert new.get_many(["k"]) == {"k": summary("k", "2.0")}
        assert new.get_blob("graph") == b"2.0"

    with open_cache(tmp_path, version="1.0") as old:
        assert old.get_many(["k"]) == {}
        assert old.get_blob("graph") is None


def test_a_disabled_cache_stores_nothing_and_says_nothing():
    warnings: list[str] = []
    with open_cache(None, warnings) as cache:
        cache.put_many({"k": summary("k")})
        cache.put_blob("graph", b"data")
        assert cache.get_many(["k"]) == {}
        assert cache.get_blob("graph") is None
    assert warnings == []


def test_default_directory_is_index_under_the_stackread_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("STACKREAD_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path / "index"


# -- damage ----------------------------------------------------------------------------


def assert_rebuilt(directory: pathlib.Path, items: dict[str, dict]) -> None:
    """One warning naming the file, nothing from before, and a cache that works again."""
    warnings: list[str] = []
    with open_cache(directory, warnings) as cache:
        assert cache.get_many(items) == {}
        cache.put_many(items)
        assert cache.get_many(items) == items
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert "corrupt" in warnings[0] and DB_NAME in warnings[0]

    with open_cache(directory, warnings) as cache:
        assert cache.get_many(items) == items
    assert len(warnings) == 1


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_a_truncated_database_is_reported_once_and_rebuilt(tmp_path, keep):
    items = fill(tmp_path, 100, size=50)
    db = tmp_path / DB_NAME
    os.truncate(db, int(db.stat().st_size * keep))

    assert_rebuilt(tmp_path, items)


def test_a_database_overwritten_with_garbage_is_reported_once_and_rebuilt(tmp_path):
    items = fill(tmp_path, 100, size=50)
    db = tmp_path / DB_NAME
    db.write_bytes(os.urandom(db.stat().st_size))

    assert_rebuilt(tmp_path, items)


def test_a_damaged_index_found_only_when_reading_is_reported_once_and_rebuilt(tmp_path):
    items = fill(tmp_path, 300, size=50)
    db = tmp_path / DB_NAME
    with sqlite3.connect(db) as raw:
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
        root = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_summaries_1'").fetchone()[0]
    raw.close()
    with db.open("r+b") as file:  # the schema on page 1 stays intact, so opening succeeds
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * page_size)

    assert_rebuilt(tmp_path, items)


def damage_stored_bytes(path: pathlib.Path, table: str, key: str) -> None:
    """Flip one bit of a small row's stored payload in the file itself, as failing storage would."""
    with sqlite3.connect(path) as raw:
        stored = raw.execute(f"SELECT payload FROM {table} WHERE key = ?", (key,)).fetchone()[0]
    raw.close()
    content = path.read_bytes()
    assert content.count(stored) == 1
    at = content.index(stored) + len(stored) // 2
    path.write_bytes(content[:at] + bytes([content[at] ^ 0x01]) + content[at + 1:])


def test_one_damaged_summary_is_one_warning_and_a_miss_while_the_rest_still_hit(tmp_path):
    items = fill(tmp_path, 50)
    damage_stored_bytes(tmp_path / DB_NAME, "summaries", "key-0007")

    warnings: list[str] = []
    with open_cache(tmp_path, warnings) as cache:
        found = cache.get_many(items)
        assert len(warnings) == 1 and "1 damaged entry" in warnings[0]
        assert found == {key: value for key, value in items.items() if key != "key-0007"}

        cache.put_many({"key-0007": items["key-0007"]})
        assert cache.get_many(items) == items
    assert len(warnings) == 1


def test_an_intact_row_this_version_cannot_read_is_one_warning_and_a_miss(tmp_path):
    items = fill(tmp_path, 3)
    foreign = b"written by something else"  # with a correct checksum, so only decoding can tell
    with sqlite3.connect(tmp_path / DB_NAME) as raw:
        raw.execute("UPDATE summaries SET payload = ?, crc = ? WHERE key = 'key-0001'", (foreign, zlib.crc32(foreign)))
    raw.close()

    warnings: list[str] = []
    with open_cache(tmp_path, warnings) as cache:
        assert cache.get_many(items) == {key: value for key, value in items.items() if key != "key-0001"}
    assert len(warnings) == 1 and "1 damaged entry" in warnings[0]


def test_a_damaged_blob_is_one_warning_and_a_miss(tmp_path):
    with open_cache(tmp_path) as cache:
        cache.put_blob("graph", b"the resolved call graph")
    damage_stored_bytes(tmp_path / DB_NAME, "blobs", "graph")

    warnings: list[str] = []
    with open_cache(tmp_path, warnings) as cache:
        assert cache.get_blob("graph") is None
        cache.put_blob("graph", b"the resolved call graph")
        assert cache.get_blob("graph") == b"the resolved call graph"
    assert len(warnings) == 1 and "damaged" in warnings[0]


# -- directories that cannot be used ---------------------------------------------------


def assert_disabled_with_one_warning(directory: pathlib.Path) -> None:
    warnings: list[str] = []
    with open_cache(directory, warnings) as cache:
        cache.put_many({"k": summary("k")})
        cache.put_blob("graph", b"data")
        assert cache.get_many(["k"]) == {}
        assert cache.get_blob("graph") is None
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert "running without it" in warnings[0]


def test_a_cache_directory_that_cannot_be_created_disables_the_cache(tmp_path):
    (tmp_path / "file").write_text("")

    assert_disabled_with_one_warning(tmp_path / "file" / "cache")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes to read-only directories")
def test_a_read_only_cache_directory_disables_the_cache(tmp_path):
    directory = tmp_path / "cache"
    directory.mkdir()
    directory.chmod(0o555)
    try:
        assert_disabled_with_one_warning(directory)
    finally:
        directory.chmod(0o755)


# -- other processes -------------------------------------------------------------------


def _crash_in_the_middle_of_a_put(directory: pathlib.Path) -> None:
    cache = open_cache(directory)
    cache.put_many({"before": summary("before")})
    db = cache._db  # the one hook into a write in progress
    assert db is not None
    written_before = db.total_changes

    def die_once_rows_are_written() -> int:
        if db.total_changes >= written_before + 200:
            os._exit(CRASHED)
        return 0

    db.set_progress_handler(die_once_rows_are_written, 100)
    # Random text does not compress: 200 rows of 16 KB overflow SQLite's page cache, so
    # part of the unfinished batch is already in the file when the process dies.
    cache.put_many({f"batch-{i}": {"noise": os.urandom(16_000).hex()} for i in range(300)})


def test_a_process_killed_in_the_middle_of_a_put_leaves_no_part_of_it(tmp_path):
    child = multiprocessing.get_context("fork").Process(target=_crash_in_the_middle_of_a_put, args=(tmp_path,))
    child.start()
    child.join(60)
    assert child.exitcode == CRASHED
    assert (tmp_path / f"{DB_NAME}-wal").stat().st_size > 2_000_000  # the unfinished batch reached the disk

    warnings: list[str] = []
    with open_cache(tmp_path, warnings) as cache:
        assert cache.get_many(["before", "batch-0", "batch-199", "batch-299"]) == {"before": summary("before")}
        cache.put_many({"after": summary("after")})
        assert cache.get_many(["after"]) == {"after": summary("after")}
    assert warnings == []


def test_a_put_does_not_wait_for_a_reader_that_keeps_its_transaction_open(tmp_path):
    fill(tmp_path, 1)
    reader = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sqlite_master").fetchall()  # holds a read snapshot open
    try:
        warnings: list[str] = []
        with open_cache(tmp_path, warnings) as cache:
            cache.put_many({"k": summary("k")})
            assert cache.get_many(["k"]) == {"k": summary("k")}
        assert warnings == []
    finally:
        reader.close()


def test_caches_opened_at_the_same_moment_on_a_new_directory_all_work(tmp_path):
    # Threads contend for SQLite's file locks as processes do, and start far faster,
    # so the moment of creating the file can be raced often enough to go wrong.
    warnings: list[str] = []
    worked: list[bool] = []

    def open_put_get(directory: pathlib.Path, key: str, start: threading.Barrier) -> None:
        start.wait()
        with open_cache(directory, warnings) as cache:
            cache.put_many({key: summary(key)})
            worked.append(cache.get_many([key]) == {key: summary(key)})

    for attempt in range(100):
        start = threading.Barrier(4)
        threads = [threading.Thread(target=open_put_get, args=(tmp_path / str(attempt), str(n), start))
                   for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert warnings == []
    assert worked == [True] * 400


SHARED = [f"shared-{i}" for i in range(40)]


def _write_and_read_concurrently(directory: pathlib.Path, writer: str, start) -> None:
    warnings: list[str] = []
    start.wait()
    with open_cache(directory, warnings) as cache:
        for round_ in range(15):
            mine = {f"{writer}-{round_}-{i}": summary(f"{writer}-{round_}-{i}", writer, size=100) for i in range(5)}
            cache.put_many({**mine, **{key: summary(key, writer, size=100) for key in SHARED}})
            cache.put_blob("graph", writer.encode() * 100_000)
            for key, value in cache.get_many([*SHARED, *mine]).items():
                assert value == summary(key, value["writer"], size=100), key
            assert cache.get_many(mine) == mine, warnings
            assert cache.get_blob("graph") in (b"a" * 100_000, b"b" * 100_000)
    assert warnings == []


def test_two_processes_writing_and_reading_the_same_keys_at_once_corrupt_nothing(tmp_path):
    fork = multiprocessing.get_context("fork")
    start = fork.Barrier(2)
    children = [fork.Process(target=_write_and_read_concurrently, args=(tmp_path, writer, start))
                for writer in ("a", "b")]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
    assert [child.exitcode for child in children] == [0, 0]

    warnings: list[str] = []
    with open_cache(tmp_path, warnings) as cache:
        every_key = [*SHARED, *(f"{w}-{r}-{i}" for w in "ab" for r in range(15) for i in range(5))]
        found = cache.get_many(every_key)
        assert found.keys() == set(every_key)
        for key, value in found.items():
            assert value == summary(key, value["writer"], size=100)
    assert warnings == []
    with sqlite3.connect(tmp_path / DB_NAME) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    raw.close()


# -- a valid database of another layout --------------------------------------------------

FOREIGN_LAYOUTS = {
    "blobs with other columns": "CREATE TABLE blobs (key TEXT PRIMARY KEY, value BLOB)",
    "summaries of the first format": "CREATE TABLE summaries (key TEXT PRIMARY KEY, version TEXT NOT NULL, "
                                     "crc INTEGER NOT NULL, payload BLOB NOT NULL)",
    "blobs without a primary key": "CREATE TABLE blobs (key TEXT, version TEXT NOT NULL, crc INTEGER NOT NULL, "
                                   "used INTEGER NOT NULL, payload BLOB NOT NULL)",
    "blobs a view": "CREATE VIEW blobs AS SELECT 'k' AS key, 'v' AS version, 0 AS crc, 0 AS used, x'00' AS payload",
}


@pytest.mark.parametrize("layout", FOREIGN_LAYOUTS)
def test_a_database_of_another_layout_is_rebuilt_once_with_one_warning(tmp_path, layout):
    with sqlite3.connect(tmp_path / DB_NAME) as raw:
        raw.execute(FOREIGN_LAYOUTS[layout])
    raw.close()

    warnings: list[str] = []
    for _run in range(2):
        with open_cache(tmp_path, warnings) as cache:
            assert cache.get_many(["k"]) in ({}, {"k": summary("k")})
            cache.put_many({"k": summary("k")})
            cache.put_blob("graph", b"data")
            assert cache.get_many(["k"]) == {"k": summary("k")} and cache.get_blob("graph") == b"data"
    with open_cache(tmp_path, warnings) as cache:
        assert cache.get_many(["k"]) == {"k": summary("k")} and cache.get_blob("graph") == b"data"
    assert len(warnings) == 1 and "another layout" in warnings[0] and DB_NAME in warnings[0]


def test_a_missing_table_is_made_again_without_a_word(tmp_path):
    fill(tmp_path, 1)
    with sqlite3.connect(tmp_path / DB_NAME) as raw:
        raw.execute("DROP TABLE blobs")
    raw.close()
    warnings: list[str] = []
    with open_cache(tmp_path, warnings) as cache:
        cache.put_blob("graph", b"data")
    with open_cache(tmp_path, warnings) as cache:
        assert cache.get_blob("graph") == b"data" and cache.get_many(["key-0000"]) == {"key-0000": summary("key-0000")}
    assert warnings == []


def test_a_table_changed_under_a_running_cache_is_rebuilt_with_one_warning(tmp_path):
    warnings: list[str] = []
    with open_cache(tmp_path, warnings) as cache:
        with sqlite3.connect(tmp_path / DB_NAME) as raw:
            raw.execute("DROP TABLE blobs")
            raw.execute("CREATE TABLE blobs (key TEXT PRIMARY KEY, value BLOB)")
        raw.close()
        assert cache.get_blob("graph") is None
        cache.put_blob("graph", b"data")
        assert cache.get_blob("graph") == b"data"
    assert len(warnings) == 1 and "another layout" in warnings[0]


def test_a_command_on_a_database_of_another_layout_caches_again_from_its_second_run(make_tree, tmp_path):
    from stackread.flows.callgraph import load_callgraph

    root = make_tree({"pkg/__init__.py": "", "pkg/mod.py": "def f():\n    return g()\n\ndef g():\n    pass\n"})
    index = tmp_path / "index"
    index.mkdir()
    with sqlite3.connect(index / DB_NAME) as raw:
        raw.execute(FOREIGN_LAYOUTS["blobs with other columns"])
    raw.close()
    first = load_callgraph(Reading(root, cache_dir=tmp_path))
    second = load_callgraph(Reading(root, cache_dir=tmp_path))
    assert not first.from_cache and second.from_cache
    messages = [d.message for d in first.diagnostics + second.diagnostics]
    assert len(messages) == 1 and "another layout" in messages[0]


def test_a_new_format_removes_the_files_of_older_ones(tmp_path):
    older = [tmp_path / f"summaries-v{v}.sqlite{suffix}" for v in range(1, FORMAT_VERSION) for suffix in ("", "-wal")]
    for path in older:
        path.write_bytes(b"old")
    (tmp_path / "unrelated.sqlite").write_bytes(b"mine")
    fill(tmp_path, 1)
    assert [p for p in older if p.exists()] == [] and (tmp_path / "unrelated.sqlite").exists()
