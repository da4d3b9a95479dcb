"""`stackread trace OPERATION --diff OTHER`: text (green +, red -, yellow ~), JSON, and a Mermaid
sequence diagram with added, removed and changed hops colored."""

from __future__ import annotations

from typing import Any

from stackread.flows.flowdiff import FlowDiff, HopChange, StepChange
from stackread.flows.flow import Hop, Step, Trace

HOP_STATUSES = ("added", "removed", "renamed", "changed", "moved", "same")
STEP_STATUSES = ("added", "removed", "moved")
_MARK = {"added": ("+", "green"), "removed": ("-", "red"), "renamed": ("~", "yellow"), "changed": ("~", "yellow"),
         "moved": (" ", "dim"), "same": (" ", "dim")}


def _short(dotted: str) -> str:
    parts = dotted.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 and parts[-2][:1].isupper() else parts[-1]


def _side(trace: Trace) -> str:
    """The tree a side read, as given: its path, and the revision read from it."""
    source = trace.release.source if trace.release is not None else trace.source
    return source + (f" @ {trace.revision}" if trace.revision else "")


def _release_name(trace: Trace) -> str | None:
    """`nova 34.0.0` for a published release (an sdist: its metadata names project and version)."""
    r = trace.release
    return f"{r.project} {r.version}" if r is not None and r.known and not trace.revision else None


def side_name(trace: Trace) -> str:
    """What a side is called: the release it is, else the path (and revision) read."""
    return _release_name(trace) or _side(trace)


def versions(diff: FlowDiff) -> str:
    """`nova 15.1.5 -> 34.0.0` when both trees are known releases (of one project: named once),
    rather than two paths into the cache; else the paths as given."""
    old, new = _release_name(diff.old), _release_name(diff.new)
    if old is None or new is None:
        return f"{_side(diff.old)} -> {_side(diff.new)}"
    a, b = diff.old.release, diff.new.release
    if a.project.lower() == b.project.lower():  # type: ignore[union-attr]
        return f"{old} -> {b.version}"  # type: ignore[union-attr]
    return f"{old} -> {new}"


def title(diff: FlowDiff) -> str:
    return f"{diff.operation}: {versions(diff)}"


# -- JSON ------------------------------------------------------------------------------------------

def _hop_json(h: Hop | None) -> dict[str, Any] | None:
    if h is None:
        return None
    return {"from": h.source, "to": h.target, "method": h.method, "kind": h.kind, "fanout": h.fanout,
            "client": h.client, "client_path": h.client_path, "client_line": h.client_line,
            "endpoint": h.endpoint, "endpoint_path": h.endpoint_path, "endpoint_line": h.endpoint_line,
            "route": h.route, "condition": h.condition, "default_path": h.default_path, "error_path": h.error_path}


def _step_json(s: Step | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"function": s.function, "path": s.path, "line": s.line, "kind": s.kind}


def _side_json(trace: Trace) -> dict[str, Any]:
    e = trace.entry
    r = trace.release
    return {"source": trace.source, "revision": trace.revision, "name": side_name(trace),
            "project": r.project if r else None, "version": r.version if r else None,
            "published": r.published if r else False,
            "entry": {"verb": e.verb, "path": e.path, "action": e.action, "controller": e.controller,
                      "controller_path": e.controller_path, "controller_line": e.controller_line}}


def _field(name: str) -> str:
    return {"source": "from", "target": "to"}.get(name, name)


def to_json(diff: FlowDiff) -> dict[str, Any]:
    return {"operation": diff.operation, "title": title(diff), "versions": versions(diff),
            "old": _side_json(diff.old), "new": _side_json(diff.new),
            "summary": {"hops": {s: diff.count(s) for s in HOP_STATUSES},
                        "steps": {s: sum(1 for c in diff.steps if c.status == s) for s in STEP_STATUSES}},
            "hops": [{"status": c.status, "old": _hop_json(c.old), "new": _hop_json(c.new),
                      "changes": [{"field": _field(f.field), "old": f.old, "new": f.new} for f in c.changes]}
                     for c in diff.hops],
            "steps": [{"status": c.status, "process": c.process, "old": _step_json(c.old), "new": _step_json(c.new)}
                      for c in diff.steps]}


# -- text ------------------------------------------------------------------------------------------

