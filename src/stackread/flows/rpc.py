"""The rpc question: every oslo.messaging send of a project and the endpoint that serves it."""

from __future__ import annotations

import pathlib

from stackread.diagnostics import Diagnostics
from stackread.frameworks.messaging import RpcReport, rpc_of_program
from stackread.perf import collector_paused


def find_rpc(path: str | pathlib.Path = ".", rev: str | None = None, *, cache_dir=None, use_cache: bool = True,
             progress=None) -> RpcReport:
    from stackread.flows.callgraph import build_program, open_cache
    from stackread.flows.entrypoints import entrypoints_of_project, open_project

    project = open_project(path, rev)
    tree = project.tree
    diagnostics = Diagnostics()
    diagnostics.extend(project.metadata.problems)
    services = [ep for ep in entrypoints_of_project(project).entrypoints if ep.service is not None]
    with open_cache(cache_dir, use_cache, diagnostics) as cache, collector_paused():
        program, _indexed = build_program(tree, cache, diagnostics, include_tests=False, progress=progress)
        report = rpc_of_program(program, services, tree.label, tree.revision)
    report.diagnostics = list(diagnostics.items)
    return report
