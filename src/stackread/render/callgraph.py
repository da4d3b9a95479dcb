"""`stackread callgraph` as JSON (every node and edge) and as a short summary."""

from __future__ import annotations

from typing import IO

from stackread.flows.callgraph import CallGraphResult, payload


def write_json(result: CallGraphResult, out: IO[str]) -> None:
    """{"nodes", "edges", "external", "stats", "diagnostics"} (docs/json.md).

    The cache stores the graph in exactly this shape, so a warm run prints it as stored.
    """
    out.write((result.graph_json or payload(result)).decode())
    out.write("\n")


def summary(result: CallGraphResult) -> str:
    s = result.stats
    sites = s["call_sites"] or 1
    lines = [
        f"[bold]{result.source}[/]" + (f" [dim]@ {result.revision}[/]" if result.revision else ""),
        f"{s['modules']:,} modules, {s['definitions']:,} classes and functions, {s['edges']:,} call edges",
        f"{s['call_sites']:,} call sites: {s['resolved']:,} resolved ({100 * s['resolved'] / sites:.0f}%), "
        f"of which {s['external']:,} into libraries; {s['unresolved']:,} unresolved",
        "[dim]" + ("from the cache" if result.from_cache else f"{s['parsed']:,} files parsed")
        + " · --json for every edge · stackread graph SYMBOL for one neighbourhood[/]",
    ]
    return "\n".join(lines)


def show(result: CallGraphResult, as_json: bool) -> None:
    """Every node and edge as JSON, or the summary for a person."""
    import sys

    from stackread.render.output import stdout

    if as_json:
        write_json(result, sys.stdout)
    else:
        stdout().print(summary(result))
