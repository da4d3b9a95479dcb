"""`stackread callgraph` / `stackread graph`: the whole program's call graph, cached.

Two cache levels: per-file summaries keyed by content (an edited file is the only one
parsed again), and the resolved graph keyed by every file's content key together (a run
on an unchanged tree loads the answer without parsing or resolving anything).
"""

from __future__ import annotations

import hashlib
import json
import pathlib
from dataclasses import dataclass, field
from typing import Callable

from stackread import __version__
from stackread.diagnostics import Diagnostic, Diagnostics, Severity
from stackread.errors import UsageError
from stackread.index import cache as summary_cache
from stackread.index.files import TEST_DIRS, content_key, list_sources
from stackread.index.summary import FORMAT
from stackread.perf import collector_paused
from stackread.program.graph import CallGraph
from stackread.source.trees import SourceTree, open_tree

Progress = Callable[[int, int], None]


@dataclass
class CallGraphResult:
    graph: CallGraph
    stats: dict
    source: str
    revision: str | None
    from_cache: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)
    graph_json: bytes | None = None  # the cached answer as stored, for printing without re-encoding


def open_cache(cache_dir: str | pathlib.Path | None, use_cache: bool, diagnostics: Diagnostics):
    directory = None
    if use_cache:
        directory = pathlib.Path(cache_dir) if cache_dir else summary_cache.default_cache_dir()
    return summary_cache.SummaryCache(directory, stackread_version=__version__,
                                      warn=lambda message: diagnostics.warning(None, None, message))


def load_callgraph(path: str | pathlib.Path = ".", rev: str | None = None, *, include_tests: bool = False,
                   cache_dir: str | pathlib.Path | None = None, use_cache: bool = True,
                   progress: Progress | None = None) -> CallGraphResult:
    tree = open_tree(path, rev)
    diagnostics = Diagnostics()
    # What the cache itself reports (a rebuilt file) is told once, never stored with the answer.
    cache_notes = Diagnostics()
    with open_cache(cache_dir, use_cache, cache_notes) as cache:
        key = program_key(tree, include_tests)
        if key is None:
            raise UsageError(f"{tree.label}: no Python files here")
        stored = cache.get_blob(key)
        if stored is not None:
            try:
                data = json.loads(stored)
                diagnostics.items += [_diagnostic(d) for d in data["diagnostics"]]
                return CallGraphResult(CallGraph.from_dict(data), data["stats"], tree.label, tree.revision,
                                       True, cache_notes.items + diagnostics.items, stored)
            except (ValueError, KeyError, TypeError):
                cache_notes.warning(None, None, "cached call graph was unreadable; rebuilding it")
                diagnostics = Diagnostics()
        with collector_paused():
            result = _build(tree, cache, diagnostics, include_tests, progress)
        result.graph_json = payload(result)
        cache.put_blob(key, result.graph_json)
        result.diagnostics = cache_notes.items + result.diagnostics
        return result


def payload(result: CallGraphResult) -> bytes:
    """The graph as `callgraph --json` prints it and as the cache stores it."""
    tail = json.dumps({"stats": result.stats, "diagnostics": [_diagnostic_json(d) for d in result.diagnostics]},
                      separators=(",", ":"))
    return ("{" + "".join(result.graph.to_json_parts()) + "," + tail[1:]).encode()


def _diagnostic_json(d: Diagnostic) -> dict:
    return {"severity": d.severity.value, "path": d.path, "line": d.line, "message": d.message}


def _diagnostic(data: dict) -> Diagnostic:
    return Diagnostic(Severity(data["severity"]), data["path"], data["line"], data["message"])


def program_key(tree: SourceTree, include_tests: bool) -> str | None:
    digest = hashlib.sha1(f"{__version__}:{FORMAT}:{include_tests}".encode())
    paths = list_sources(tree, include_tests)
    if not paths:
        return None
    for path in paths:
        data = tree.read_bytes(path)
        digest.update(f"{path}\0{content_key(data or b'')}\n".encode())
    return "program:" + digest.hexdigest()


def build_program(tree: SourceTree, cache, diagnostics: Diagnostics, include_tests: bool,
                  progress: Progress | None = None):
    """The resolved whole program (summaries from the cache where it has them), and what was indexed."""
    from stackread.index.build import index_tree  # only a cold run parses and resolves
    from stackread.program.facts import ModuleFacts
    from stackread.program.resolve import Program

    indexed = index_tree(tree, cache, diagnostics, include_tests=include_tests, progress=progress)
    by_path = {f.path: f for f in indexed.files}
    # Handed over, not shared: each ModuleFacts drops the raw parts of its summary it has digested,
    # which frees them only if nothing else holds the summary.
    summaries, indexed.summaries = indexed.summaries, {}
    modules = [ModuleFacts(by_path[p].module, p, by_path[p].is_package, summaries.pop(p)) for p in list(summaries)]
    options = _option_resolver(tree, diagnostics, {m.name.split(".")[0] for m in modules})
    program = Program(modules, options=options,
                      dispatch_excludes=lambda name: bool(TEST_DIRS.intersection(name.split("."))),
                      skipped=[f.module for f in indexed.skipped], diagnostics=diagnostics)
    return program, indexed


def _build(tree: SourceTree, cache, diagnostics: Diagnostics, include_tests: bool,
           progress: Progress | None) -> CallGraphResult:
    program, indexed = build_program(tree, cache, diagnostics, include_tests, progress)
    graph = program.build()
    s = program.stats
    modules = len(program.modules)
    stats = {"modules": modules, "definitions": len(graph) - modules, "edges": sum(1 for _ in graph.edges()),
             "call_sites": s.calls, "resolved": s.resolved, "external": s.external, "unresolved": s.unresolved,
             "skipped_files": len(indexed.files) - modules, "parsed": indexed.parsed}
    return CallGraphResult(graph, stats, tree.label, tree.revision, False, list(diagnostics.items))


def _option_resolver(tree: SourceTree, diagnostics: Diagnostics, packages: set[str]):
    """CONF.x / CONF.group.x -> the option's default string, read from the source when asked."""
    from stackread.frameworks.oslo_config import OptionIndex
    from stackread.program.modules import ModuleIndex

    index = ModuleIndex(tree, diagnostics)
    options = OptionIndex(index, sorted(packages))

    def lookup(group: str | None, name: str) -> str | None:
        found = options.lookup(group, name)
        return found.value if found is not None and isinstance(found.value, str) else None

    return lookup

