"""The cache is bounded: past its limit the least recently used entries go, and a read is a use."""

from __future__ import annotations

import os
import pathlib
import sqlite3

import pytest

from stackread.source import cachedir
from stackread.index.cache import DB_NAME, SummaryCache

HOUR = 3600


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def open_cache(directory: pathlib.Path, clock: Clock, max_bytes: int | None = 2**30,
               warnings: list[str] | None = None) -> SummaryCache:
    return SummaryCache(directory, stackread_version="1.0", max_bytes=max_bytes, clock=clock,
                        warn=(warnings if warnings is not None else []).append)


def blob(name: str) -> bytes:
    return name.encode() + os.urandom(20_000)  # incompressible, and blobs are stored as given


def present(directory: pathlib.Path, keys: list[str]) -> list[str]:
    """The keys still stored, read without marking them used."""
    with sqlite3.connect(directory / DB_NAME) as raw:
        stored = {key for (key,) in raw.execute("SELECT key FROM blobs UNION SELECT key FROM summaries")}
    raw.close()
    return [key for key in keys if key in stored]


def test_past_the_limit_the_least_recently_used_go_and_what_was_read_stays(tmp_path):
    clock = Clock()
    old = [f"old-{i:02d}" for i in range(30)]
    with open_cache(tmp_path, clock) as cache:
        for key in old:  # written an hour and more apart: old-00 is the least recently written
            cache.put_blob(key, blob(key))
            clock.now += 2 * HOUR
    size = (tmp_path / DB_NAME).stat().st_size  # closed: the log is checkpointed into the file
    with open_cache(tmp_path, clock) as cache:  # a later run reads the five oldest
        for key in old[:5]:
            assert cache.get_blob(key) is not None
    clock.now += 2 * HOUR

    limit = 600_000  # about 25 of the 30 entries of 20 KB and their pages
    assert size > limit
    new = [f"new-{i:02d}" for i in range(10)]
    with open_cache(tmp_path, clock, max_bytes=limit) as cache:
        for key in new:
            cache.put_blob(key, blob(key))
            clock.now += 1
        assert all(cache.get_blob(key) is not None for key in new)
    assert present(tmp_path, old[:5]) == old[:5]  # read since: used recently
    kept = present(tmp_path, old[5:])
    assert 0 < len(kept) < 25 and kept == old[-len(kept):]  # the least recently used went, in order
    assert (tmp_path / DB_NAME).stat().st_size <= limit  # their pages went back to the file system


def test_summaries_and_blobs_share_the_limit(tmp_path):
    clock = Clock()
    summaries = {f"file-{i}": {"noise": os.urandom(3000).hex()} for i in range(40)}
    with open_cache(tmp_path, clock) as cache:
        cache.put_many(summaries)
    clock.now += 2 * HOUR
    with open_cache(tmp_path, clock, max_bytes=300_000) as cache:
        for i in range(10):
            cache.put_blob(f"graph-{i}", blob(f"graph-{i}"))
            clock.now += 1
        assert cache.get_blob("graph-9") is not None
    assert len(present(tmp_path, list(summaries))) < len(summaries)  # the older summaries went first
    assert present(tmp_path, ["graph-9"]) == ["graph-9"]


def used(directory: pathlib.Path, key: str) -> int:
    with sqlite3.connect(directory / DB_NAME) as raw:
        (value,) = raw.execute("SELECT used FROM blobs WHERE key = ?", (key,)).fetchone()
    raw.close()
    return value


def test_a_read_marks_an_entry_used_at_most_once_an_hour_and_writes_nothing_otherwise(tmp_path):
    clock = Clock()
    with open_cache(tmp_path, clock) as cache:
        cache.put_blob("trace:x", b"flow")
    written = used(tmp_path, "trace:x")
    watcher = sqlite3.connect(tmp_path / DB_NAME)
    version = watcher.execute("PRAGMA data_version").fetchone()
    clock.now += HOUR - 1
    with open_cache(tmp_path, clock) as cache:  # a warm answer: read, nothing written
        assert cache.get_blob("trace:x") == b"flow"
    assert watcher.execute("PRAGMA data_version").fetchone() == version
    assert used(tmp_path, "trace:x") == written
    clock.now += 2
    with open_cache(tmp_path, clock) as cache:
        assert cache.get_blob("trace:x") == b"flow"
        assert cache.get_blob("trace:x") == b"flow"
    assert used(tmp_path, "trace:x") == int(clock.now)
    assert watcher.execute("PRAGMA data_version").fetchone() != version
    watcher.close()


@pytest.mark.parametrize("value, limit, problem", [
    ("", 512 * 2**20, None),
    ("64", 64 * 2**20, None),
    ("0.5", 2**19, None),
    ("lots", 512 * 2**20, "STACKREAD_CACHE_MAX_MB='lots' is not a positive number of MiB; using 512"),
    ("-3", 512 * 2**20, "STACKREAD_CACHE_MAX_MB='-3' is not a positive number of MiB; using 512"),
    ("nan", 512 * 2**20, "STACKREAD_CACHE_MAX_MB='nan' is not a positive number of MiB; using 512"),
])
def test_the_limit_comes_from_the_environment(monkeypatch, value, limit, problem):
    monkeypatch.setenv("STACKREAD_CACHE_MAX_MB", value)
    assert cachedir.cache_limit() == (limit, problem)


def test_a_limit_set_in_the_environment_is_kept_and_a_bad_one_told_once(tmp_path, monkeypatch):
    clock = Clock()
    monkeypatch.setenv("STACKREAD_CACHE_MAX_MB", "0.25")
    with open_cache(tmp_path, clock, max_bytes=None) as cache:
        for i in range(30):
            cache.put_blob(f"b-{i}", blob(f"b-{i}"))
            clock.now += 1
    assert (tmp_path / DB_NAME).stat().st_size <= 2**18
    monkeypatch.setenv("STACKREAD_CACHE_MAX_MB", "a lot")
    warnings: list[str] = []
    with open_cache(tmp_path, clock, max_bytes=None, warnings=warnings) as cache:
        cache.put_blob("c", b"c")
    assert warnings == ["STACKREAD_CACHE_MAX_MB='a lot' is not a positive number of MiB; using 512"]
