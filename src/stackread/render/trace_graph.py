"""`stackread trace -o flow.svg`: the flow as a cross-process call graph, drawn by Graphviz.

One cluster per process in the order the flow reaches it, a node per function (`Class.method`,
`path:line` in the tooltip, a link to the source), an edge per call. RPC hops cross clusters,
labelled with the RPC method: a cast dashed, a call bold with a dotted return. It shares the
DOT writer and the styling of `stackread graph` (render/graph.py).
"""

from __future__ import annotations

import pathlib

from stackread.program.graph import Node
from stackread.render import graph as g
from stackread.flows.detail import group_label, method_names
from stackread.render.flow import conjuncts, driver_lane, one_line, short
from stackread.flows.flow import Step, Trace

_MAX_LABEL = 36
# Where the flow cannot be followed (a skipped file): an alert, not a function.
CUT_ATTRS = (("shape", "note"), ("style", "filled"), ("fillcolor", "#fde0e0"), ("color", "#c0392b"),
             ("fontcolor", "#8b0000"), ("penwidth", "1.6"))


def _clip(text: str, limit: int = _MAX_LABEL) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _id(step: Step) -> str:
    return f"{step.process}:{step.function}"


class _Drawer:
    def __init__(self, trace: Trace, errors: bool, link_template: str | None):
        self.trace = trace
        self.errors = errors
        self.link_template = link_template
        self.clusters: dict[str, dict[str, g.DotNode]] = {}
        self.edges: dict[tuple[str, str, str], g.DotEdge] = {}
        self.concrete = set()
        todo = [trace.root]
        while todo:
            step = todo.pop()
            todo += step.children
            if step.kind == "driver" and (lane := driver_lane(step, set())) != "virt driver":
                self.concrete.add(lane)

    def node(self, step: Step, *, root: bool = False) -> str:
        ident = _id(step)
        members = self.clusters.setdefault(step.process, {})
        if ident in members:
            return ident
        label = short(step.function)
        attrs: list[tuple[str, str]] = []
        if step.kind == "driver":
            label += f"\n({driver_lane(step, self.concrete)} driver)"
            attrs += g.DRIVER_ATTRS
        elif step.kind == "service" and step.calls:  # the story's one node for a service's calls
            label = group_label(step, _MAX_LABEL).replace(": ", "\n", 1)
            attrs += g.SERVICE_ATTRS
        elif step.kind == "service":
            label += f"\n({step.service})"
            attrs += g.SERVICE_ATTRS
        elif step.kind == "hop":
            attrs += g.ENDPOINT_ATTRS
        elif step.kind == "cut":
            why = (step.cut or "").removeprefix(f"flow cut: {step.path} ")
            how, _, detail = why.partition(" (")
            label = "\n".join(["flow cut", step.path, how] + ([_clip(f"({detail}", 44)] if detail else []))
            attrs += CUT_ATTRS
        if root:
            attrs += g.ROOT_ATTRS
        elif not step.default_path:
            attrs += g.OFF_DEFAULT_ATTRS
        attrs = [("label", label), *attrs]
        if step.path:
            where = f"{step.path}:{step.line}"
            said = step.cut if step.kind == "cut" else f"{step.function}\n{where}"
            if step.calls:
                said += "\n" + ", ".join(method_names(step))
            attrs += [("tooltip", said),
                      ("URL", source_url(self.trace, step.path, step.line, self.link_template))]
        else:
            attrs += [("tooltip", step.function)]
        members[ident] = g.DotNode(ident, tuple(attrs))
        return ident

    def edge(self, tail: str, head: str, kind: str, attrs: list[tuple[str, str]]) -> None:
        self.edges.setdefault((tail, head, kind), g.DotEdge(tail, head, tuple(attrs)))

    def visible(self, step: Step) -> list[Step]:
        return [c for c in step.children if self.errors or not c.error_path]

    def collapse(self, step: Step) -> tuple[Step, list[Step]]:
        """Skip plain calls that only pass the flow on: a chain a -> b -> c -> d draws as a -> d.

        A step stays when it branches, is a hop, driver or service, sits in a loop, or is the
        RPC client method a hop leaves from; the skipped ones are named in the edge's tooltip.
        """
        via = []
        while (step.kind == "call" and not step.seen_above and not step.loop
               and len(below := self.visible(step)) == 1 and below[0].kind != "hop"):
            via.append(step)
            step = below[0]
        return step, via

    def grow(self, parent: Step, shown: frozenset[str]) -> None:
        tail = _id(parent)
        for first in self.visible(parent):
            step, via = self.collapse(first)
            head = self.node(step)
            new = [c for c in conjuncts(step.condition) if c not in shown]
            tooltip = f"{parent.function} → {step.function}"
            if via:
                tooltip += "\nvia " + " → ".join(short(v.function) for v in via)
            elif step.call_line:
                tooltip += f"\n{parent.path}:{step.call_line}"
            if step.condition:
                tooltip += f"\nif {one_line(step.condition)}"
            if step.loop:
                tooltip += f"\nin loop: {one_line(step.loop)}"
            attrs: list[tuple[str, str]] = []
            labels = []
            if step.kind == "hop" and step.hop is not None:
                h = step.hop
                labels.append(h.method + (" (fanout)" if h.fanout else "") + (f"\nserver={h.route}" if h.route else ""))
                attrs += g.CALL_ATTRS if h.kind in ("call", "rest") else g.CAST_ATTRS
                tooltip = f"{h.kind} {h.method}: {h.source} → {h.target}\n" + tooltip
            if new:
                labels.append("if " + _clip(" and ".join(new)))
                if step.kind != "hop":
                    attrs += g.CONDITION_ATTRS
            if step.loop:
                labels.append("↻ " + _clip(step.loop, 28))
            if via:
                labels.append(f"via {len(via)} call{'s' if len(via) > 1 else ''}")
            if labels:
                attrs.append(("label", "\n".join(labels)))
            attrs.append(("tooltip", tooltip))
            self.edge(tail, head, "call", attrs)
            if step.kind == "hop" and step.hop is not None and step.hop.kind in ("call", "rest"):
                self.edge(head, tail, "return", [*g.RETURN_ATTRS, ("tooltip", f"{step.hop.method} returns")])
            if not step.seen_above:
                self.grow(step, shown | set(new))

    def drawing(self) -> g.Drawing:
        clusters = tuple((process, tuple(members.values())) for process, members in self.clusters.items())
        e = self.trace.entry
        request = f"{e.verb} {e.path}" + (f" ({e.action})" if e.action else "")
        return g.Drawing(clusters, tuple(self.edges.values()), f"{self.trace.operation}: {request}")


