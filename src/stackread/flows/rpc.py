"""The rpc question: every oslo.messaging send of a project and the endpoint that serves it."""

from __future__ import annotations

import os
from dataclasses import replace

from stackread.diagnostics import Diagnostics
from stackread.flows.callgraph import Progress
from stackread.flows.entrypoints import with_rpc_servers
from stackread.flows.reading import Reading
from stackread.frameworks.messaging import RpcReport, rpc_of_program
from stackread.frameworks.rpc_hints import topics_hint
from stackread.perf import collector_paused


def find_rpc(project: Reading | str | os.PathLike = ".", progress: Progress | None = None) -> RpcReport:
    """The sends and endpoints of the project (a Reading, or the working tree at a path), kept in
    the cache under the tree's key: asked again of the same tree, the report is read back."""
    from stackread.flows.question import cached
    from stackread.flows.treekey import answer_key

    reading = Reading.of(project)
    notes = Diagnostics()  # what the cache itself reports (a rebuilt file): told, never stored
    with reading.open_cache(notes) as cache:
        key = answer_key("rpc", reading.tree) if reading.use_cache else None
        report = cached(cache, key, lambda: _find_rpc(reading, cache, progress))
    return replace(report, diagnostics=notes.items + report.diagnostics) if notes.items else report


def _find_rpc(reading: Reading, cache, progress: Progress | None) -> RpcReport:
    from stackread.flows.callgraph import build_program
    from stackread.index.build import prefetching
    from stackread.source.observed import unobserved

    tree = reading.project.tree
    diagnostics = Diagnostics()
    diagnostics.extend(reading.project.metadata.problems)
    with collector_paused():
        with prefetching(unobserved(tree), cache, progress=progress):  # parsed while the entry points are read
            declared = reading.entrypoints
            program, _indexed = build_program(tree, cache, diagnostics, include_tests=False, progress=progress)
        program.follow_parameters = False  # the sends `trace` matches: the same reading
        report = with_rpc_servers(declared, reading, program)
        services = [ep for ep in report.entrypoints if ep.service is not None]
        report = rpc_of_program(program, services, tree.label, tree.revision)
        hint = None if reading.libraries else topics_hint(program, tree, report.sends, services)
        if hint:
            diagnostics.warning(*hint)
    report.diagnostics = list(diagnostics.items)
    return report
