"""GraphML for Gephi and yEd: `callgraph --format graphml`, `graph SYMBOL [--to B] --format graphml`.

Plain GraphML (graphml.graphdrawing.org) written with xml.etree, with every attribute declared
as a typed <key>: Gephi takes `label` as the label and the rest as columns; yEd maps them with
its Properties Mapper. A small writer, not networkx's: the graph is already in hand as records,
and the project takes no new dependency for fifty lines. Sorted, so the file diffs well.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass

from stackread.program.graph import CallGraph, Node

NAMESPACE = "http://graphml.graphdrawing.org/xmlns"

# (id, for, type): the node and edge attributes, each declared once.
NODE_KEYS = (("label", "string"), ("name", "string"), ("kind", "string"), ("path", "string"), ("line", "int"),
             ("role", "string"))
EDGE_KEYS = (("label", "string"), ("path", "string"), ("line", "int"), ("calls", "int"), ("certain", "boolean"),
             ("rpc", "string"), ("method", "string"), ("service", "string"))

# Characters XML 1.0 cannot hold at all: a path with one must not cost the whole file.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Link:
    """One edge as drawn: every call site from caller to callee, or an RPC send."""

    caller: str
    callee: str
    path: str
    line: int
    calls: int
    certain: bool
    rpc: str = ""  # cast | call for an RPC hop
    method: str = ""
    service: str = ""


def _clean(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _short(node: Node) -> str:
    return ".".join(node.name.split(".")[-(2 if node.kind == "method" else 1):])


def links_of(graph: CallGraph) -> list[Link]:
    """The graph's calls, one link per caller and callee (parallel call sites counted)."""
    grouped: dict[tuple[str, str], list] = defaultdict(list)
    for edge in graph.edges():
        grouped[edge.caller, edge.callee].append(edge)
    links = []
    for (caller, callee), edges in sorted(grouped.items()):
        first = min(edges, key=lambda e: (e.path, e.line))
        links.append(Link(caller, callee, first.path, first.line, len(edges), any(e.certain for e in edges)))
    return links


def document(graph: CallGraph, names, links: list[Link], roles: dict[str, str] | None = None) -> bytes:
    """GraphML of the definitions `names` (as `graph` knows them) and the links between them."""
    roles = roles or {}
    # Plain tags under an xmlns attribute, not ET.register_namespace: that is global, and would take
    # the default prefix from the SVG the gallery writes in the same process.
    root = ET.Element("graphml", {"xmlns": NAMESPACE})
    for scope, keys in (("node", NODE_KEYS), ("edge", EDGE_KEYS)):
        for key, kind in keys:
            ET.SubElement(root, "key", {"id": f"{scope[0]}_{key}", "for": scope,
                                                       "attr.name": key, "attr.type": kind})
    body = ET.SubElement(root, "graph", {"id": "stackread", "edgedefault": "directed"})
    every = sorted(set(names) | {link.caller for link in links} | {link.callee for link in links})
    ids = {name: f"n{i}" for i, name in enumerate(every)}
    for name in every:
        node = graph.node(name) if name in graph else Node(name, "function", "", 0)
        element = ET.SubElement(body, "node", {"id": ids[name]})
        _data(element, "n", (("label", _short(node)), ("name", node.name), ("kind", node.kind),
                             ("path", node.path), ("line", node.line), ("role", roles.get(name, ""))))
    for number, link in enumerate(links):
        element = ET.SubElement(body, "edge",
                                {"id": f"e{number}", "source": ids[link.caller], "target": ids[link.callee]})
        label = f"{link.rpc} {link.method}" if link.rpc else ""
        _data(element, "e", (("label", label), ("path", link.path), ("line", link.line), ("calls", link.calls),
                             ("certain", link.certain), ("rpc", link.rpc), ("method", link.method),
                             ("service", link.service)))
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _data(element: ET.Element, scope: str, values) -> None:
    for key, value in values:
        if value == "" or value is None:
            continue  # absent, not empty: Gephi and yEd then show the key's default
        ET.SubElement(element, "data", {"key": f"{scope}_{key}"}).text = _clean(value)


def callgraph_graphml(graph: CallGraph, root: str | None = None) -> bytes:
    """A whole call graph, or a neighbourhood with its `root` marked."""
    return document(graph, [node.name for node in graph.nodes()], links_of(graph), {root: "root"} if root else None)


def chains_graphml(graph: CallGraph, found) -> bytes:
    """The union of `graph A --to B`'s chains: their definitions and hops, RPC hops marked."""
    hops = {(hop.caller, hop.callee): hop for chain in found.chains for hop in chain}
    links = [Link(h.caller, h.callee, h.path, h.line, len(h.lines), h.certain, h.rpc or "", h.method or "",
                  h.service or "") for _key, h in sorted(hops.items())]
    return document(graph, [found.source, found.target], links, {found.source: "source", found.target: "target"})