def render(diff: FlowDiff) -> list:
    from rich.markup import escape
    from rich.text import Text

    e = diff.new.entry
    request = f"{e.verb} {e.path}" + (f" {{{e.action!r}: ...}}" if e.action else "")
    lines = [f"[bold]{escape(diff.operation)}[/]  {escape(request)}  {escape(versions(diff))}",
             f"  [red]--- {escape(side_name(diff.old))}[/]", f"  [green]+++ {escape(side_name(diff.new))}[/]"]
    a, b = diff.old.entry, diff.new.entry
    if diff.entry_moved:
        lines.append(f"  entry {escape(_short(b.controller or '?'))}  [dim]{a.controller_path}:{a.controller_line}"
                     f" -> {b.controller_path}:{b.controller_line}[/]")
    counts = ", ".join(f"{diff.count(s)} {s}" for s in HOP_STATUSES[:4] if diff.count(s))
    lines += ["", f"[bold]Hops[/]  [dim]({counts or 'none added, removed or changed'})[/]"]
    for change in diff.hops:
        lines += _hop_lines(change, escape)
    if diff.steps:
        counts = ", ".join(f"{n} {s}" for s in STEP_STATUSES
                           if (n := sum(1 for c in diff.steps if c.status == s)))
        lines += ["", f"[bold]Steps on the path[/]  [dim]({counts})[/]"]
        process = None
        for change in diff.steps:
            if change.process != process:
                process = change.process
                lines.append(f"  [bold cyan]{escape(process)}[/]")
            lines.append(_step_line(change, escape))
    out = [Text.from_markup("\n".join(lines))]
    for note in dict.fromkeys(diff.old.notes + diff.new.notes):
        out.append(Text.from_markup(f"[dim]{escape(note)}[/]"))
    return out


def _arrow(h: Hop) -> str:
    return f"={h.kind}{' fanout' if h.fanout else ''}=>"


def _hop_lines(change: HopChange, escape) -> list[str]:
    mark, color = _MARK[change.status]
    h = change.hop
    flags = ""
    if not h.default_path and not h.error_path:
        flags += "  (not on the default path)"
    if h.error_path:
        flags += "  (error path)"
    cond = f"  [dim]if {escape(' '.join(h.condition.split()))}[/]" if h.condition else ""
    style = "dim" if change.status in ("same", "moved") else color
    head = (f"[{style}]{mark} {h.source} {escape(_arrow(h))} {h.target}  [bold]{escape(h.method)}[/bold]"
            f"{flags}[/]{cond}")
    if change.status == "renamed":
        head = (f"[{style}]{mark} {h.source} {escape(_arrow(h))} {h.target}  "
                f"[bold]{escape(change.old.method)} -> {escape(h.method)}[/bold]{flags}[/]{cond}")  # type: ignore[union-attr]
    if change.status == "moved":
        return [head + "  [dim](code moved)[/]"]
    lines = [head]
    if change.status in ("added", "removed"):
        lines.append(f"[dim]      {escape(_short(h.client))} {h.client_path}:{h.client_line}"
                     f"  ->  {escape(_short(h.endpoint))} {h.endpoint_path}:{h.endpoint_line}[/]")
        return lines
    for f in change.changes:
        if f.field in ("method", "client_path", "client_line", "endpoint_path", "endpoint_line"):
            continue
        old, new = f.old, f.new
        if f.field in ("client", "endpoint"):
            old, new = _short(old), _short(new)
        elif f.field == "condition":
            old, new = (" ".join(v.split()) if v else "(none)" for v in (old, new))
        lines.append(f"[yellow]      {f.field}: {escape(str(old))} -> {escape(str(new))}[/]")
    a, b = change.old, change.new
    for role in ("client", "endpoint"):
        was = f"{getattr(a, role + '_path')}:{getattr(a, role + '_line')}"
        now = f"{getattr(b, role + '_path')}:{getattr(b, role + '_line')}"
        if was != now:
            lines.append(f"[dim]      {role} {escape(_short(getattr(b, role)))} {was} -> {now}[/]")
    return lines


def _step_line(change: StepChange, escape) -> str:
    mark, color = _MARK[change.status] if change.status != "moved" else ("~", "yellow")
    s = change.step
    if change.status == "moved":
        a, b = change.old, change.new
        name = _short(b.function)  # type: ignore[union-attr]
        renamed = f" [dim](was {escape(a.function)})[/]" if a.function != b.function else ""  # type: ignore[union-attr]
        return (f"    [{color}]{mark} {escape(name)}[/]  [dim]{a.path}:{a.line} -> {b.path}:{b.line}[/]"  # type: ignore[union-attr]
                f"{renamed}")
    return f"    [{color}]{mark} {escape(_short(s.function))}[/]  [dim]{s.path}:{s.line}[/]"


# -- Mermaid ---------------------------------------------------------------------------------------

_RECT = {"added": "rgb(200, 240, 200)", "removed": "rgb(250, 205, 205)", "renamed": "rgb(250, 240, 190)",
         "changed": "rgb(250, 240, 190)"}


