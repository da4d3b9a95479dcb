"""`stackread routes` as a table, as JSON, and the answer to `--find`."""

from __future__ import annotations

from typing import Any

from stackread.flows.operations import Lookup, Operation
from stackread.flows.question import Showing
from stackread.frameworks.rest.routes_mapper import Route, RouteReport


def route_json(route: Route) -> dict[str, Any]:
    """The issue's schema (docs/json.md), plus where the route is declared."""
    return {"verb": route.verb, "path": route.path, "action": route.action, "controller": route.controller,
            "controller_path": route.controller_path, "controller_line": route.controller_line,
            "min_version": route.min_version, "max_version": route.max_version,
            "declared_path": route.declared_path, "declared_line": route.declared_line,
            "mounts": list(route.mounts) if route.mounts is not None else None, "via": route.via}


def to_json(report: RouteReport) -> list[dict[str, Any]]:
    return [route_json(r) for r in report.routes]


def lookup_json(lookup: Lookup) -> dict[str, Any]:
    def op(o: Operation) -> dict[str, Any]:
        return {"operation": o.name, "routes": [route_json(r) for r in o.routes]}
    if lookup.found:
        return {"query": lookup.query, **op(lookup.found), "also": [op(o) for o in lookup.candidates]}
    names = lookup.names or ("",) * len(lookup.candidates)  # a name that finds each, to ask again with
    return {"query": lookup.query, "error": "ambiguous" if lookup.ambiguous else "unknown",
            "candidates": [{"name": name or None, **op(o)} for name, o in zip(names, lookup.candidates)]}


def _controller(route: Route, base: str) -> str:
    """`Class.method where.py:line`, one cell that wraps between the two when the column is narrow:
    a column of its own for the location would leave no table at 160 columns for Nova."""
    if not route.controller:
        return "[red]no such method on the controller[/]"
    where = route.controller_path.removeprefix(base)
    unmounted = " [yellow](not mounted)[/]" if route.mounts == () else ""
    return ".".join(route.controller.split(".")[-2:]) + f" [dim]{where}:{route.controller_line}[/]{unmounted}"


def _common_dir(routes) -> str:
    """The directory most controllers live in, so the table shows `servers.py:717`."""
    dirs = [r.controller_path.rpartition("/")[0] + "/" for r in routes if r.controller_path]
    return max(set(dirs), key=dirs.count) if dirs else ""


def _versions(route: Route) -> str:
    if not route.min_version and not route.max_version:
        return ""
    return f"{route.min_version or ''}–{route.max_version or ''}"


def _table(routes, title: str | None = None, base: str | None = None):
    from stackread.render.tables import Fitted

    base = _common_dir(routes) if base is None else base
    rows = tuple((r.verb, r.path, r.action or "", _controller(r, base), _versions(r)) for r in routes)
    # Too narrow for the table, a route is `verb path action` over its controller and versions.
    return Fitted(("verb", "path", "action", "controller", "microversions"), rows, ((0, 1, 2), (3,), (4,)), title)


def render(report: RouteReport) -> list:
    from rich.text import Text

    controllers = {r.controller.rsplit(".", 1)[0] for r in report.routes if r.controller}
    actions = sum(1 for r in report.routes if r.action)
    broken = sum(1 for r in report.routes if not r.controller)
    declared = sorted({r.declared_path for r in report.routes})
    where = declared[0] if len(declared) == 1 else f"{len(declared)} files"
    summary = (f"{len(report.routes)} routes ({actions} server-side actions) served by {len(controllers)} "
               f"controllers, declared in {where}" + (f"; {broken} map to no method" if broken else ""))
    unmounted = sum(1 for r in report.routes if r.mounts == ())
    summary += f"; {unmounted} of a router api-paste.ini does not mount" if unmounted else ""
    head = f"[bold]{report.source}[/]" + (f" [dim]@ {report.revision}[/]" if report.revision else "")
    if not report.routes:
        return [Text.from_markup(head + "\n[dim]no REST routes found (routes lists, Routes mappers, "
                                 "API extensions, route tables and Flask-RESTful resources are read; "
                                 "pecan controllers are not yet)[/]")]
    base = _common_dir(report.routes)
    summary += f"\ncontroller files are under {base} unless a directory is shown" if base else ""
    return [Text.from_markup(f"{head}\n[dim]{summary}[/]"), _table(report.routes, base=base)]


