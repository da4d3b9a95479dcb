"""`stackread entrypoints` as JSON (a stable, documented schema) and as rich tables."""

from __future__ import annotations

from collections import Counter
from typing import Any

from stackread.flows.entrypoints import WSGI_APPLICATION_GROUP, EntryPoint, EntrypointReport

JSON_SCHEMA_VERSION = 1


def to_json(report: EntrypointReport) -> dict[str, Any]:
    """The schema documented in docs/json.md; keys are only ever added, never renamed."""
    return {
        "schema": JSON_SCHEMA_VERSION,
        "project": report.project,
        "version": report.version,
        "revision": report.revision or report.version,
        "source": report.source,
        "entrypoints": [_entry_json(ep) for ep in report.entrypoints],
        "diagnostics": [
            {"severity": d.severity.value, "path": d.path, "line": d.line, "message": d.message}
            for d in report.diagnostics
        ],
    }


def _entry_json(ep: EntryPoint) -> dict[str, Any]:
    service = None
    if ep.service is not None:
        s = ep.service
        service = {
            "binary": s.binary, "manager": s.manager, "manager_path": s.manager_path,
            "manager_line": s.manager_line, "topic": s.topic, "extra_topics": list(s.extra_topics),
            "topic_path": s.topic_path, "topic_line": s.topic_line,
            "created_path": s.created_path, "created_line": s.created_line,
            "endpoints": list(s.endpoints),
        }
    wsgi = None
    if ep.api is not None:
        wsgi = {"apps": list(ep.api.apps), "path": ep.api.created_path, "line": ep.api.created_line}
    return {
        "name": ep.name, "group": ep.group, "kind": ep.kind, "target": ep.target,
        "path": ep.path, "line": ep.line, "external": ep.external,
        "declared_path": ep.declared_path, "declared_line": ep.declared_line,
        "service": service, "wsgi": wsgi,
    }


def _loc(path: str | None, line: int | None) -> str:
    if path is None:
        return ""
    return f"{path}:{line}" if line else path


def _start(ep: EntryPoint) -> str:
    if ep.external:
        return f"{ep.target} (external)"
    if ep.path is None:
        return f"[red]{ep.target} (unresolved)[/red]"
    return _loc(ep.path, ep.line)


def _named(ep: EntryPoint) -> str:
    """The entry's name over where it starts (a WSGI module found in code is its own location)."""
    if ep.group == WSGI_APPLICATION_GROUP:
        return f"{ep.path}:{ep.line} [dim]application[/]"
    return f"{ep.name}\n[dim]{_start(ep)}[/]"


def render(report: EntrypointReport, show_plugins: bool) -> list:
    """Renderables for the terminal, grouped by kind."""
    from rich.columns import Columns
    from rich.text import Text

    out: list = []
    title = f"[bold]{report.project or '(unnamed project)'}[/] {report.version or ''}".rstrip()
    if report.revision and report.revision != report.version:
        title += f" [dim]@ {report.revision}[/]"
    out.append(Text.from_markup(f"{title}  [dim]{report.source}[/]"))
    out.append(Text.from_markup(_summary(report)))

    services = report.of_kind("service")
    if services:
        # The binary is the script's own name almost everywhere; a column only when it is not.
        with_binary = any(ep.service.binary != ep.name for ep in services)
        columns = ("script", *(("binary",) if with_binary else ()), "topic", "manager")
        rows = []
        for ep in services:
            s = ep.service
            topics = "\n".join([s.topic or "?"] + [f"+ {t}" for t in s.extra_topics])
            manager = "?" if s.manager is None else s.manager.rsplit(".", 1)[-1]
            if s.manager_path:
                manager += f"\n[dim]{_loc(s.manager_path, s.manager_line)}[/]"
            if len(s.endpoints) > 1:
                manager += "".join(f"\n+ {e.rsplit('.', 2)[-2]}.{e.rsplit('.', 1)[-1]}" for e in s.endpoints[1:])
            binary = [s.binary or "?"] if with_binary else []
            rows.append((_named(ep), *binary, topics, manager))
        out.append(_table("Services (RPC servers)", columns, rows))

    wsgi = report.of_kind("wsgi")
    if wsgi:
        rows = [(_named(ep), ", ".join(ep.api.apps) if ep.api and ep.api.apps else "[dim]-[/]") for ep in wsgi]
        out.append(_table("WSGI servers and applications", ("name", "serves"), rows))

    tools = report.of_kind("tool")
    if tools:
        out.append(_table("Tools", ("script", "where"), [(ep.name, _start(ep)) for ep in tools]))

    plugins = report.of_kind("plugin")
    if plugins and show_plugins:
        rows = [(ep.group, ep.name, ep.target, _start(ep) if not ep.external else "[dim]external[/]")
                for ep in plugins]
        # Stacked (too narrow for the table), a plugin is its name over its group, target and file.
        out.append(_table(f"Plugins ({len(plugins)})", ("group", "name", "target", "where"), rows,
                          ((1,), (0,), (2,), (3,))))
    elif plugins:
        counts = Counter(ep.group for ep in plugins)
        out.append(Text.from_markup(f"\n[bold]Plugins[/]: {len(plugins)} in {len(counts)} groups "
                                    "[dim](--plugins lists them)[/]"))
        out.append(Columns([f"  {group} [dim]({n})[/]" for group, n in sorted(counts.items())]))
    return out


def _summary(report: EntrypointReport) -> str:
    counts = Counter(ep.kind for ep in report.entrypoints)
    parts = [f"{counts[k]} {label}" for k, label in
             (("service", "services"), ("wsgi", "WSGI"), ("tool", "tools"), ("plugin", "plugins")) if counts[k]]
    return "[dim]" + " · ".join(parts) + "[/]" if parts else "[yellow]no entry points declared[/]"


def _table(title: str, columns: tuple[str, ...], rows, stack=None):
    """A table that keeps names and paths whole (render/tables.py); too narrow for it, each row
    is its first field over the others, one labelled line each, unless `stack` says otherwise."""
    from stackread.render.tables import Fitted

    stack = stack or ((0,), *((i,) for i in range(1, len(columns))))
    return Fitted(tuple(columns), tuple(map(tuple, rows)), stack, f"\n[bold]{title}[/]")


def show(report: EntrypointReport, as_json: bool, show_plugins: bool) -> None:
    """The report as JSON (indented by two, as it always was), or the tables for a person."""
    import json

    from stackread.render.output import say, stdout

    if as_json:
        say(json.dumps(to_json(report), indent=2))
    else:
        for renderable in render(report, show_plugins):
            stdout().print(renderable)
