"""`stackread trace` as a tree in process lanes, and as JSON."""

from __future__ import annotations

from typing import Any

from stackread.flows.cuts import Cut, cuts_of
from stackread.flows.detail import group_label
from stackread.flows.flow import Hop, Step, Trace
from stackread.flows.fold import folded_label
from stackread.render.tables import FittedTree, WholeWords


def _short(dotted: str) -> str:
    parts = dotted.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 and parts[-2][:1].isupper() else parts[-1]


def _hop_json(h: Hop) -> dict[str, Any]:
    return {"from": h.source, "to": h.target, "method": h.method, "kind": h.kind, "fanout": h.fanout,
            "client": h.client, "client_path": h.client_path, "client_line": h.client_line,
            "endpoint": h.endpoint, "endpoint_path": h.endpoint_path, "endpoint_line": h.endpoint_line,
            "route": h.route, "condition": h.condition, "default_path": h.default_path, "error_path": h.error_path,
            **({"open": True} if h.open else {}), **({"role": h.role} if h.role else {}), **({"assumed": h.assumed} if h.assumed else {}),
            **({"host_topic": h.host_topic} if h.host_topic else {})}


def _step_json(s: Step, errors: bool) -> dict[str, Any]:
    return {"function": s.function, "path": s.path, "line": s.line, "process": s.process, "kind": s.kind,
            "call_line": s.call_line, "condition": s.condition, "loop": s.loop, "default_path": s.default_path,
            "error_path": s.error_path, "service": s.service, "seen_above": s.seen_above, "cut": s.cut,
            **({"open": True} if s.open else {}), **({"assumed": s.assumed} if s.assumed else {}),
            **({"folded": s.folded} if s.folded else {}),
            **({"event": s.event} if s.event else {}),
            **({"callback": s.callback} if s.callback else {}),
            **({"calls": [_call_json(c) for c in s.calls]} if s.calls else {}),
            "children": [_step_json(c, errors) for c in s.children if errors or not c.error_path]}


def _call_json(s: Step) -> dict[str, Any]:
    """One call a story's service step stands for."""
    return {"function": s.function, "path": s.path, "line": s.line, "call_line": s.call_line,
            "condition": s.condition, "loop": s.loop, "default_path": s.default_path}


def to_json(trace: Trace, errors: bool = False) -> dict[str, Any]:
    e = trace.entry
    return {"operation": trace.operation,
            "entry": {"verb": e.verb, "path": e.path, "action": e.action, "controller": e.controller},
            "source": trace.source, "revision": trace.revision, "settings": trace.settings, "detail": trace.detail,
            "hops": [_hop_json(h) for h in trace.hops if errors or not h.error_path],
            "steps": [_step_json(trace.root, errors)], "cuts": [_cut_json(c) for c in cuts_of(trace.root)],
            "notes": trace.notes}


def _cut_json(c: Cut) -> dict[str, Any]:
    return {"process": c.process, "function": c.function, "path": c.path, "line": c.line, "module": c.module,
            "skipped_path": c.skipped_path, "skipped_line": c.skipped_line, "text": c.text}


def render(trace: Trace, errors: bool = False) -> list:
    from rich.console import Group
    from rich.text import Text

    e = trace.entry
    request = f"{e.verb} {e.path}" + (f" {{{e.action!r}: ...}}" if e.action else "")
    head = Text.from_markup(f"[bold]{trace.operation}[/]  {request}  [dim]{trace.source}"
                            + (f" @ {trace.revision}" if trace.revision else "") + "[/]"
                            + (f"  [dim](detail: {trace.detail})[/]" if trace.detail in ("hops", "story") else ""))
    hops = [h for h in trace.hops if errors or not h.error_path]
    lines = []
    for h in hops:
        kind = h.kind + (" fanout" if h.fanout else "")
        mark = "" if h.default_path else "  [yellow](not on the default path)[/]"
        mark += f"  [yellow]({OPEN})[/]" if h.open else ""
        mark += "  [red](error path)[/]" if h.error_path else ""
        cond = f"  [dim]if {escape(h.condition)}[/]" if h.condition else ""
        cond += f"  [dim cyan](assumed: {escape('; '.join(h.assumed))})[/]" if h.assumed else ""
        route = f"  [dim]server={escape(h.route)}[/]" if h.route else ""
        route += f"  [dim]→ topic[/] {escape(h.host_topic)}" if h.host_topic else ""
        lines.append(f"  {h.source} [bold]={kind}=>[/] {h.target}  {h.method}{route}{mark}{cond}")
    summary = Group(*(WholeWords(line, hang=4) for line in lines)) if lines else Text("")
    below = _expanded_below(trace.root, errors)
    tree = FittedTree((_label(trace.root), _grow(trace.root, errors, below)))
    out = [head, summary, tree]
    out += [Text.from_markup(f"[dim]{note}[/]") for note in trace.notes]
    if any(h.open for h in hops) or _opens(trace.root):
        out.append(Text.from_markup(f"[dim]({OPEN}): on the default path only if a condition holds that neither "
                                    "the options nor the default scenario decide.[/]"))
    return out


