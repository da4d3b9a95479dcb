"""Summaries of every module of a tree: from the cache by content, else parsed on all cores."""

from __future__ import annotations

import multiprocessing
import os
import pathlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable, Protocol

from stackread.diagnostics import Diagnostics
from stackread.index.files import content_key, list_sources, module_name
from stackread.index.summary import FORMAT, summarize
from stackread.parsing import ParseProblem, parse_source
from stackread.perf import collector_paused
from stackread.source import DirectoryTree, SourceTree

# Below this many files to parse, starting worker processes costs more than it saves.
_PARALLEL_FROM = 48
_CACHE_BATCH = 200

Progress = Callable[[int, int], None]


class Cache(Protocol):
    def get_many(self, keys): ...
    def put_many(self, items) -> None: ...


@dataclass(frozen=True)
class SourceFile:
    path: str
    module: str
    is_package: bool
    key: str  # content hash: equal contents share one summary


@dataclass
class IndexResult:
    files: list[SourceFile]
    summaries: dict[str, dict]  # path -> summary (parseable files only)
    parsed: int  # files parsed in this run (cache misses)


def index_tree(tree: SourceTree, cache: Cache, diagnostics: Diagnostics, *, include_tests: bool = False,
               progress: Progress | None = None, workers: int | None = None) -> IndexResult:
    with collector_paused():
        return _index_tree(tree, cache, diagnostics, include_tests, progress, workers)


def _index_tree(tree: SourceTree, cache: Cache, diagnostics: Diagnostics, include_tests: bool,
                progress: Progress | None, workers: int | None) -> IndexResult:
    files: list[SourceFile] = []
    for path in list_sources(tree, include_tests):
        data = tree.read_bytes(path)
        if data is None:
            continue
        name, is_package = module_name(path)
        if name:  # a top-level __init__.py: the tree itself is a package, with no name of its own
            # The summary format is part of the key: a changed summarizer never reads old summaries.
            files.append(SourceFile(path, name, is_package, f"summary-v{FORMAT}:{content_key(data)}"))
    cached = {key: summary for key, summary in cache.get_many({f.key for f in files}).items()
              if summary.get("format") == FORMAT}
    missing = [f for f in files if f.key not in cached]
    # Workers read a directory's files themselves; holding every file's bytes here would cost
    # more memory than all the summaries. A git revision has no files to read, so it sends bytes.
    root = str(tree.root) if isinstance(tree, DirectoryTree) else None
    items = [(f.path, root if root is not None else tree.read_bytes(f.path)) for f in missing]
    fresh = _summarize_all(items, progress, workers)
    # In batches: one transaction over every summary would hold all their encodings at once.
    for start in range(0, len(missing), _CACHE_BATCH):
        cache.put_many({f.key: fresh[f.path] for f in missing[start:start + _CACHE_BATCH]})
    summaries: dict[str, dict] = {}
    for f in files:
        summary = cached.get(f.key) or fresh.get(f.path)
        if summary is None:
            continue
        if "problem" in summary:
            line, message = summary["problem"]
            diagnostics.warning(f.path, line, f"{message}; skipped")
        else:
            for line, message in summary.get("warnings", ()):  # what was cut short in a deep file
                diagnostics.warning(f.path, line, message)
            summaries[f.path] = summary
    return IndexResult(files, summaries, len(missing))


def _summarize_all(items: list[tuple[str, bytes]], progress: Progress | None, workers: int | None) -> dict[str, dict]:
    total = len(items)
    results: dict[str, dict] = {}
    workers = workers or os.cpu_count() or 1
    if total < _PARALLEL_FROM or workers < 2:
        for done, item in enumerate(items, 1):
            path, summary = summarize_file(item)
            results[path] = summary
            if progress:
                progress(done, total)
        return results
    # fork shares the already-imported interpreter; elsewhere the default start method works too.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for done, (path, summary) in enumerate(pool.map(summarize_file, items, chunksize=8), 1):
            results[path] = summary
            if progress:
                progress(done, total)
    return results


def summarize_file(item: tuple[str, bytes | str]) -> tuple[str, dict]:
    """(path, summary) for (path, its bytes or the directory it is in); an unparseable file's summary says why."""
    path, source = item
    if isinstance(source, str):
        try:
            data = (pathlib.Path(source) / path).read_bytes()
        except OSError as exc:
            return path, {"format": FORMAT, "problem": [None, f"cannot read: {exc.strerror}"]}
    else:
        data = source
    try:
        tree, text = parse_source(data, path)
    except ParseProblem as problem:
        return path, {"format": FORMAT, "problem": [problem.line, problem.message]}
    return path, summarize(tree, text)
