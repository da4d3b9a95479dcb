"""The routes question: every REST route of a project's API, read by the routers of frameworks/rest."""

from __future__ import annotations

import pathlib

from stackread.flows.entrypoints import open_project
from stackread.frameworks.rest.route import RouteReport
from stackread.frameworks.rest.routes_mapper import routes_of_project


def find_routes(path: str | pathlib.Path = ".", rev: str | None = None, libraries: tuple[str, ...] = ()) -> RouteReport:
    return routes_of_project(open_project(path, rev, libraries))
