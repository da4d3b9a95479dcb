"""`stackread graph` output: the terminal tree, DOT text, and SVG/PNG drawn by Graphviz."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

import pygraphviz
import pytest
from rich.console import Console

from stackread.errors import StackreadError, UsageError
from stackread.program.graph import CallGraph, Edge, ExternalCall, Node
from stackread.render.graph import (
    module_of, package_of, render_tree, short_name, to_dot, write_drawing,
)

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def make_graph(nodes, calls, external=()) -> CallGraph:
    """nodes: (name, kind, path, line); calls: (caller, callee, line[, certain]), written in the caller's file."""
    graph = CallGraph()
    for name, kind, path, line in nodes:
        graph.add_node(Node(name, kind, path, line))
    for caller, callee, line, *certain in calls:
        graph.add_edge(Edge(caller, callee, graph.node(caller).path, line, *certain))
    graph.external = [ExternalCall(caller, callee, graph.node(caller).path, line) for caller, callee, line in external]
    return graph


def chain() -> CallGraph:
    return make_graph(
        [("app.api.handle", "function", "app/api.py", 10),
         ("app.api.Service.run", "method", "app/api.py", 30),
         ("app.db.store.Store.save", "method", "app/db/store.py", 5),
         ("app.db.store.Store._write", "method", "app/db/store.py", 40)],
        [("app.api.handle", "app.api.Service.run", 12),
         ("app.api.Service.run", "app.db.store.Store.save", 33),
         ("app.db.store.Store.save", "app.db.store.Store._write", 7)],
        external=[("app.api.handle", "oslo_log.log.getLogger", 11),
                  ("app.api.handle", "oslo_log.log.getLogger", 14),
                  ("app.api.handle", "json.dumps", 15)],
    )


def cycle() -> CallGraph:
    # ping <-> pong, and fact calls itself.
    return make_graph(
        [("app.loop.ping", "function", "app/loop.py", 1),
         ("app.loop.pong", "function", "app/loop.py", 5),
         ("app.loop.fact", "function", "app/loop.py", 9)],
        [("app.loop.ping", "app.loop.pong", 2), ("app.loop.pong", "app.loop.ping", 6),
         ("app.loop.pong", "app.loop.fact", 7), ("app.loop.fact", "app.loop.fact", 10)],
    )


def drivers() -> CallGraph:
    # One call site that may dispatch to either virt driver, and one call that is certain.
    return make_graph(
        [("nova.compute.manager.Manager.build", "method", "nova/compute/manager.py", 100),
         ("nova.virt.libvirt.driver.LibvirtDriver.spawn", "method", "nova/virt/libvirt/driver.py", 400),
         ("nova.virt.ironic.driver.IronicDriver.spawn", "method", "nova/virt/ironic/driver.py", 200),
         ("nova.utils.spawn", "function", "nova/utils.py", 50)],
        [("nova.compute.manager.Manager.build", "nova.virt.libvirt.driver.LibvirtDriver.spawn", 120, False),
         ("nova.compute.manager.Manager.build", "nova.virt.ironic.driver.IronicDriver.spawn", 120, False),
         ("nova.compute.manager.Manager.build", "nova.utils.spawn", 110)],
    )


# Labels that must survive DOT quoting and Graphviz: quotes, backslashes, markup, Chinese.
WEIRD = 'pkg.mod.we"ird\\<b>&'
CHINESE = "pkg.模块.计算"


def weird() -> CallGraph:
    return make_graph(
        [(WEIRD, "function", "pkg/mod.py", 3), (CHINESE, "function", "pkg/模块.py", 7)],
        [(WEIRD, CHINESE, 4)],
    )


def text_of(renderable) -> str:
    console = Console(record=True, width=120)
    console.print(renderable)
    return console.export_text()


# -- names --------------------------------------------------------------------------------------


def test_short_names_keep_the_class_for_methods_only():
    assert short_name(Node("nova.compute.api.API.create", "method", "nova/compute/api.py", 1)) == "API.create"
    assert short_name(Node("nova.utils.spawn", "function", "nova/utils.py", 1)) == "spawn"
    assert short_name(Node("nova.compute.api.API", "class", "nova/compute/api.py", 1)) == "API"


def test_package_comes_from_the_file_even_below_a_src_directory():
    method = Node("app.db.store.Store.save", "method", "src/app/db/store.py", 5)
    assert module_of(method) == "app.db.store" and package_of(method) == "app.db"
    in_init = Node("app.db.connect", "function", "app/db/__init__.py", 1)
    assert module_of(in_init) == "app.db" and package_of(in_init) == "app.db"
    top_level = Node("setup.main", "function", "setup.py", 1)
    assert package_of(top_level) == ""


# -- the terminal tree --------------------------------------------------------------------------


