"""`stackread rpc` as tables and as JSON."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from stackread.errors import UsageError
from stackread.frameworks.messaging import RpcReport, Send


def only_service(report: RpcReport, service: str) -> RpcReport:
    """Sends to one service, named by binary (nova-conductor) or topic (conductor).

    A name the tree has no service or topic for is a UsageError naming the close ones: an empty
    answer with exit 0 would read as "nothing is sent there" when the name was only mistyped.
    """
    known = service_names(report)
    if service not in known:
        raise UsageError(unknown_service(service, known))
    endpoints = [e for e in report.endpoints if service in (e.service, e.topic)]
    topics = {e.topic for e in endpoints} or {service}
    return replace(report, sends=[s for s in report.sends if s.topic in topics or s.service == service],
                   endpoints=endpoints, unsent=[u for u in report.unsent if u[0] in endpoints])


def service_names(report: RpcReport) -> set[str]:
    """The binaries and topics of the tree's endpoints and sends, as `--service` accepts them."""
    names = {n for e in report.endpoints for n in (e.service, e.topic)}
    names |= {n for s in report.sends for n in (s.service, s.topic)}
    return {n for n in names if n}


def unknown_service(service: str, known: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(service, sorted(known), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    listed = ", ".join(sorted(known)) or "none"
    return f"no service or topic named {service!r} in this tree{hint}\n  services and topics: {listed}"


def to_json(report: RpcReport) -> list[dict[str, Any]]:
    """One object per send (docs/json.md); the issue's schema, plus the line and condition."""
    return [{
        "client": s.client, "client_path": s.client_path, "client_line": s.client_line,
        "kind": s.kind, "fanout": s.fanout, "method": s.method, "topic": s.topic, "namespace": s.namespace,
        "version": s.version, "server_route": s.server_route, "host_topic": s.host_topic,
        "condition": s.condition, "service": s.service,
        "endpoint": s.endpoint, "endpoint_path": s.endpoint_path, "endpoint_line": s.endpoint_line,
        "reason": s.reason,
    } for s in report.sends]


def _route(send: Send) -> str:
    """`prepare(server=...)` as the client names it, and the per-host topic a helper addresses."""
    from rich.markup import escape

    parts = [escape(send.server_route)] if send.server_route else []
    if send.host_topic:
        # "→": stacked on one line after the route, it still reads as where the route leads
        # (`host in topic → topic ironic.conductor_manager.<host>`, not `topic topic`).
        parts.append(f"[dim]→ topic[/] {escape(send.host_topic)}")
    return "\n".join(parts) or "[dim]-[/]"


def _short(dotted: str) -> str:
    return ".".join(dotted.split(".")[-2:])


def _where(dotted: str, method: str, path: str, line: int) -> str:
    """`Class` (or `Class.other_name` when the Python method is named differently) over path:line."""
    cls, _, name = dotted.rpartition(".")
    label = cls.rpartition(".")[2] + ("" if name == method else f".{name}")
    return f"{label} [dim]{path}:{line}[/]"


def _unmatched(sends: list[Send]) -> list:
    """One block per send no endpoint serves: what and where, then why on lines of their own (a
    reason is a sentence: a table column would fold it into a narrow strip)."""
    from rich.markup import escape
    from rich.padding import Padding
    from rich.text import Text

    out: list = [Text("\nSent, but no endpoint serves it")]
    for s in sends:
        namespace = f"  [dim]namespace[/] {escape(s.namespace)}" if s.namespace else ""
        out.append(Text.from_markup(f"{escape(s.method)}  [dim]{s.kind}[/]  [dim]topic[/] {escape(s.topic or '?')}"
                                    + namespace))
        out.append(Padding(Text.from_markup(f"[dim]from[/] {escape(_short(s.client))} "
                                            f"[dim]{s.client_path}:{s.client_line}[/]"), (0, 0, 0, 4), expand=False))
        if s.reason:
            out.append(Padding(Text.from_markup(f"[dim]why[/]  {escape(s.reason)}"), (0, 0, 0, 4), expand=False))
    return out


def render(report: RpcReport) -> list:
    from rich.text import Text

    from stackread.render.tables import Fitted

    out: list = [Text.from_markup(
        f"[bold]{report.source}[/]" + (f" [dim]@ {report.revision}[/]" if report.revision else "")
        + f"\n[dim]{len(report.sends)} casts and calls, {len(report.matched)} matched to an endpoint, "
        f"{len(report.unmatched)} not; {len(report.unsent)} endpoint methods no client sends[/]")]
    by_topic: dict[tuple, list[Send]] = {}
    for send in report.matched:
        by_topic.setdefault((send.service, send.topic, send.namespace), []).append(send)
    for (service, topic, namespace), sends in sorted(by_topic.items(), key=lambda kv: tuple(map(str, kv[0]))):
        title = f"\n{service}  [dim]topic[/] {topic}" + (f"  [dim]namespace[/] {namespace}" if namespace else "")
        rows = tuple((s.method, s.kind + (" fanout" if s.fanout else ""), _route(s),
                      _where(s.client, s.method, s.client_path, s.client_line),
                      _where(s.endpoint, s.method, s.endpoint_path, s.endpoint_line))
                     for s in sorted(sends, key=lambda s: (s.method, s.client_line)))
        out.append(Fitted(("method", "", "route", "sent from", "served by"), rows, ((0, 1, 2), (3,), (4,)), title))
    if report.unmatched:
        out += _unmatched(report.unmatched)
    if report.renamed_branches:
        rows = tuple((f"{_short(s.client)}\n[dim]{s.client_path}:{s.client_line}[/]", s.method, s.version or "",
                      s.condition or "[dim]always[/]") for sends in report.renamed_branches for s in sends)
        out.append(Fitted(("client", "method", "version", "when"), rows, ((1, 2), (0,), (3,)),
                          "\nClient methods whose branches send different names"))
    if report.unsent:
        rows = tuple((endpoint.service, f"{_short(endpoint.cls)}.{method}", f"{path}:{line}")
                     for endpoint, method, path, line in report.unsent)
        out.append(Fitted(("service", "endpoint method", "where"), rows, ((1, 0), (2,)),
                          "\nServed, but no client sends it"))
    return out
