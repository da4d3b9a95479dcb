"""`stackread graph`: a call graph as a rich tree in the terminal, or drawn as DOT, SVG or PNG.

The drawing is a plain, sorted `Drawing` turned into DOT text by hand: pygraphviz's own writer
mangles names ending in a backslash, and sorted text diffs well between revisions. Graphviz is
touched only in `write_drawing`, imported there, so `stackread graph` in the terminal never pays
for it and a missing Graphviz costs one clear line, not a traceback.
"""

from __future__ import annotations

import pathlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote

from stackread.errors import StackreadError, UsageError
from stackread.program.graph import CallGraph, Edge, Node

if TYPE_CHECKING:
    from stackread.flows.callgraph import Neighbourhood

DRAWING_FORMATS = ("svg", "png", "dot")

# -- names -------------------------------------------------------------------------------------


def short_name(node: Node) -> str:
    """`Class.method` for methods, the last part otherwise: enough to read, the rest is context."""
    keep = 2 if node.kind == "method" else 1
    return ".".join(node.name.split(".")[-keep:])


def module_of(node: Node) -> str:
    """The dotted module a definition lives in.

    The dotted name alone cannot say where the module ends (nova.compute.api.API.create), but
    the file can. The path may start above the import root (src/, a checkout directory), so the
    module is the longest tail of the path that the name starts with.
    """
    parts = list(PurePosixPath(node.path.replace("\\", "/")).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    for start in range(len(parts)):
        candidate = ".".join(parts[start:])
        if node.name == candidate or node.name.startswith(candidate + "."):
            return candidate
    # No usable path (a node the builder only knows by name): guess from the kind.
    drop = {"module": 0, "method": 2}.get(node.kind, 1)
    return node.name.rsplit(".", drop)[0] if drop else node.name


def package_of(node: Node) -> str:
    """The package a definition is drawn in; '' for a top-level module outside any package."""
    module = module_of(node)
    if PurePosixPath(node.path.replace("\\", "/")).name == "__init__.py":
        return module  # the module *is* the package
    return module.rpartition(".")[0]


def _location(node: Node | None) -> str:
    return f"{node.path}:{node.line}" if node is not None and node.path else ""


def _node(graph: CallGraph, name: str) -> Node | None:
    return graph.node(name) if name in graph else None


def _stub(name: str) -> Node:
    # Edges may name a definition the builder never saw; draw it rather than drop the call.
    return Node(name=name, kind="function", path="", line=0)


# -- the terminal tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    """One neighbour in the tree and every call joining it to the node above."""

    name: str
    edges: tuple[Edge, ...]  # in source order
    # How many targets the uncertain call sites may dispatch to; 0 when the call is certain.
    # A neighbour reached by one certain call among uncertain ones counts as certain.
    alternatives: int


def _alternatives(graph: CallGraph, edge: Edge) -> int:
    """Uncertain edges leaving the same call site as `edge`: the implementations it may reach."""
    return sum(1 for e in graph.calls_from(edge.caller)
               if not e.certain and (e.path, e.line) == (edge.path, edge.line))


def _steps(graph: CallGraph, name: str, upward: bool) -> list[_Step]:
    """Callees of `name` in the order they are called, or its callers sorted by name."""
    grouped: dict[str, list[Edge]] = defaultdict(list)
    for edge in graph.calls_to(name) if upward else graph.calls_from(name):
        grouped[edge.caller if upward else edge.callee].append(edge)
    steps = []
    for other, edges in grouped.items():
        edges.sort(key=lambda e: (e.path, e.line))
        certain = any(e.certain for e in edges)
        alternatives = 0 if certain else max(_alternatives(graph, e) for e in edges)
        steps.append(_Step(other, tuple(edges), alternatives))
    if upward:
        return sorted(steps, key=lambda s: s.name)
    return sorted(steps, key=lambda s: (s.edges[0].line, s.name))


def _sites(edges: tuple[Edge, ...], caller: Node | None) -> str:
    """'line 120', 'lines 120, 140', or path:line when the call is written in another file."""
    here = caller.path if caller is not None else None
    lines = [str(e.line) for e in edges if e.path == here]
    elsewhere = [f"{e.path}:{e.line}" for e in edges if e.path != here]
    words = ([f"line{'s' if len(lines) > 1 else ''} {', '.join(lines)}"] if lines else []) + elsewhere
    return ", ".join(words)


def _step_label(graph: CallGraph, step: _Step, upward: bool):
    from rich.text import Text

    node = _node(graph, step.name)
    uncertain = step.alternatives > 0
    label = Text(short_name(node or _stub(step.name)), style="italic" if uncertain else "bold")
    if node is not None:
        label.append(f"  {_location(node)}", style="dim")
    # Arrows point the way the call goes: a callee is called *from* a line of the function
    # above it; a caller calls the function above it *at* one of its own lines.
    caller = _node(graph, step.name if upward else step.edges[0].caller)
    label.append(f"  {'→' if upward else '←'} {_sites(step.edges, caller)}", style="dim")
    if uncertain:
        n = step.alternatives
        note = f"one of {n} implementations" if n > 1 else "dispatch may go elsewhere"
        label.append(f"  ⑂ {note}", style="italic yellow")
    return label


def _grow(branch, graph: CallGraph, name: str, remaining: int, upward: bool,
          on_path: tuple[str, ...], expanded: dict[str, int]) -> None:
    """Add the neighbours of `name` under `branch`, `remaining` levels deep.

    Cycles stop at a node already on the path from the root. A node expanded earlier at least
    as deep is not expanded again ("see above", as `cargo tree` does): call graphs are full of
    diamonds, and repeating shared helpers under every caller buries the interesting calls.
    """
    if remaining <= 0:
        return
    for step in _steps(graph, name, upward):
        label = _step_label(graph, step, upward)
        if step.name in on_path:
            branch.add(label.append(" (recursive)", style="magenta"))
            continue
        below = _steps(graph, step.name, upward)
        if not below:
            branch.add(label)
        elif remaining == 1:
            branch.add(label.append(" …", style="dim"))  # more beyond --depth
        elif expanded.get(step.name, -1) >= remaining - 1:
            branch.add(label.append(" (see above)", style="dim"))
        else:
            expanded[step.name] = remaining - 1
            child = branch.add(label)
            _grow(child, graph, step.name, remaining - 1, upward, (*on_path, step.name), expanded)


def _external_branch(tree, graph: CallGraph, root: str) -> None:
    from rich.text import Text

    counts = Counter(c.callee for c in graph.external if c.caller == root)
    if not counts:
        return
    total = sum(counts.values())
    branch = tree.add(Text.assemble(("external calls", "bold"), (f" ({total})", "dim")))
    for callee, n in sorted(counts.items()):
        branch.add(Text.assemble((callee, "cyan"), (f" ×{n}" if n > 1 else "", "dim")))


def render_tree(graph: CallGraph, root: str, *, callers: bool, callees: bool, depth: int):
    """A rich Tree: `root`, what it calls (and their calls, to `depth`), then who calls it.

    External calls of the root (outside the analysed tree) are listed with the callees,
    one line per distinct target with a count.
    """
    from rich.text import Text
    from rich.tree import Tree

    if root not in graph:
        raise UsageError(f"{root} is not in the call graph")
    node = graph.node(root)
    tree = Tree(Text.assemble((node.name, "bold green"), (f"  {_location(node)}", "dim")), guide_style="dim")
    if callees:
        _grow(tree, graph, root, depth, False, (root,), {})
        _external_branch(tree, graph, root)
    if callers:
        branch = tree.add(Text("called by", style="bold"))
        _grow(branch, graph, root, depth, True, (root,), {})
        if not branch.children:
            branch.add(Text("no callers found", style="dim"))
    return tree


# -- the drawing -------------------------------------------------------------------------------

Attrs = tuple[tuple[str, str], ...]

# Readable at ~100 nodes: left to right so long names run along the rank, not across it;
# newrank so call depth is the same column across packages (clusters become lanes, the root
# on the left) instead of each cluster ranked on its own and stacked into one tall column;
# a generic font name so any Graphviz finds one; concentrate off so a dashed (uncertain)
# edge is never merged into a solid one.
GRAPH_ATTRS: Attrs = (
    ("rankdir", "LR"), ("concentrate", "false"), ("newrank", "true"), ("fontname", "sans-serif"),
    ("fontsize", "12"), ("nodesep", "0.25"), ("ranksep", "0.7"), ("labeljust", "l"),
    ("charset", "UTF-8"),
)
NODE_ATTRS: Attrs = (
    ("shape", "box"), ("style", "rounded"), ("fontname", "sans-serif"), ("fontsize", "11"),
    ("height", "0.3"), ("margin", "0.12,0.05"),
)
EDGE_ATTRS: Attrs = (("color", "#555555"), ("arrowsize", "0.7"), ("fontname", "sans-serif"), ("fontsize", "9"),
                     ("fontcolor", "#666666"))
TITLE_ATTRS: Attrs = (("labelloc", "t"), ("labeljust", "l"), ("fontsize", "16"))
CLUSTER_ATTRS: Attrs = (("style", "rounded"), ("color", "#aaaaaa"), ("fontcolor", "#555555"))
ROOT_ATTRS: Attrs = (("style", "rounded,filled,bold"), ("fillcolor", "#fff2a8"), ("penwidth", "2"))
UNCERTAIN_ATTRS: Attrs = (("style", "dashed"), ("color", "#999999"))
# The flow of `stackread trace` drawn the same way, plus what only a flow has: RPC edges
# between process clusters (a cast is dashed, a call solid and bold with a dotted return),
# calls made only under a condition (amber), steps off the default path (grey, dashed box),
# and leaves in the virt driver (green) or another service's client (blue).
CAST_ATTRS: Attrs = (("style", "dashed"), ("color", "#7b2d8e"), ("fontcolor", "#7b2d8e"), ("penwidth", "1.6"),
                     ("arrowhead", "vee"), ("fontsize", "11"))
CALL_ATTRS: Attrs = (("style", "bold"), ("color", "#7b2d8e"), ("fontcolor", "#7b2d8e"), ("penwidth", "2.2"),
                     ("fontsize", "11"))
RETURN_ATTRS: Attrs = (("style", "dotted"), ("color", "#7b2d8e"), ("arrowhead", "vee"), ("constraint", "false"))
CONDITION_ATTRS: Attrs = (("color", "#c08000"), ("fontcolor", "#8a5a00"), ("fontsize", "9"))
OFF_DEFAULT_ATTRS: Attrs = (("style", "rounded,dashed"), ("fontcolor", "#777777"), ("color", "#999999"))
ENDPOINT_ATTRS: Attrs = (("style", "rounded,bold"), ("penwidth", "1.6"))
DRIVER_ATTRS: Attrs = (("style", "rounded,filled"), ("fillcolor", "#dff3d8"))
SERVICE_ATTRS: Attrs = (("style", "rounded,filled"), ("fillcolor", "#dceaf7"))


@dataclass(frozen=True)
class DotNode:
    id: str
    attrs: Attrs


@dataclass(frozen=True)
class DotEdge:
    tail: str
    head: str
    attrs: Attrs


@dataclass(frozen=True)
class Drawing:
    """What the DOT text says, sorted: clusters by package ('' = outside any), nodes by name."""

    clusters: tuple[tuple[str, tuple[DotNode, ...]], ...]
    edges: tuple[DotEdge, ...]
    title: str = ""  # drawn above the graph


def node_url(node: Node, link_template: str | None) -> str:
    """Where a click on the node goes: the template, or the file itself with a line anchor."""
    path = quote(node.path.replace("\\", "/"))
    if link_template is not None:
        return link_template.format(path=path, line=node.line)
    if PurePosixPath(path).is_absolute():
        return f"file://{path}#L{node.line}"
    # A relative reference, not file://nova/...: that would make "nova" the host name. Opened
    # from an SVG saved at the source root, it resolves to the file.
    return f"{path}#L{node.line}"


def check_template(link_template: str | None) -> None:
    if link_template is None:
        return
    try:
        link_template.format(path="nova/x.py", line=1)
    except (KeyError, IndexError, ValueError) as exc:
        raise UsageError(f"link template {link_template!r} may use only {{path}} and {{line}} ({exc})") from exc


def _dot_node(node: Node, root: str | None, link_template: str | None) -> DotNode:
    attrs: list[tuple[str, str]] = [("label", short_name(node))]
    if node.path:
        attrs += [("tooltip", f"{node.name}\n{_location(node)}"), ("URL", node_url(node, link_template))]
    else:
        attrs += [("tooltip", node.name)]
    if node.name == root:
        attrs += ROOT_ATTRS
    return DotNode(node.name, tuple(attrs))


def _dot_edges(graph: CallGraph) -> tuple[DotEdge, ...]:
    """One edge per caller and callee: several call sites would only draw parallel lines."""
    grouped: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for edge in graph.edges():
        grouped[edge.caller, edge.callee].append(edge)
    out = []
    for (tail, head), edges in sorted(grouped.items()):
        sites = ", ".join(sorted({f"{e.path}:{e.line}" for e in edges}))
        attrs: tuple[tuple[str, str], ...] = (("tooltip", f"{tail} → {head}\n{sites}"),)
        if not any(e.certain for e in edges):
            attrs += UNCERTAIN_ATTRS
        out.append(DotEdge(tail, head, attrs))
    return tuple(out)


def drawing(graph: CallGraph, root: str | None = None, *, link_template: str | None = None) -> Drawing:
    check_template(link_template)
    nodes = {n.name: n for n in graph.nodes()}
    edges = _dot_edges(graph)
    for edge in edges:
        for name in (edge.tail, edge.head):
            nodes.setdefault(name, _stub(name))
    packages: dict[str, list[DotNode]] = defaultdict(list)
    for name in sorted(nodes):
        packages[package_of(nodes[name])].append(_dot_node(nodes[name], root, link_template))
    clusters = tuple((package, tuple(members)) for package, members in sorted(packages.items()))
    return Drawing(clusters, edges)


def dot_quote(text: str) -> str:
    """A DOT quoted string that reads back as `text`.

    Backslashes are doubled because labels, tooltips and URLs are Graphviz "escString"s, where
    a lone backslash starts an escape (\\N, \\l, ...); newlines become the \\n escape.
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{escaped}"'


def _attr_list(attrs: Attrs) -> str:
    return ", ".join(f"{key}={dot_quote(value)}" for key, value in attrs)


def dot_text(d: Drawing) -> str:
    lines = ["digraph stackread {",
             f"  graph [{_attr_list(GRAPH_ATTRS)}];",
             f"  node [{_attr_list(NODE_ATTRS)}];",
             f"  edge [{_attr_list(EDGE_ATTRS)}];"]
    for package, members in d.clusters:
        indent = "  "
        if package:
            lines.append(f"  subgraph {dot_quote('cluster_' + package)} {{")
            lines.append(f"    graph [{_attr_list((('label', package), *CLUSTER_ATTRS))}];")
            indent = "    "
        lines += [f"{indent}{dot_quote(n.id)} [{_attr_list(n.attrs)}];" for n in members]
        if package:
            lines.append("  }")
    lines += [f"  {dot_quote(e.tail)} -> {dot_quote(e.head)} [{_attr_list(e.attrs)}];" for e in d.edges]
    if d.title:  # last, so that no cluster inherits the title's label or size
        lines.append(f"  graph [{_attr_list(TITLE_ATTRS + (('label', d.title),))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_dot(graph: CallGraph, root: str | None = None, *, link_template: str | None = None) -> str:
    """DOT text: one cluster per package, the root highlighted, uncertain calls dashed."""
    return dot_text(drawing(graph, root, link_template=link_template))


# -- files -------------------------------------------------------------------------------------


def drawing_format(out: pathlib.Path, fmt: str | None = None) -> str:
    chosen = (fmt or out.suffix.removeprefix(".")).lower()
    if chosen not in DRAWING_FORMATS:
        accepted = ", ".join(f".{f}" for f in DRAWING_FORMATS)
        what = f"format {chosen!r}" if chosen else "no format"
        raise UsageError(f"cannot draw {out.name}: {what}; use one of {accepted}")
    return chosen


def layout(dot: str, fmt: str) -> bytes:
    """Graphviz's drawing of `dot`; the only place that loads Graphviz."""
    try:
        import pygraphviz
    except ImportError as exc:
        raise StackreadError(f"drawing .{fmt} needs pygraphviz ({exc}): pip install pygraphviz, "
                             "or write -o FILE.dot and run Graphviz yourself") from exc
    try:
        # Bytes back, not draw(path): pygraphviz opens paths itself (gzipping *.gz) and has
        # crashed in C after an earlier error; our own write gives a plain OSError.
        from stackread.render.graphviz_noise import quiet_fontconfig

        with quiet_fontconfig():  # the bundled Graphviz's fontconfig warns on every drawing
            return pygraphviz.AGraph(string=dot).draw(format=fmt, prog="dot")
    except (ValueError, OSError) as exc:  # pygraphviz.DotError is a ValueError
        raise StackreadError(f"Graphviz could not draw .{fmt} ({exc}); "
                             "-o FILE.dot writes the graph for other tools") from exc


def write_drawing(graph: CallGraph, root: str | None, out: pathlib.Path, *, fmt: str | None = None,
                  link_template: str | None = None) -> None:
    """Write the graph to `out` as DOT text, SVG or PNG, chosen by `fmt` or the file suffix."""
    chosen = drawing_format(out, fmt)
    dot = to_dot(graph, root, link_template=link_template)
    write_bytes(out, dot.encode("utf-8") if chosen == "dot" else layout(dot, chosen))


def write_bytes(out: pathlib.Path, data: bytes) -> None:
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise StackreadError(f"cannot write {out}: {exc.strerror or exc}") from exc


def neighbourhood_json(found: Neighbourhood) -> dict:
    """`graph SYMBOL --json` (docs/json.md): what was asked, then the subgraph in the very shape
    `callgraph --json` uses, so one reader handles both."""
    return {"symbol": found.name, "callers": found.callers, "callees": found.callees, "depth": found.depth,
            **found.graph.to_dict()}


def show_neighbourhood(found: Neighbourhood, output: str | None, link_template: str | None,
                       as_json: bool = False) -> None:
    """`graph SYMBOL`: a drawing written to `output` if asked for, and on stdout the JSON, or the
    tree when neither JSON nor a drawing was asked for."""
    from stackread.render.output import say, stdout, tell

    if output:
        write_drawing(found.graph, found.name, pathlib.Path(output), link_template=link_template)
        tell(f"wrote {output} ({len(found.graph)} nodes)")
    if as_json:
        import json

        say(json.dumps(neighbourhood_json(found), indent=1))
    elif not output:
        stdout().print(render_tree(found.graph, found.name, callers=found.callers, callees=found.callees,
                                   depth=found.depth))