def _mermaid_text(text: str, limit: int = 80) -> str:
    """Message text Mermaid accepts: one line, no statement separators or entity escapes."""
    text = " ".join(text.split()).replace(";", ",").replace("#", "").replace("%%", "%")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def to_mermaid(diff: FlowDiff) -> str:
    """A sequence diagram of both flows together: unchanged hops plain, added ones in a green
    block, removed ones crossed out (`-x`) in a red block, changed and renamed ones in a yellow
    block with a note saying what changed. Casts are open arrows (`-)`), calls solid (`->>`)."""
    processes: list[str] = []
    for change in diff.hops:
        for name in (change.hop.source, change.hop.target):
            if name not in processes:
                processes.append(name)
    alias = {name: f"P{i}" for i, name in enumerate(processes)}
    lines = ["sequenceDiagram",
             f"    %% {_mermaid_text(title(diff), 400)}"]
    lines += [f"    participant {alias[name]} as {name}" for name in processes]
    if not processes:
        api = "nova-api" if diff.new.entry.controller and diff.new.entry.controller.startswith("nova.") else "api"
        lines += [f"    participant P0 as {api}", "    Note over P0: no hop on either side"]
    for change in diff.hops:
        h = change.hop
        src, dst = alias[h.source], alias[h.target]
        arrow = "-x" if change.status == "removed" else "-)" if h.kind == "cast" else "->>"
        label = h.method if change.status != "renamed" else f"{change.old.method} -> {h.method}"  # type: ignore[union-attr]
        label += " (fanout)" if h.fanout else ""
        label += "" if h.default_path or h.error_path else " (not default)"
        label += " (error path)" if h.error_path else ""
        prefix = {"added": "+ ", "removed": "- ", "renamed": "~ ", "changed": "~ "}.get(change.status, "")
        over = src if src == dst else f"{src},{dst}"
        rect = _RECT.get(change.status)
        if rect:
            lines.append(f"    rect {rect}")
        lines.append(f"    {src}{arrow}{dst}: {_mermaid_text(prefix + label)}")
        if change.status in ("added", "removed"):
            lines.append(f"    Note over {over}: {change.status}")
        elif change.status in ("changed", "renamed"):
            what = [_mermaid_change(f) for f in change.changes if f.field not in
                    ("method", "client_path", "client_line", "endpoint_path", "endpoint_line")]
            if what:
                lines.append(f"    Note over {over}: {_mermaid_text(', '.join(what), 120)}")
        if rect:
            lines.append("    end")
    return "\n".join(lines) + "\n"


def _mermaid_change(f) -> str:
    if f.field in ("kind", "fanout", "source", "target", "default_path", "error_path"):
        return f"{_field(f.field)} {f.old} -> {f.new}"
    if f.field in ("client", "endpoint"):
        return f"{f.field} {_short(f.old)} -> {_short(f.new)}"
    if f.field == "condition":
        return f"if {f.old or '(always)'} -> if {f.new or '(always)'}"
    return f"{f.field} {f.old} -> {f.new}"


def to_sequence(diff: FlowDiff):
    """Both flows as one sequence diagram (`--diff -o FILE.svg`): every hop in the new flow's order,
    removed ones where the old flow had them; added green, removed red, changed amber, each with a
    note saying what changed."""
    from stackread.render.flow import Activate, Deactivate, Lane, Message, Note, Sequence

    lanes: list[str] = []
    items: list = []
    for change in diff.hops:
        h = change.hop
        for name in (h.source, h.target):
            if name not in lanes:
                lanes.append(name)
        status = change.status if change.status in ("added", "removed", "changed", "renamed") else None
        label = h.method if change.status != "renamed" else f"{change.old.method} -> {h.method}"  # type: ignore[union-attr]
        label = {"added": "+ ", "removed": "- ", "renamed": "~ ", "changed": "~ "}.get(change.status, "") + label
        label += " (fanout)" if h.fanout else ""
        items += [Message(h.source, h.target, label, h.kind, h.endpoint, h.endpoint_path, h.endpoint_line, h.fanout,
                          h.route, h.default_path, h.error_path, status), Activate(h.target)]
        what = [_mermaid_change(f) for f in change.changes if f.field not in
                ("method", "client_path", "client_line", "endpoint_path", "endpoint_line")]
        if change.status in ("added", "removed"):
            what = [change.status]
        if what:
            items.append(Note(h.target, ", ".join(what)))
        if h.kind == "call":
            items.append(Message(h.target, h.source, h.method, "return", status=status))
        items.append(Deactivate(h.target))
    if not lanes:
        lanes.append("api")
        items.append(Note("api", "no hop on either side"))
    return Sequence(title(diff), [Lane(name, "process") for name in lanes], items)


def legend() -> list[tuple[str, str]]:
    """What the colours of a diff drawing mean, for its legend."""
    from stackread.render.sequence_svg import STATUS_COLOURS

    return [("added", STATUS_COLOURS["added"]), ("removed", STATUS_COLOURS["removed"]),
            ("changed", STATUS_COLOURS["changed"])]
