"""The routes question: every REST route of a project's API, read by the routers of frameworks/rest."""

from __future__ import annotations

import pathlib

from stackread.diagnostics import Diagnostics
from stackread.flows.question import Showing, kept_record, shown_text
from stackread.flows.reading import Reading
from stackread.flows.treekey import kept_key
from stackread.frameworks.rest.route import RouteReport
from stackread.frameworks.rest.routes_mapper import routes_of_project


def find_routes(path: str | pathlib.Path = ".", rev: str | None = None, libraries: tuple[str, ...] = ()) -> RouteReport:
    """Kept by what they read of the tree, in the record `trace` keeps them in: asked again, or
    after a trace of the same tree, they are read back while none of those files changed."""
    return routes_and_text(path, rev, libraries, None)[0]


def routes_and_text(path: str | pathlib.Path, rev: str | None, libraries: tuple[str, ...],
                    showing: Showing | None) -> tuple[RouteReport, str | None]:
    """find_routes' report, and the text `showing` makes of it, kept beside the report's record:
    the routes asked again and shown the same way are printed without drawing them again."""
    reading = Reading(path, rev, libraries=libraries)
    project = reading.project
    with reading.open_cache(Diagnostics()) as cache:
        report, record = kept_record(cache, kept_key("routes", project.tree), project.tree,
                                     lambda: routes_of_project(project))
        return report, shown_text(cache, record, report, showing) if showing is not None else None
