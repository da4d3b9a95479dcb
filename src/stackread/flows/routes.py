"""The routes question: every REST route of a project's API, read by the routers of frameworks/rest."""

from __future__ import annotations

import pathlib

from stackread.diagnostics import Diagnostics
from stackread.flows.question import kept_by_reads
from stackread.flows.reading import Reading
from stackread.flows.treekey import kept_key
from stackread.frameworks.rest.route import RouteReport
from stackread.frameworks.rest.routes_mapper import routes_of_project


def find_routes(path: str | pathlib.Path = ".", rev: str | None = None, libraries: tuple[str, ...] = ()) -> RouteReport:
    """Kept by what they read of the tree, in the record `trace` keeps them in: asked again, or
    after a trace of the same tree, they are read back while none of those files changed."""
    reading = Reading(path, rev, libraries=libraries)
    project = reading.project
    with reading.open_cache(Diagnostics()) as cache:
        return kept_by_reads(cache, kept_key("routes", project.tree), project.tree, lambda: routes_of_project(project))