def _opens(step: Step) -> bool:
    return step.open or any(_opens(child) for child in step.children)


def escape(text: str) -> str:
    """Source text as rich markup: `host['host']` is not a style."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


# A step or hop the default path reaches only if a condition the scenario cannot decide holds.
OPEN = "open branch"


def _label(s: Step, below: frozenset = frozenset(), opens: bool = False) -> str:
    """`opens`: the branch the step is on opens here (its parent is on none)."""
    where = f"[dim]{s.path}:{s.line}[/]"
    name = _short(s.function)
    if s.kind == "entry":
        return f"[bold cyan]{s.process}[/]  [bold]{name}[/] {where}"
    extra = ""
    if s.condition:
        extra += f"  [dim]if {escape(s.condition)}[/]"
    if s.assumed:
        extra += f"  [dim cyan](assumed: {escape('; '.join(s.assumed))})[/]"
    if s.loop:
        extra += f"  [dim]in loop: {escape(s.loop)}[/]"
    if opens:
        extra += f"  [yellow]({OPEN})[/]"
    if s.callback:
        extra += f"  [magenta]({escape(s.callback)})[/]"
    if not s.default_path and not s.error_path:
        extra += "  [yellow](not on the default path)[/]"
    if s.error_path:
        extra += "  [red](error path)[/]"
    if s.seen_above:
        extra += f"  [dim](expanded {'below' if id(s) in below else 'above'})[/]"
    if s.folded:
        extra += f"  [dim]({escape(folded_label(s))})[/]"
    if s.kind == "hop" and s.hop:
        h = s.hop
        kind = h.kind + (" fanout" if h.fanout else "")
        route = f"  [dim]server={escape(h.route)}[/]" if h.route else ""
        return (f"[bold magenta]=={kind}==> {h.target}[/]  [bold]{h.method}[/]{route}  "
                f"-> {name} {where}{extra}")
    if s.kind == "driver":
        return f"[green]{name}[/] {where}  [green]({escape(_driver_label(s))})[/]{extra}"
    if s.kind == "event" and s.event:
        return f"[cyan]~~{escape(s.event)}~~>[/] {name} {where}{extra}"
    if s.kind == "service" and s.calls:
        return f"[blue]{escape(group_label(s))}[/] {where}{extra}"
    if s.kind == "service":
        return f"[blue]{name}[/] {where}  [blue]({s.service})[/]{extra}"
    if s.kind == "cut":
        return f"[bold red]{escape(s.cut or 'flow cut')}[/]  [dim](the call at line {s.call_line})[/]{extra}"
    return f"{name} {where}{extra}"


def _driver_label(s: Step) -> str:
    """Nova's virt drivers as Nova calls them, other projects' as drivers; an inherited method says
    which implementation runs it (`ShareDriver.setup_server` for the GenericShareDriver)."""
    label = "virt driver" if "/virt/" in s.path else "driver"
    if s.receiver and s.receiver != s.function.rpartition(".")[0]:
        label += f": {s.receiver.rpartition('.')[2]}"
    return label


def _expanded_below(root: Step, errors: bool) -> frozenset:
    """The steps drawn once where their function is expanded elsewhere (the walk expands the default
    path first, breadth first) whose expansion the tree prints further down: Masakari's
    create_notification reaches _create_notification through the host-type helper it names first."""
    printed: set[tuple[str, str]] = set()
    below: set[int] = set()
    todo = [root]
    while todo:  # depth first, in the order the tree prints
        step = todo.pop()
        key = (step.function, step.process)
        if not step.seen_above:
            printed.add(key)
        elif key not in printed:
            below.add(id(step))
        todo += reversed([c for c in step.children if errors or not c.error_path])
    return frozenset(below)


def _grow(step: Step, errors: bool, below: frozenset = frozenset()) -> list[tuple]:
    """The (label, children) pairs under a step; a call's return is a leaf of its own."""
    children: list[tuple] = []
    for child in step.children:
        if child.error_path and not errors:
            continue
        children.append((_label(child, below, child.open and not step.open), _grow(child, errors, below)))
        if child.kind == "hop" and child.hop and child.hop.kind in ("call", "rest"):
            children.append((f"[magenta]<== {child.hop.target} returns to {step.process}[/]", []))
    return children
