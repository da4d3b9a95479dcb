"""The call graph: functions, classes and modules as nodes, calls as edges.

Plain dictionaries rather than a graph library: the queries are breadth-first walks,
and a warm `stackread graph` must load and answer in well under half a second
(importing networkx alone costs ~0.17 s). Nothing outside this module sees the storage.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import asdict, dataclass
from typing import Iterable, Iterator

NODE_KINDS = ("module", "class", "function", "method")


@dataclass(frozen=True, slots=True)
class Node:
    name: str  # dotted name of the definition: nova.compute.api.API.create
    kind: str  # one of NODE_KINDS
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Edge:
    caller: str
    callee: str
    path: str  # where the call is written
    line: int
    # False when the call has several possible targets (an overridden method, a driver
    # interface) and this edge is one of them: all are kept, so a reader can choose.
    certain: bool = True
    # The call publishes an event that runs the callee, a callback subscribed to it (Neutron's
    # callbacks registry, frameworks/callbacks.py): "port after_create". None for a plain call.
    event: str | None = None


@dataclass(frozen=True, slots=True)
class ExternalCall:
    caller: str
    callee: str  # dotted name outside the analysed tree, e.g. oslo_messaging.RPCClient
    path: str
    line: int


class CallGraph:
    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._out: dict[str, list[Edge]] = {}
        self._in: dict[str, list[Edge]] = {}
        self.external: list[ExternalCall] = []
        # A graph loaded from the cache keeps its records raw and makes objects only for what a
        # query touches: building all ~40k of them for Nova costs more than the whole query.
        self._raw_nodes: dict[str, dict] = {}
        self._raw_edges: list[dict] = []
        self._raw_out: dict[str, list[int]] | None = None
        self._raw_in: dict[str, list[int]] | None = None
        self._raw_external: list[dict] | None = None

    # -- building ---------------------------------------------------------------------------

    def add_node(self, node: Node) -> None:
        self._nodes[node.name] = node

    def add_edge(self, edge: Edge) -> None:
        self._out.setdefault(edge.caller, []).append(edge)
        self._in.setdefault(edge.callee, []).append(edge)

    # -- reading ----------------------------------------------------------------------------

    def __contains__(self, name: str) -> bool:
        return name in self._nodes or name in self._raw_nodes

    def __len__(self) -> int:
        return len(self._nodes) + len(self._raw_nodes)

    def node(self, name: str) -> Node:
        if name not in self._nodes and name in self._raw_nodes:
            self._nodes[name] = Node(**self._raw_nodes.pop(name))
        return self._nodes[name]

    def nodes(self) -> Iterator[Node]:
        for name in list(self._raw_nodes):
            self.node(name)
        return iter(self._nodes.values())

    def edges(self) -> Iterator[Edge]:
        self._materialise_edges()
        for edges in self._out.values():
            yield from edges

    def calls_from(self, name: str) -> list[Edge]:
        if self._raw_out is not None and name in self._raw_out:
            for index in self._raw_out.pop(name):
                self._add_raw_edge(index)
        return self._out.get(name, [])

    def calls_to(self, name: str) -> list[Edge]:
        if self._raw_in is not None:
            for index in self._raw_in.pop(name, []):
                caller = self._raw_edges[index]["caller"]
                self.calls_from(caller)  # materialises every edge of that caller, this one included
        return self._in.get(name, [])

    def _add_raw_edge(self, index: int) -> None:
        self.add_edge(Edge(**self._raw_edges[index]))

    def _materialise_edges(self) -> None:
        if self._raw_out is not None:
            for name in list(self._raw_out):
                self.calls_from(name)
            self._raw_in = {}

    @property
    def external(self) -> list[ExternalCall]:
        if self._raw_external is not None:
            self._external = [ExternalCall(**item) for item in self._raw_external]
            self._raw_external = None
        return self._external

    @external.setter
    def external(self, calls: list[ExternalCall]) -> None:
        self._external = calls
        self._raw_external = None

    def find(self, symbol: str) -> list[str]:
        """Dotted names matching SYMBOL exactly, else as a suffix on a dot boundary.

        `ComputeManager.build_and_run_instance` finds
        `nova.compute.manager.ComputeManager.build_and_run_instance`. Several results mean
        the symbol is ambiguous; none means it is unknown.
        """
        if symbol in self:
            return [symbol]
        suffix = "." + symbol
        return sorted(name for name in (*self._nodes, *self._raw_nodes) if name.endswith(suffix))

    def neighbourhood(self, name: str, depth: int, callers: bool, callees: bool) -> "CallGraph":
        """The subgraph within `depth` calls of `name`, following calls out, in, or both."""
        keep = {name}
        frontier = deque([(name, 0)])
        while frontier:
            current, dist = frontier.popleft()
            if dist >= depth:
                continue
            steps: list[str] = []
            if callees:
                steps += [e.callee for e in self.calls_from(current)]
            if callers:
                steps += [e.caller for e in self.calls_to(current)]
            for step in steps:
                if step not in keep and step in self:
                    keep.add(step)
                    frontier.append((step, dist + 1))
        return self.subgraph(keep)

    def subgraph(self, names: Iterable[str]) -> "CallGraph":
        keep = set(names)
        sub = CallGraph()
        for name in keep:
            if name in self:
                sub.add_node(self.node(name))
        for name in keep:
            for edge in self.calls_from(name):
                if edge.callee in keep:
                    sub.add_edge(edge)
        sub.external = [call for call in self.external if call.caller in keep]
        return sub

    # -- serialising (cache and --json) -------------------------------------------------------

    def to_json_parts(self) -> Iterator[str]:
        """The graph as the JSON object's members ("nodes", "edges", "external"), in pieces.

        Nova with its tests has ~175k records: encoding them one by one avoids building a dict
        for each before encoding, which would double the memory the graph itself takes.
        """
        encode = json.JSONEncoder(separators=(",", ":")).encode
        yield '"nodes":['
        yield ",".join(encode({"name": n.name, "kind": n.kind, "path": n.path, "line": n.line})
                       for n in sorted(self.nodes(), key=lambda n: n.name))
        yield '],"edges":['
        yield ",".join(encode({"caller": e.caller, "callee": e.callee, "path": e.path, "line": e.line,
                               "certain": e.certain, **({"event": e.event} if e.event else {})})
                       for e in sorted(self.edges(), key=lambda e: (e.caller, e.line, e.callee)))
        yield '],"external":['
        yield ",".join(encode({"caller": c.caller, "callee": c.callee, "path": c.path, "line": c.line})
                       for c in sorted(self.external, key=lambda c: (c.caller, c.line, c.callee)))
        yield "]"

    def to_dict(self) -> dict:
        return {
            "nodes": [asdict(n) for n in sorted(self.nodes(), key=lambda n: n.name)],
            "edges": [_edge_dict(e) for e in sorted(self.edges(), key=lambda e: (e.caller, e.line, e.callee))],
            "external": [asdict(c) for c in sorted(self.external, key=lambda c: (c.caller, c.line, c.callee))],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "CallGraph":
        graph = cls()
        graph._raw_nodes = {item["name"]: item for item in data["nodes"]}
        graph._raw_edges = data["edges"]
        graph._raw_out, graph._raw_in = {}, {}
        for index, item in enumerate(graph._raw_edges):
            graph._raw_out.setdefault(item["caller"], []).append(index)
            graph._raw_in.setdefault(item["callee"], []).append(index)
        graph._raw_external = data.get("external", [])
        return graph


def _edge_dict(edge: Edge) -> dict:
    """An edge's record; `event` only on an event's edge, so a plain call's record stays as it was."""
    record = asdict(edge)
    if record["event"] is None:
        del record["event"]
    return record
