"""The frame of every gallery page and the small helpers pages share. Everything that comes from
the analysed code goes through `e` (html.escape, quotes too): a docstring, a condition or a
path can hold `<script>` and must stay text."""

from __future__ import annotations

from html import escape

from stackread.flows.gallery import Release
from stackread.flows.trace import Trace
from stackread.render.gallery.assets import CSS


def e(text: object) -> str:
    return escape(str(text), quote=True)


def release_title(release: Release) -> str:
    name = release.project or "project"
    return f"{name} {release.version}" if release.version else name


def document(title: str, header: str, body: str, script: str = "") -> str:
    """A whole page: inline style and script, nothing fetched; `header` and `body` are HTML already."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"<header>{header}</header>\n<main>{body}</main>\n"
            "<footer>Written by stackread from the source code, which it reads without running it.</footer>\n"
            + (f"<script>{script}</script>\n" if script else "") + "</body>\n</html>\n")


def route_text(trace_or_route) -> str:
    route = trace_or_route.entry if isinstance(trace_or_route, Trace) else trace_or_route
    text = f"{route.verb} {route.path}"
    return text + (f" {{\"{route.action}\": ...}}" if route.action else "")


def processes(trace: Trace) -> list[str]:
    """The processes the default flow crosses, in the order it reaches them."""
    seen = [trace.root.process]
    for hop in trace.hops:
        if hop.error_path:
            continue
        for process in (hop.source, hop.target):
            if process not in seen:
                seen.append(process)
    return seen


def hop_summary(trace: Trace) -> str:
    hops = [h for h in trace.hops if not h.error_path]
    if not hops:
        return "no RPC hop"
    casts = sum(1 for h in hops if h.kind == "cast")
    calls = len(hops) - casts
    parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((casts, "cast"), (calls, "call")) if n]
    return f"{len(hops)} hop{'s' if len(hops) != 1 else ''}: " + ", ".join(parts)