def showing(as_json: bool) -> Showing:
    """How `routes` shows a report, for routes_and_text to keep its text: as `show` prints it."""
    from stackread.render.output import console_signature, rendered

    return Showing(repr(("routes", as_json, console_signature())),
                   lambda report: rendered(as_json, lambda: to_json(report), lambda: render(report)))


def render_lookup(lookup: Lookup) -> list:
    from rich.text import Text

    op = lookup.found
    if op is None:
        return [Text.from_markup(candidate_lines(lookup))]
    out = [Text.from_markup(f"[bold]{op.name}[/]  ←  {lookup.query}"), _table(op.routes, base="")]
    for other in lookup.candidates:
        why = ("not mounted by api-paste.ini" if all(r.mounts == () for r in other.routes)
               else "a query API (any verb at one URL)" if any(r.verb == "*" for r in other.routes)
               else f"up to microversion {other.route.max_version}")
        out.append(_table(other.routes, base="", title=f"[dim]also named so, {why}:[/]"))
    return out


def candidate_lines(lookup: Lookup, limit: int = 12) -> str:
    """One line per candidate operation: a name to paste back (quoted if it has a blank), then its
    first route and the method serving it."""
    from rich.markup import escape

    shown = lookup.candidates[:limit]
    names = [_quoted(name) for name in (lookup.names or ("",) * len(shown))[:len(shown)]]
    width = max((len(name) for name in names), default=0)
    lines = []
    for name, op in zip(names, shown):
        r = op.route
        method = ".".join(r.controller.split(".")[-2:]) if r.controller else "?"
        request = f"{r.verb} {r.path}" + (f" {{{r.action!r}: ...}}" if r.action else "")
        lines.append(f"  [bold]{escape(name):<{width}}[/]  {escape(request):<56} {method} "
                     f"[dim]{r.controller_path}:{r.controller_line}[/]")
    if len(lookup.candidates) > limit:
        lines.append(f"  ... and {len(lookup.candidates) - limit} more")
    return "\n".join(lines)


def _quoted(name: str) -> str:
    return f"'{name}'" if " " in name else name


def show_lookup(lookup: Lookup, as_json: bool, diagnostics) -> None:
    """`routes --find NAME`: the operation's routes (or JSON), else why not and the close ones on
    stderr; then the errors in the input (malformed metadata, say), warnings being no answer to it."""
    import json

    from stackread.render.output import report_diagnostics, say, stdout

    if as_json:
        say(json.dumps(lookup_json(lookup), indent=1))
    elif lookup.found:
        for renderable in render_lookup(lookup):
            stdout().print(renderable)
    else:
        print_candidates(lookup)
    if any(d.severity.value == "error" for d in diagnostics):
        report_diagnostics(diagnostics)


def print_candidates(lookup: Lookup, where: str | None = None) -> None:
    """Why a name names no single operation (in the tree `where`, when two are read), and the
    operations it might have meant, on stderr."""
    from stackread.render.output import stderr, tell

    if where is not None:
        tell(f"stackread: in {where}:")
    what = "is ambiguous" if lookup.ambiguous else "is not an operation of this API"
    if not lookup.candidates:
        tell(f"stackread: {lookup.query!r} {what}, and nothing is close (`stackread routes` lists them all)")
        return
    closest = "it matches" if lookup.ambiguous else "closest"
    tell(f"stackread: {lookup.query!r} {what}; {closest}:")
    stderr().print(candidate_lines(lookup), soft_wrap=True)