def test_tree_shows_callees_in_call_order_with_locations_and_call_sites():
    out = text_of(render_tree(chain(), "app.api.handle", callers=False, callees=True, depth=5))
    lines = out.splitlines()
    assert lines[0].startswith("app.api.handle") and "app/api.py:10" in lines[0]
    run = next(line for line in lines if "Service.run" in line)
    assert "app/api.py:30" in run and "← line 12" in run
    save = next(line for line in lines if "Store.save" in line)
    assert "app/db/store.py:5" in save and "← line 33" in save
    assert out.index("Service.run") < out.index("Store.save") < out.index("Store._write")
    assert "called by" not in out


def test_depth_limits_the_tree_and_says_there_is_more():
    out = text_of(render_tree(chain(), "app.api.handle", callers=False, callees=True, depth=1))
    assert "Service.run" in out and "Store.save" not in out
    assert "…" in next(line for line in out.splitlines() if "Service.run" in line)


def test_external_calls_of_the_root_are_collapsed_with_counts():
    out = text_of(render_tree(chain(), "app.api.handle", callers=False, callees=True, depth=5))
    assert "external calls (3)" in out
    assert "oslo_log.log.getLogger ×2" in out and "json.dumps" in out
    assert out.count("getLogger") == 1


def test_callers_form_a_separate_called_by_branch():
    out = text_of(render_tree(chain(), "app.db.store.Store._write", callers=True, callees=False, depth=5))
    below = out.split("called by", 1)[1]
    assert below.index("Store.save") < below.index("Service.run") < below.index("handle")
    save = next(line for line in out.splitlines() if "Store.save" in line)
    assert "→ line 7" in save  # Store.save calls _write at its line 7


def test_cycles_and_self_recursion_stop_with_a_mark():
    out = text_of(render_tree(cycle(), "app.loop.ping", callers=True, callees=True, depth=50))
    callees, callers = out.split("called by", 1)
    assert "ping  app/loop.py:1  ← line 6 (recursive)" in callees
    assert "fact  app/loop.py:9  ← line 10 (recursive)" in callees
    assert callees.count("fact") == 2  # once expanded, once marked
    assert "(recursive)" in callers  # pong calls ping, ping calls pong: back on the path


def test_shared_callees_are_expanded_once():
    diamond = make_graph(
        [("m.top", "function", "m.py", 1), ("m.left", "function", "m.py", 5), ("m.right", "function", "m.py", 9),
         ("m.shared", "function", "m.py", 13), ("m.leaf", "function", "m.py", 17)],
        [("m.top", "m.left", 2), ("m.top", "m.right", 3), ("m.left", "m.shared", 6), ("m.right", "m.shared", 10),
         ("m.shared", "m.leaf", 14)],
    )
    out = text_of(render_tree(diamond, "m.top", callers=False, callees=True, depth=10))
    assert out.count("leaf") == 1 and "(see above)" in out


def test_uncertain_dispatch_is_marked_on_each_implementation():
    out = text_of(render_tree(drivers(), "nova.compute.manager.Manager.build", callers=False, callees=True, depth=3))
    lines = out.splitlines()
    for impl in ("LibvirtDriver.spawn", "IronicDriver.spawn"):
        line = next(line for line in lines if impl in line)
        assert "one of 2 implementations" in line and "← line 120" in line
    certain = next(line for line in lines if "nova/utils.py:50" in line)
    assert "implementations" not in certain


def test_unknown_root_is_a_usage_error():
    with pytest.raises(UsageError, match="nowhere.at.all"):
        render_tree(chain(), "nowhere.at.all", callers=True, callees=True, depth=2)


# -- DOT ----------------------------------------------------------------------------------------


def clusters(agraph) -> dict[str, set[str]]:
    return {sub.name: set(sub.nodes()) for sub in agraph.subgraphs()}


def test_dot_has_one_cluster_per_package_holding_its_nodes():
    agraph = pygraphviz.AGraph(string=to_dot(chain(), "app.api.handle"))
    assert clusters(agraph) == {
        "cluster_app": {"app.api.handle", "app.api.Service.run"},
        "cluster_app.db": {"app.db.store.Store.save", "app.db.store.Store._write"},
    }
    assert agraph.graph_attr["rankdir"] == "LR"
    assert agraph.get_node("app.db.store.Store.save").attr["label"] == "Store.save"
    assert agraph.get_node("app.api.handle").attr["label"] == "handle"
    assert "filled" in agraph.get_node("app.api.handle").attr["style"]  # the root stands out
    assert "filled" not in (agraph.get_node("app.api.Service.run").attr["style"] or "")
    assert agraph.get_node("app.api.Service.run").attr["URL"] == "app/api.py#L30"
    assert agraph.has_edge("app.api.handle", "app.api.Service.run")


def test_dot_dashes_uncertain_calls_only():
    agraph = pygraphviz.AGraph(string=to_dot(drivers()))
    build = "nova.compute.manager.Manager.build"
    assert agraph.get_edge(build, "nova.virt.libvirt.driver.LibvirtDriver.spawn").attr["style"] == "dashed"
    assert agraph.get_edge(build, "nova.virt.ironic.driver.IronicDriver.spawn").attr["style"] == "dashed"
    assert agraph.get_edge(build, "nova.utils.spawn").attr["style"] in (None, "")
    assert set(clusters(agraph)) == {"cluster_nova", "cluster_nova.compute", "cluster_nova.virt.libvirt",
                                     "cluster_nova.virt.ironic"}


