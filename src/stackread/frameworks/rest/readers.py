"""Every router kind asked in turn: the one place that knows which readers exist.

Each reader takes the project and returns routes (and notes problems in project.diagnostics);
what one finds never depends on another, except paste deploy, which says afterwards which of
the routers found is mounted where.
"""

from __future__ import annotations

from stackread.frameworks.rest import flask, pecan, placement, plugin_resources, routes_mapper
from stackread.frameworks.rest.route import Route, RouteReport
from stackread.source.trees import report_refused

_READERS = (routes_mapper, pecan, placement, flask, plugin_resources)


def routes_of_project(project) -> RouteReport:
    # Each file is read once and tested for each kind (one regex alternation of them all is slower:
    # it loses the literal prefix the engine scans for); each reader parses only what its test found.
    found = routes_mapper.files_matching(project, [reader.may_declare for reader in _READERS])
    routes = [route for reader in _READERS for route in reader.read_routes(project, found[reader.may_declare])]
    report_refused(project.tree, project.diagnostics)
    unique: dict[tuple, Route] = {}
    for route in _superseded(routes):  # Placement maps '' and '/' alike
        unique.setdefault((route.verb, route.path, route.action, route.controller, route.min_version,
                           route.receiver), route)
    return RouteReport(project.tree.label, project.tree.revision,
                       sorted(unique.values(), key=routes_mapper.route_order), list(project.diagnostics.items))


def _superseded(routes: list[Route]) -> list[Route]:
    """A route served through a generic controller (`via`) replaces what the Routes reader saw of
    the same verb and path: that controller's method itself, or no method (a member action it
    serves by name)."""
    via = {(r.verb, r.path): r.via for r in routes if r.via}
    return [r for r in routes if r.via or (r.verb, r.path) not in via or r.controller not in (None, via[(r.verb, r.path)])]
