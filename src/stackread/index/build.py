"""Summaries of every module of a tree: from the cache by content, else parsed on all cores."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable, Protocol

from stackread.diagnostics import Diagnostics
from stackread.index.files import content_key, list_sources, module_name
from stackread.index.summary import FORMAT, summarize
from stackread.parsing import ParseProblem, parse_source
from stackread.source import SourceTree

# Below this many files to parse, starting worker processes costs more than it saves.
_PARALLEL_FROM = 48

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
    paths = list_sources(tree, include_tests)
    files: list[SourceFile] = []
    contents: dict[str, bytes] = {}
    for path in paths:
        data = tree.read_bytes(path)
        if data is None:
            continue
        name, is_package = module_name(path)
        if not name:
            continue  # a top-level __init__.py: the tree itself is a package
        key = content_key(data)
        files.append(SourceFile(path, name, is_package, key))
        contents[path] = data
    cached = cache.get_many({f.key for f in files})
    missing = [f for f in files if f.key not in cached]
    fresh = _summarize_all([(f.path, contents[f.path]) for f in missing], progress, workers)
    cache.put_many({f.key: fresh[f.path] for f in missing})
    summaries: dict[str, dict] = {}
    for f in files:
        summary = cached.get(f.key) or fresh.get(f.path)
        if summary is None:
            continue
        if "problem" in summary:
            line, message = summary["problem"]
            diagnostics.warning(f.path, line, f"{message}; skipped")
        else:
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


def summarize_file(item: tuple[str, bytes]) -> tuple[str, dict]:
    """(path, summary); a file that does not parse gets a summary that says why."""
    path, data = item
    try:
        tree, text = parse_source(data, path)
    except ParseProblem as problem:
        return path, {"format": FORMAT, "problem": [problem.line, problem.message]}
    return path, summarize(tree, text)
