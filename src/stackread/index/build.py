"""Summaries of every module of a tree: from the cache by content, else parsed on all cores."""

from __future__ import annotations

import contextlib
import os
import pathlib
from dataclasses import dataclass, field
from typing import Callable, Protocol

from stackread.diagnostics import Diagnostics
from stackread.index.cache import encode
from stackread.index.files import list_sources, module_name
from stackread.index.summary import FORMAT, summarize
from stackread.index.workers import pool
from stackread.source.content import key_of
from stackread.source.parsing import ParseProblem, parse_source
from stackread.perf import collector_paused
from stackread.source.trees import DirectoryTree, NotReadable, SourceTree, read_regular, report_refused, shown_path

# Below this many files to parse, starting worker processes costs more than it saves.
_PARALLEL_FROM = 48
_CACHE_BATCH = 200

Progress = Callable[[int, int], None]


class Cache(Protocol):
    def get_many(self, keys): ...
    def put_many(self, items) -> None: ...
    # Optional: `put_encoded(items)` stores summaries already encoded by `index.cache.encode`.


@dataclass(frozen=True)
class SourceFile:
    path: str
    module: str
    is_package: bool
    key: str  # content hash: equal contents share one summary


@dataclass(frozen=True)
class SkippedFile:
    """A module of the tree that is not in the program: it could not be read or did not parse.
    What the program would have learned from it is missing, and a flow through it is cut."""

    path: str
    module: str
    line: int | None  # where the problem is, when it is in the text
    reason: str  # "does not parse: invalid syntax", "not a regular file (a FIFO)"
    unread: bool = False  # it could not be read at all (else: read, but it did not decode or parse)


@dataclass
class IndexResult:
    files: list[SourceFile]
    summaries: dict[str, dict]  # path -> summary (parseable files only)
    parsed: int  # files parsed in this run (cache misses)
    skipped: list[SkippedFile] = field(default_factory=list)


def index_tree(tree: SourceTree, cache: Cache, diagnostics: Diagnostics, *, include_tests: bool = False,
               progress: Progress | None = None, workers: int | None = None) -> IndexResult:
    with collector_paused():
        pending = _prefetched.pop(_prefetch_key(tree, cache, include_tests), None) \
            or PendingIndex(tree, cache, include_tests, progress, workers)
        return pending.result(diagnostics)


@contextlib.contextmanager
def prefetching(tree: SourceTree, cache: Cache, include_tests: bool = False, progress: Progress | None = None):
    """Within the block, the tree is being indexed on the other cores while this process does other
    work (`trace` reads the routes and entry points meanwhile); `index_tree` of the same tree and
    cache takes it over. Left over at the end of the block, its workers are stopped."""
    key = _prefetch_key(tree, cache, include_tests)
    pending = _prefetched[key] = PendingIndex(tree, cache, include_tests, progress, None)
    try:
        yield
    finally:
        if _prefetched.get(key) is pending:
            del _prefetched[key]
            pending.close()


_prefetched: dict[tuple, PendingIndex] = {}


def _prefetch_key(tree: SourceTree, cache: Cache, include_tests: bool) -> tuple:
    return id(cache), type(tree).__name__, str(tree.label), str(getattr(tree, "root", "")), tree.revision, include_tests