def source_url(trace: Trace, path: str, line: int, link_template: str | None) -> str:
    """The template filled with the path inside the project; else the code at the release's tag on
    opendev when the tree is a published release (render/links.py, as the gallery links); else
    file:// to the file read."""
    from stackread.render.links import link_template as default_template

    # A step of a serving tree (a REST hop's, crossing.py) is in the tree that holds its file.
    source, release = trace.source, trace.release
    server = next((r for r in trace.servers if (pathlib.Path(r.source) / path).is_file()), None)
    if server is not None and not (source and (pathlib.Path(source) / path).is_file()):
        source, release = server.source, server
    if link_template is None and release is not None:
        link_template = default_template(release)
    if link_template is None and source and pathlib.Path(source).is_dir():
        path = (pathlib.Path(source).resolve() / path).as_posix()
    return g.node_url(Node(path, "function", path, line), link_template)


def drawing(trace: Trace, errors: bool = False, *, link_template: str | None = None) -> g.Drawing:
    g.check_template(link_template)
    drawer = _Drawer(trace, errors, link_template)
    drawer.node(trace.root, root=True)
    drawer.grow(trace.root, frozenset())
    return drawer.drawing()


def to_dot(trace: Trace, errors: bool = False, *, link_template: str | None = None) -> str:
    return g.dot_text(drawing(trace, errors, link_template=link_template))
