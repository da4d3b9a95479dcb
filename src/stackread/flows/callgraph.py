"""`stackread callgraph` / `stackread graph`: the whole program's call graph, cached.

Two cache levels: per-file summaries keyed by content (an edited file is the only one
parsed again), and the resolved graph keyed by every file's content key together (a run
on an unchanged tree loads the answer without parsing or resolving anything).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from stackread.diagnostics import Diagnostic, Diagnostics, Severity, said_before
from stackread.errors import AnalysisError, UsageError
from stackread.index.files import TEST_DIRS
from stackread.perf import collector_paused
from stackread.flows.reading import Progress, Reading, open_cache, stage  # noqa: F401 (open_cache: the API)
from stackread.flows.treekey import program_key
from stackread.program.graph import CallGraph
from stackread.source.trees import SourceTree


@dataclass
class CallGraphResult:
    graph: CallGraph
    stats: dict
    source: str
    revision: str | None
    from_cache: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)
    graph_json: bytes | None = None  # the cached answer as stored, for printing without re-encoding


def load_callgraph(project: Reading | str | os.PathLike = ".", include_tests: bool = False,
                   progress: Progress | None = None) -> CallGraphResult:
    """The project's call graph (a Reading, or the working tree at a path), from the cache when it has it."""
    reading = Reading.of(project)
    tree = reading.tree
    diagnostics = Diagnostics()
    # What the cache itself reports (a rebuilt file) is told once, never stored with the answer.
    cache_notes = Diagnostics()
    with reading.open_cache(cache_notes) as cache:
        key = program_key(tree, include_tests)
        if key is None:
            raise UsageError(f"{tree.label}: no Python files here")
        stored = cache.get_blob(key)
        if stored is not None:
            try:
                data = json.loads(stored)
                diagnostics.items += said_before(_diagnostic(d) for d in data["diagnostics"])
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


def build_program(tree: SourceTree, cache, diagnostics: Diagnostics, include_tests: bool,
                  progress: Progress | None = None):
    """The resolved whole program (summaries from the cache where it has them), and what was indexed."""
    from stackread.index.build import index_tree  # only a cold run parses and resolves
    from stackread.program.facts import ModuleFacts
    from stackread.program.resolve import Program
    from stackread.source.observed import unobserved

    # The whole program is kept by the whole tree's content: nothing it reads is an observation of
    # the answers kept by what they read (source/observed.py), and its memo is its own.
    tree = unobserved(tree)
    indexed = index_tree(tree, cache, diagnostics, include_tests=include_tests, progress=progress)
    stage(progress, "reading the whole program")
    by_path = {f.path: f for f in indexed.files}
    # Handed over, not shared: each ModuleFacts drops the raw parts of its summary it has digested,
    # which frees them only if nothing else holds the summary.
    summaries, indexed.summaries = indexed.summaries, {}
    modules = [ModuleFacts(by_path[p].module, p, by_path[p].is_package, summaries.pop(p)) for p in list(summaries)]
    options = _option_resolver(tree, diagnostics, {m.name.split(".")[0] for m in modules})
    program = Program(modules, options=options,
                      dispatch_excludes=lambda name: bool(TEST_DIRS.intersection(name.split("."))),
                      skipped=[f.module for f in indexed.skipped], diagnostics=diagnostics)
    program.values.plugins = _plugin_lookup(tree)
    from stackread.frameworks.rest.pecan_hooks import REQUEST, request_attributes
    held = request_attributes(program)
    if held:
        program.set_external_attributes(REQUEST, held)
    return program, indexed


