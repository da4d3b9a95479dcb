"""`stackread graph A --to B`: how A reaches B, as the shortest call chains between them.

The graph walked is the static call graph plus one edge per matched RPC send: the client method
that casts or calls joins the endpoint method oslo.messaging dispatches it to, so a chain crosses
services the way a request does (API -> conductor -> compute). Parallel calls between the same two
definitions are one step: k chains that differ only in the line of a call would be noise.

Plain breadth-first search and Yen's k shortest simple paths (what networkx's
`shortest_simple_paths` gives on an unweighted graph), not networkx: the project takes no new
dependency for forty lines, and the call graph is already plain dictionaries (program/graph.py).
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass

from stackread.errors import UsageError
from stackread.flows.callgraph import one_symbol
from stackread.program.graph import CallGraph


@dataclass(frozen=True)
class Hop:
    """One step of a chain: `caller` calls `callee` at path:line, or sends it over RPC."""

    caller: str
    callee: str
    path: str
    line: int  # the first call site (or the send) in the caller
    lines: tuple[int, ...]  # every call site from caller to callee
    certain: bool  # False: the call has several possible targets and this is one of them
    rpc: str | None = None  # "cast" or "call" for an RPC hop
    method: str | None = None  # the RPC method name sent
    service: str | None = None  # the service that serves it (nova-conductor)
    event: str | None = None  # the callee is a callback of the event the caller publishes: "port after_create"


@dataclass(frozen=True)
class Chains:
    """The shortest chains from `source` to `target`, shortest first; none when B is out of reach."""

    source: str
    target: str
    chains: tuple[tuple[Hop, ...], ...]
    reverse: bool = False  # no chain, but the target reaches the source: the question was asked backwards


def rpc_hops(sends) -> dict[str, list[Hop]]:
    """Client method -> the RPC hops it sends. The conductor's object_* methods (objects
    indirection) are left out as `trace` leaves them out: every remotable object method would
    otherwise be one hop from everything, which is true of no request."""
    hops: dict[str, list[Hop]] = {}
    for send in sends:
        if not send.endpoint or (send.namespace is None and send.method.startswith("object_")):
            continue
        hops.setdefault(send.client, []).append(
            Hop(send.client, send.endpoint, send.client_path, send.client_line, (send.client_line,), True,
                send.kind, send.method, send.service))
    return hops


class _Steps:
    """What each definition leads to in one step, built once per definition on demand."""

    def __init__(self, graph: CallGraph, rpc: dict[str, list[Hop]]):
        self.graph = graph
        self.rpc = rpc
        self._memo: dict[str, tuple[Hop, ...]] = {}

    def __call__(self, name: str) -> tuple[Hop, ...]:
        found = self._memo.get(name)
        if found is None:
            found = self._memo[name] = self._build(name)
        return found

    def _build(self, name: str) -> tuple[Hop, ...]:
        by_callee: dict[str, Hop] = {hop.callee: hop for hop in self.rpc.get(name, [])}  # an RPC hop wins
        calls: dict[str, list] = {}
        for edge in self.graph.calls_from(name):
            if edge.callee != name and edge.callee in self.graph:
                calls.setdefault(edge.callee, []).append(edge)
        for callee, edges in calls.items():
            if callee not in by_callee:
                edges.sort(key=lambda e: e.line)
                by_callee[callee] = Hop(name, callee, edges[0].path, edges[0].line,
                                        tuple(sorted({e.line for e in edges})), any(e.certain for e in edges),
                                        event=next((e.event for e in edges if e.event), None))
        # In the order the caller's source makes them: the first call written is tried first.
        return tuple(sorted(by_callee.values(), key=lambda h: (h.line, h.callee)))


def _shortest(steps: _Steps, source: str, target: str, banned_nodes: frozenset | set = frozenset(),
              banned_hops: frozenset | set = frozenset()) -> tuple[Hop, ...] | None:
    """The shortest chain by breadth-first search, avoiding some definitions and some steps."""
    if source == target:
        return ()
    came: dict[str, Hop | None] = {source: None}
    queue = deque([source])
    while queue:
        current = queue.popleft()
        for hop in steps(current):
            if hop.callee in came or hop.callee in banned_nodes or (hop.caller, hop.callee) in banned_hops:
                continue
            came[hop.callee] = hop
            if hop.callee == target:
                chain = []
                at: Hop | None = hop
                while at is not None:
                    chain.append(at)
                    at = came[at.caller]
                return tuple(reversed(chain))
            queue.append(hop.callee)
    return None


def _nodes(chain: tuple[Hop, ...], source: str) -> tuple[str, ...]:
    return (source, *(hop.callee for hop in chain))


def k_shortest(steps: _Steps, source: str, target: str, k: int) -> list[tuple[Hop, ...]]:
    """Yen's algorithm: the k shortest simple chains, shortest first (ties in the order found)."""
    first = _shortest(steps, source, target)
    if first is None:
        return []
    found = [first]
    candidates: list[tuple[int, int, tuple[Hop, ...]]] = []
    seen = {_nodes(first, source)}
    order = 0
    while len(found) < k:
        last = found[-1]
        nodes = _nodes(last, source)
        for i in range(len(last)):
            root_nodes, root = nodes[: i + 1], last[:i]
            # Steps out of the spur that an accepted chain with this same root already takes.
            banned_hops = {(c[i].caller, c[i].callee) for c in found if _nodes(c, source)[: i + 1] == root_nodes}
            spur = _shortest(steps, nodes[i], target, set(root_nodes[:-1]), banned_hops)
            if spur is None:
                continue
            chain = root + spur
            key = _nodes(chain, source)
            if key not in seen:
                seen.add(key)
                order += 1
                heapq.heappush(candidates, (len(chain), order, chain))
        if not candidates:
            break
        found.append(heapq.heappop(candidates)[2])
    return found


def find_chains(graph: CallGraph, sends, source: str, target: str, max_chains: int = 3) -> Chains:
    """The shortest call chains from one definition to another, across RPC hops.

    `source` and `target` are dotted names or unique suffixes (as `graph SYMBOL`); an unknown or
    ambiguous one raises the AnalysisError that lists the names meant.
    """
    start, goal = one_symbol(graph, source), one_symbol(graph, target)
    if start == goal:
        raise UsageError(f"{source!r} and {target!r} name the same definition ({start})")
    steps = _Steps(graph, rpc_hops(sends))
    chains = k_shortest(steps, start, goal, max_chains)
    reverse = not chains and _shortest(steps, goal, start) is not None
    return Chains(start, goal, tuple(chains), reverse)



@dataclass(frozen=True)
class PathQuestion:
    """`graph SOURCE --to TARGET --max-chains N`."""

    source: str
    target: str
    max_chains: int = 3


def chains_of(reading, graph: CallGraph, question: PathQuestion, progress=None):
    """`graph A --to B` on a loaded call graph, with the RPC sends of the same reading joined in.
    Returns the chains and what reading the sends had to say."""
    from stackread.flows.rpc import find_rpc

    report = find_rpc(reading, progress)
    return find_chains(graph, report.sends, question.source, question.target, question.max_chains), report.diagnostics