class PendingIndex:
    """An index under way: the tree's files listed and the cache read at once, the files it lacks
    handed to worker processes that parse them while the caller goes on; `result` collects them."""

    def __init__(self, tree: SourceTree, cache: Cache, include_tests: bool, progress: Progress | None,
                 workers: int | None):
        self.tree, self.cache, self.progress = tree, cache, progress
        self.files: list[SourceFile] = []
        self.unread: list[tuple[str, str | None, str]] = []  # (path, module, reason): files not read at all
        for path in list_sources(tree, include_tests):
            key = key_of(tree, path)  # kept for the command: the tree's key has asked it already
            name, is_package = module_name(path)
            if key is None:
                # The tree says why (a FIFO, a link out of the tree, no permission); never silently.
                self.unread.append((path, name, getattr(tree, "refused", {}).get(shown_path(path), "cannot read")))
            elif name:  # a top-level __init__.py: the tree itself is a package, with no name of its own
                # The summary format is part of the key: a changed summarizer never reads old summaries.
                self.files.append(SourceFile(path, name, is_package, f"summary-v{FORMAT}:{key}"))
        self.cached = {key: summary for key, summary in cache.get_many({f.key for f in self.files}).items()
                       if summary.get("format") == FORMAT}
        self.missing = [f for f in self.files if f.key not in self.cached]
        # Workers read a directory's files themselves; holding every file's bytes here would cost
        # more memory than all the summaries. A git revision has no files to read, so it sends bytes.
        root = str(tree.root) if isinstance(tree, DirectoryTree) else None
        items = [(f.path, root if root is not None else tree.read_bytes(f.path)) for f in self.missing]
        self._running = _Summarizing(items, workers)

    def close(self) -> None:
        self._running.close()

    def result(self, diagnostics: Diagnostics) -> IndexResult:
        fresh, encoded = self._running.collect(self.progress)
        skipped: list[SkippedFile] = []
        for path, name, reason in self.unread:
            diagnostics.warning(path, None, f"{reason}; skipped")
            if name:
                skipped.append(SkippedFile(path, name, None, reason, unread=True))
        put_encoded = getattr(self.cache, "put_encoded", None)
        # In batches: one transaction over every summary would hold all their encodings at once.
        for start in range(0, len(self.missing), _CACHE_BATCH):
            batch = [f for f in self.missing[start:start + _CACHE_BATCH] if "unread" not in fresh[f.path]]
            if put_encoded is not None:
                put_encoded({f.key: encoded[f.path] for f in batch})
            else:
                self.cache.put_many({f.key: fresh[f.path] for f in batch})
        summaries: dict[str, dict] = {}
        for f in self.files:
            summary = self.cached.get(f.key) or fresh.get(f.path)
            if summary is None:
                continue
            again = f.key in self.cached  # said in full when the file was first summarised
            if "problem" in summary:
                line, message = summary["problem"]
                diagnostics.warning(f.path, line, f"{message}; skipped", again)
                skipped.append(SkippedFile(f.path, f.module, line, message, unread="unread" in summary))
            else:
                for line, message in summary.get("warnings", ()):  # what was cut short in a deep file
                    diagnostics.warning(f.path, line, message, again)
                summaries[f.path] = summary
        report_refused(self.tree, diagnostics)  # what the walk would not list: names that are not UTF-8
        return IndexResult(self.files, summaries, len(self.missing), skipped)


class _Summarizing:
    """The summaries of these (path, bytes or directory) items, made on all cores from the start
    (the work is handed out at once, the workers forked here) or, for a few files, when collected."""

    def __init__(self, items: list[tuple[str, bytes | str]], workers: int | None):
        self.items = items
        workers = workers or os.cpu_count() or 1
        self._pool = self._done = None
        if len(items) >= _PARALLEL_FROM and workers >= 2:
            self._pool = pool(workers)
            # The workers encode too: done here, after them, it was a third of a cold index's time in
            # one process (Nova 34.0.0: 0.6 s of JSON and zlib).
            self._done = self._pool.map(_summarized_and_encoded, items, chunksize=8)

    def collect(self, progress: Progress | None) -> tuple[dict[str, dict], dict[str, bytes]]:
        """(path -> summary, path -> its encoding for the cache)."""
        results: dict[str, dict] = {}
        encoded: dict[str, bytes] = {}
        done_items = self._done if self._pool is not None else map(_summarized_and_encoded, self.items)
        try:
            for done, (path, summary, payload) in enumerate(done_items, 1):
                results[path], encoded[path] = summary, payload
                if progress:
                    progress(done, len(self.items))
        finally:
            self.close()
        return results, encoded

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def _summarized_and_encoded(item: tuple[str, bytes | str]) -> tuple[str, dict, bytes]:
    path, summary = summarize_file(item)
    return path, summary, b"" if "unread" in summary else encode(summary)


def summarize_file(item: tuple[str, bytes | str]) -> tuple[str, dict]:
    """(path, summary) for (path, its bytes or the directory it is in); an unparseable file's summary says why."""
    path, source = item
    if isinstance(source, str):
        try:
            data = read_regular(pathlib.Path(source), path)
        except NotReadable as exc:
            # Not a fact about the content the key was made from: never cached (see _index_tree).
            return path, {"format": FORMAT, "problem": [None, str(exc)], "unread": True}
    else:
        data = source
    try:
        tree, text = parse_source(data, path)
    except ParseProblem as problem:
        return path, {"format": FORMAT, "problem": [problem.line, problem.message]}
    return path, summarize(tree, text)