def _build(tree: SourceTree, cache, diagnostics: Diagnostics, include_tests: bool,
           progress: Progress | None) -> CallGraphResult:
    program, indexed = build_program(tree, cache, diagnostics, include_tests, progress)
    stage(progress, "resolving every call")
    graph = program.build()
    _add_event_edges(program, graph)
    s = program.stats
    modules = len(program.modules)
    stats = {"modules": modules, "definitions": len(graph) - modules, "edges": sum(1 for _ in graph.edges()),
             "call_sites": s.calls, "resolved": s.resolved, "external": s.external, "unresolved": s.unresolved,
             "skipped_files": len(indexed.files) - modules, "parsed": indexed.parsed}
    return CallGraphResult(graph, stats, tree.label, tree.revision, False, list(diagnostics.items))


def _plugin_lookup(tree: SourceTree):
    """(group, name) -> the targets the project's entry points declare, for stevedore's managers to
    load (program.values); a tree without packaging metadata declares none."""
    from stackread.flows.entrypoints import _installed_metadata_dir
    from stackread.frameworks.packaging import read_metadata

    try:
        declared = read_metadata(tree, _installed_metadata_dir(tree)).entrypoints
    except UsageError:
        return lambda group, name: ()
    table: dict[tuple[str, str], tuple[str, ...]] = {}
    for ep in declared:
        table[(ep.group, ep.name)] = table.get((ep.group, ep.name), ()) + (ep.target.split("[", 1)[0].strip(),)
    return lambda group, name: table.get((group, name), ())


def _add_event_edges(program, graph: CallGraph) -> None:
    """A registry publish runs the callbacks subscribed to its event: an edge to each, marked so."""
    from stackread.frameworks.callbacks import Events
    from stackread.program.graph import Edge

    seen: set[tuple[str, str, int]] = set()  # a callback subscribed twice (a loop over resources) is one edge
    for caller, callee, path, line, event in Events(program).edges():
        if (caller, callee, line) not in seen and caller in graph and callee in graph:
            seen.add((caller, callee, line))
            graph.add_edge(Edge(caller, callee, path, line, True, event))


def _option_resolver(tree: SourceTree, diagnostics: Diagnostics, packages: set[str]):
    """The option index Values reads `CONF.x` / `CONF.group.x` from (an option default, read when asked)."""
    from stackread.frameworks.oslo_config import OptionIndex
    from stackread.program.modules import ModuleIndex

    index = ModuleIndex(tree, diagnostics)
    return OptionIndex(index, sorted(packages))



@dataclass(frozen=True)
class Neighbourhood:
    """`graph SYMBOL`: the definition asked about, and the calls around it up to `depth` calls away."""

    name: str
    graph: CallGraph
    callers: bool
    callees: bool
    depth: int


def neighbourhood(graph: CallGraph, symbol: str, depth: int, callers: bool, callees: bool) -> Neighbourhood:
    """What calls the symbol and what it calls; asking for neither is asking for both."""
    name = one_symbol(graph, symbol)
    if not callers and not callees:
        callers = callees = True
    return Neighbourhood(name, graph.neighbourhood(name, depth, callers=callers, callees=callees), callers, callees,
                         depth)


def one_symbol(graph: CallGraph, symbol: str) -> str:
    """The one definition a dotted name or a unique suffix of one names (`graph SYMBOL`); an
    AnalysisError listing the matches when it is ambiguous, or the close names when nothing matches."""
    import difflib

    found = graph.find(symbol)
    if len(found) == 1:
        return found[0]
    if found:
        listed = "\n  ".join(found[:20]) + ("\n  ..." if len(found) > 20 else "")
        raise AnalysisError(f"{symbol!r} is ambiguous; {len(found)} definitions match:\n  {listed}")
    names = [node.name for node in graph.nodes()]
    short: dict[str, list[str]] = {}
    for name in names:
        short.setdefault(name.rsplit(".", 2)[-1], []).append(name)
        short.setdefault(".".join(name.rsplit(".", 2)[-2:]), []).append(name)
    close = difflib.get_close_matches(symbol, list(short), n=5, cutoff=0.6)
    hint = "".join(f"\n  {short[c][0]}" for c in close)
    raise AnalysisError(f"no definition named {symbol!r}" + (f"; did you mean:{hint}" if hint else ""))
