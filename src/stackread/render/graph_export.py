"""`graph A --to B` and `--format graphml`: the call chains from one function to another (text, JSON
or GraphML), and GraphML of a neighbourhood or a whole call graph, to -o FILE or stdout."""

from __future__ import annotations

import json
import pathlib
import sys
from dataclasses import dataclass

from stackread.errors import UsageError
from stackread.render.output import index_progress


@dataclass(frozen=True)
class Export:
    """How `graph --to` / `--format graphml` answers: JSON, GraphML (to -o FILE or stdout), or text."""

    as_json: bool
    fmt: str | None
    output: str | None


def export_graph(reading, result, question, out: Export, around) -> tuple[list, bool]:
    """`graph` answered as chains (--to) or as GraphML: what the drawings and the tree do not do.
    Returns what reading the tree reported, each problem once, and whether a chain was found."""
    from stackread.render.graphml import callgraph_graphml, chains_graphml
    from stackread.render.output import say, tell

    if question is None:
        found = around()
        write_graphml(callgraph_graphml(found.graph, found.name), out.fmt, out.output)
        return list(result.diagnostics), True
    from stackread.flows.paths import chains_of
    from stackread.render import paths as view

    with index_progress() as progress:
        chains, diagnostics = chains_of(reading, result.graph, question, progress)
    if out.fmt or out.output:
        write_graphml(chains_graphml(result.graph, chains), out.fmt, out.output)
    elif out.as_json:
        say(json.dumps(view.to_json(result.graph, chains), indent=1))
    elif chains.chains:
        say(view.render_text(result.graph, chains))
    if not chains.chains and not out.as_json:
        tell(f"stackread: {view.no_chain_text(chains)}")
    # Both read the same files: each problem once.
    return list(dict.fromkeys(result.diagnostics + diagnostics)), bool(chains.chains)


def write_graphml(data: bytes, fmt: str | None, output: str | None) -> None:
    """GraphML to -o FILE (any name: the format is asked for), or to stdout."""
    from stackread.render.output import tell

    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    if not fmt and not output.lower().endswith(".graphml"):
        raise UsageError(f"-o {output}: only GraphML is written to a file here; name it FILE.graphml or add --format graphml")
    from stackread.render.graph import write_bytes

    write_bytes(pathlib.Path(output), data)
    tell(f"wrote {output} ({data.count(b'<node ')} nodes, {data.count(b'<edge ')} edges)")