def test_dot_is_the_same_whatever_order_the_graph_was_built_in():
    forward = drivers()
    backward = CallGraph()
    for node in reversed(list(forward.nodes())):
        backward.add_node(node)
    for edge in reversed(list(forward.edges())):
        backward.add_edge(edge)
    assert to_dot(forward) == to_dot(backward)


def test_link_template_sets_node_urls():
    dot = to_dot(chain(), link_template="https://opendev.org/x/src/{path}#L{line}")
    agraph = pygraphviz.AGraph(string=dot)
    assert agraph.get_node("app.db.store.Store.save").attr["URL"] == "https://opendev.org/x/src/app/db/store.py#L5"
    with pytest.raises(UsageError, match="path"):
        to_dot(chain(), link_template="https://x/{file}")


def test_quotes_backslashes_and_chinese_survive_dot():
    agraph = pygraphviz.AGraph(string=to_dot(weird(), WEIRD))
    assert set(agraph.nodes()) >= {CHINESE}
    assert agraph.has_edge(next(n for n in agraph.nodes() if n.startswith("pkg.mod.we")), CHINESE)
    assert clusters(agraph) == {"cluster_pkg": {next(n for n in agraph.nodes() if n.startswith("pkg.mod.we")), CHINESE}}


# -- files --------------------------------------------------------------------------------------


def svg_texts(root: ET.Element) -> list[str]:
    return [el.text for el in root.iter(f"{SVG}text") if el.text]


def test_svg_has_labels_titles_and_links(tmp_path):
    out = tmp_path / "graph.svg"
    write_drawing(chain(), "app.api.handle", out)
    svg = ET.parse(out).getroot()
    titles = {el.text for el in svg.iter(f"{SVG}title")}
    assert {"app.api.handle", "app.db.store.Store.save"} <= titles
    assert {"handle", "Service.run", "Store.save", "Store._write", "app", "app.db"} <= set(svg_texts(svg))
    links = {a.get(XLINK_HREF) for a in svg.iter(f"{SVG}a") if a.get(XLINK_HREF)}
    assert links == {"app/api.py#L10", "app/api.py#L30", "app/db/store.py#L5", "app/db/store.py#L40"}


def test_svg_keeps_awkward_labels_intact(tmp_path):
    out = tmp_path / "weird.svg"
    write_drawing(weird(), None, out, link_template="https://x/{path}#L{line}")
    svg = ET.parse(out).getroot()
    texts = svg_texts(svg)
    assert 'we"ird\\<b>&' in texts and "计算" in texts
    links = {a.get(XLINK_HREF) for a in svg.iter(f"{SVG}a") if a.get(XLINK_HREF)}
    assert "https://x/pkg/%E6%A8%A1%E5%9D%97.py#L7" in links


def test_png_and_dot_files(tmp_path):
    write_drawing(chain(), "app.api.handle", tmp_path / "graph.png")
    assert (tmp_path / "graph.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    write_drawing(chain(), "app.api.handle", tmp_path / "graph.dot")
    assert (tmp_path / "graph.dot").read_text(encoding="utf-8") == to_dot(chain(), "app.api.handle")
    write_drawing(chain(), None, tmp_path / "graph.txt", fmt="svg")  # an explicit format wins
    ET.parse(tmp_path / "graph.txt")


@pytest.mark.parametrize("name", ["graph.pdf", "graph"])
def test_unknown_format_is_a_usage_error_naming_the_accepted_ones(tmp_path, name):
    with pytest.raises(UsageError, match=r"\.svg, \.png, \.dot"):
        write_drawing(chain(), None, tmp_path / name)
    assert not (tmp_path / name).exists()


def test_missing_pygraphviz_is_one_helpful_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # makes `import pygraphviz` fail
    with pytest.raises(StackreadError, match="pip install pygraphviz"):
        write_drawing(chain(), None, tmp_path / "graph.svg")
    write_drawing(chain(), None, tmp_path / "graph.dot")  # DOT needs no Graphviz


def test_graphviz_failure_is_a_stackread_error(tmp_path, monkeypatch):
    class Broken:
        def __init__(self, string):
            pass

        def draw(self, **kwargs):
            raise ValueError("Graphviz raised a render error")

    monkeypatch.setattr(pygraphviz, "AGraph", Broken)
    with pytest.raises(StackreadError, match="Graphviz could not draw"):
        write_drawing(chain(), None, tmp_path / "graph.png")


def test_unwritable_output_is_a_stackread_error(tmp_path):
    with pytest.raises(StackreadError, match="cannot write"):
        write_drawing(chain(), None, tmp_path / "no" / "such" / "dir" / "graph.dot")


def test_tree_prints_awkward_names_literally():
    out = text_of(render_tree(weird(), WEIRD, callers=False, callees=True, depth=2))
    assert 'we"ird\\<b>&' in out and "计算  pkg/模块.py:7  ← line 4" in out
