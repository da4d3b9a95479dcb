"""Every router kind asked in turn: the one place that knows which readers exist.

Each reader takes the project and returns routes (and notes problems in project.diagnostics);
what one finds never depends on another, except paste deploy, which says afterwards which of
the routers found is mounted where.
"""

from __future__ import annotations

from stackread.frameworks.rest import flask, placement, routes_mapper
from stackread.frameworks.rest.route import Route, RouteReport
from stackread.source.trees import report_refused


def routes_of_project(project) -> RouteReport:
    routes = routes_mapper.read_routes(project)
    for reader in (placement.read_routes, flask.read_routes):
        routes += reader(project)
    report_refused(project.tree, project.diagnostics)
    unique: dict[tuple, Route] = {}
    for route in routes:  # Placement maps '' and '/' alike
        unique.setdefault((route.verb, route.path, route.action, route.controller, route.min_version), route)
    return RouteReport(project.tree.label, project.tree.revision,
                       sorted(unique.values(), key=routes_mapper.route_order), list(project.diagnostics.items))
