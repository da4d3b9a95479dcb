"""`stackread cache info` and `stackread cache clear`: what the cache holds, and emptying it.

The cache directory holds two kinds of things. Computed results (`index/`: per-file summaries,
call graphs, traced flows, routes and entry points) are worked out again whenever missing, so
they are bounded (least recently used out past `STACKREAD_CACHE_MAX_MB`) and `clear` removes
them. Downloads (`releases/` from `stackread get nova==34.0.0`, `repos/` from a git URL) are
directories users point commands at, so they are never evicted and only `clear --all` removes
them.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import sqlite3
from dataclasses import dataclass

from stackread.source import cachedir
from stackread.index import cache as index_cache

# What each kind of stored entry is, in the words the user knows.
KINDS = {"summaries": ("file summary", "file summaries"), "program": ("call graph", "call graphs"),
         "trace": ("traced flow", "traced flows"), "routes": ("route table", "route tables"),
         "entrypoints": ("entry point report", "entry point reports"),
         "served": ("matched RPC report", "matched RPC reports"),
         "rpc": ("rpc report", "rpc reports"),
         "servers": ("entry point report with its servers", "entry point reports with their servers"),
         "seen": ("record of the files an answer read", "records of the files answers read"),
         "shown": ("printed flow", "printed flows"),
         "policies": ("table of policy rules", "tables of policy rules"),
         "fields": ("table of objects' field defaults", "tables of objects' field defaults"),
         "drivers": ("list of the drivers options name", "lists of the drivers options name"),
         "content-keys": ("record of a tree's file keys", "records of trees' file keys"),
         "other": ("other result", "other results")}


@dataclass(frozen=True)
class IndexInfo:
    """The database of computed results."""

    path: str
    bytes: int  # on disk, with its write-ahead log
    entries: dict[str, tuple[int, int]]  # kind -> (count, bytes stored)
    problem: str | None  # why it could not be read, when it could not
    older_files: tuple[str, ...]  # of earlier formats, never read again (removed on the next write)


@dataclass(frozen=True)
class Downloads:
    """releases/ or repos/: one directory per release or repository."""

    path: str
    bytes: int
    names: tuple[str, ...]


@dataclass(frozen=True)
class CacheInfo:
    directory: str
    limit_bytes: int
    limit_from: str  # the variable that set it, or "default"
    limit_problem: str | None
    index: IndexInfo
    releases: Downloads
    repos: Downloads


@dataclass(frozen=True)
class Cleared:
    before: CacheInfo  # what there was, so the user sees what went
    downloads: bool  # releases and repositories went too
    problems: tuple[str, ...]  # files that could not be removed, one line each


def cache_info(directory: pathlib.Path | None = None) -> CacheInfo:
    """What the cache at directory (default: $STACKREAD_CACHE_DIR, XDG, ~/.cache) holds; reads only."""
    root = directory or cachedir.default_cache_dir()
    limit, problem = cachedir.cache_limit()
    explicit = os.environ.get(cachedir.LIMIT_VARIABLE, "").strip() and problem is None
    return CacheInfo(str(root), limit, cachedir.LIMIT_VARIABLE if explicit else "default", problem,
                     _index_info(root / "index"), _downloads(root / "releases"), _downloads(root / "repos"))


def clear_cache(directory: pathlib.Path | None = None, *, downloads: bool = False) -> Cleared:
    """Removes the computed results (every format's database), and with downloads the releases and
    repositories too. Another stackread running meanwhile keeps its open file and works on."""
    before = cache_info(directory)
    root = pathlib.Path(before.directory)
    problems: list[str] = []
    for path in _database_files(root / "index"):
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            problems.append(f"cannot remove {path}: {exc.strerror or exc}")
    if downloads:
        for part in (before.releases, before.repos):
            for name in _entries(pathlib.Path(part.path)):
                _remove(pathlib.Path(part.path) / name, problems)
    return Cleared(before, downloads, tuple(problems))


def _index_info(index: pathlib.Path) -> IndexInfo:
    path = index / index_cache.DB_NAME
    older = tuple(str(p) for p in _database_files(index) if not p.name.startswith(index_cache.DB_NAME))
    size = sum(_size(p) for p in _database_files(index) if p.name.startswith(index_cache.DB_NAME))
    entries: dict[str, tuple[int, int]] = {}
    problem = None
    if path.is_file():
        try:
            entries = index_cache.contents(path)
        except sqlite3.Error as exc:
            problem = f"{exc}; the next command that uses the cache rebuilds it"
    return IndexInfo(str(path), size, entries, problem, older)


def _database_files(index: pathlib.Path) -> list[pathlib.Path]:
    """The databases of every format, with their -wal and -shm files."""
    return sorted(p for p in index.glob("summaries-v*.sqlite*") if p.is_file() or p.is_symlink())


def _downloads(path: pathlib.Path) -> Downloads:
    names = tuple(_entries(path))
    return Downloads(str(path), sum(_tree_size(path / name) for name in names), names)


def _entries(path: pathlib.Path) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def _size(path: pathlib.Path) -> int:
    """Bytes the file takes on disk (what removing it gives back), as `du` counts them."""
    try:
        stat = path.lstat()
    except OSError:
        return 0
    return stat.st_blocks * 512 if hasattr(stat, "st_blocks") else stat.st_size


def _tree_size(path: pathlib.Path) -> int:
    """Bytes of the files under path, links not followed."""
    if not path.is_dir() or path.is_symlink():
        return _size(path)
    total = 0
    for dirpath, _dirnames, filenames in os.walk(path):
        total += sum(_size(pathlib.Path(dirpath) / name) for name in filenames)
    return total


def _remove(path: pathlib.Path, problems: list[str]) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError as exc:
        problems.append(f"cannot remove {exc.filename or path}: {exc.strerror or exc}")
