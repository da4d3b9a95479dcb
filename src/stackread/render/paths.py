"""`stackread graph A --to B`: the chains as text (one hop per line with path:line) or JSON."""

from __future__ import annotations

from stackread.flows.paths import Chains, Hop
from stackread.program.graph import CallGraph, Node


def _where(graph: CallGraph, name: str) -> str:
    node = graph.node(name) if name in graph else None
    return f"{node.path}:{node.line}" if node is not None and node.path else ""


def _hop_text(graph: CallGraph, hop: Hop) -> str:
    sites = f"{hop.path}:{hop.line}"
    if len(hop.lines) > 1:
        sites += f" (+{len(hop.lines) - 1} more)"
    if hop.rpc:
        to = f" to {hop.service}" if hop.service else ""
        return f"  ={hop.rpc}=> {hop.callee}  [{hop.rpc} {hop.method}{to}]  {sites}"
    if hop.event:
        return f"  ~~{hop.event}~~> {hop.callee}  {sites}"
    guess = "" if hop.certain else "  (one of several targets)"
    return f"  -> {hop.callee}  {sites}{guess}"


def render_text(graph: CallGraph, found: Chains) -> str:
    """Each chain as its source, then one line per hop: the callee (its full name, to paste into
    `graph`; short ones repeat across modules, as ComputeTaskAPI does) and where the call or send is."""
    count = len(found.chains)
    events = any(hop.event for chain in found.chains for hop in chain)
    lines = [f"{count} shortest chain{'s' if count != 1 else ''} from {found.source} to {found.target}"
             " (-> call, =cast=> / =call=> RPC" + (", ~~event~~> its callback" if events else "") + "):"]
    for number, chain in enumerate(found.chains, 1):
        rpc = [hop for hop in chain if hop.rpc]
        crossing = f", {len(rpc)} RPC" if rpc else ""
        lines += ["", f"chain {number}: {len(chain)} hop{'s' if len(chain) != 1 else ''}{crossing}",
                  f"  {found.source}  {_where(graph, found.source)}"]
        lines += [_hop_text(graph, hop) for hop in chain]
    return "\n".join(lines)


def no_chain_text(found: Chains) -> str:
    text = f"no call chain from {found.source} to {found.target} (static calls and RPC casts/calls followed)"
    if found.reverse:
        text += f"; {found.target} does reach {found.source}: swap them"
    return text


def _node_json(node: Node | None, name: str) -> dict:
    if node is None:
        return {"name": name, "kind": None, "path": None, "line": None}
    return {"name": node.name, "kind": node.kind, "path": node.path, "line": node.line}


def to_json(graph: CallGraph, found: Chains) -> dict:
    """{"source", "target", "chains": [{"nodes": [...], "hops": [...]}]} (docs/json.md)."""
    def node(name):
        return _node_json(graph.node(name) if name in graph else None, name)

    def hop(h: Hop) -> dict:
        return {"caller": h.caller, "callee": h.callee, "path": h.path, "line": h.line, "lines": list(h.lines),
                "certain": h.certain, "rpc": h.rpc, "method": h.method, "service": h.service,
                **({"event": h.event} if h.event else {})}

    return {"source": node(found.source), "target": node(found.target),
            "chains": [{"nodes": [node(found.source), *(node(h.callee) for h in chain)],
                        "hops": [hop(h) for h in chain]} for chain in found.chains]}
