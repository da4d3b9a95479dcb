"""`stackread trace -o`: create server on real Nova drawn as a call graph and a sequence diagram."""

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from stackread.cli import cli
from stackread.render.diagram import Choice, render
from stackread.trace import trace_operation

pytestmark = pytest.mark.real

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"
PROCESSES = ["nova-api", "nova-conductor", "nova-scheduler", "nova-compute"]


@pytest.fixture(scope="module")
def nova(real_release):
    return real_release("nova-current")


@pytest.fixture(scope="module")
def create_server(nova):
    return trace_operation(nova, "create_server")


def default_hops(trace):
    return [h for h in trace.hops if h.default_path and not h.error_path]


def _text(element) -> str:
    return "".join(element.itertext()).strip()


# -- the graph view ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph_svg(create_server):
    return ET.fromstring(render(create_server, Choice("svg", "graph")))


def test_graph_has_one_cluster_per_process(graph_svg):
    clusters = [_text(g.find(f"{SVG}title")) for g in graph_svg.iter(f"{SVG}g") if g.get("class") == "cluster"]
    assert [c.removeprefix("cluster_") for c in clusters] == PROCESSES


def test_graph_rpc_edges_cross_clusters_labelled_and_styled_by_kind(graph_svg, create_server):
    edges = [g for g in graph_svg.iter(f"{SVG}g") if g.get("class") == "edge"]
    by_label = {}
    for edge in edges:
        texts = [_text(t) for t in edge.iter(f"{SVG}text")]
        path = next(edge.iter(f"{SVG}path"))
        for text in texts:
            by_label.setdefault(text, []).append(path.get("stroke-dasharray"))
    for hop in default_hops(create_server):
        label = hop.method + (" (fanout)" if hop.fanout else "")
        assert label in by_label, label
        dashed = by_label[label][0] is not None
        assert dashed == (hop.kind == "cast"), hop.method
    # The call to the scheduler comes back: a dotted edge from the endpoint to the caller.
    returns = [e for e in edges if any(a.get(XLINK_TITLE) == "select_destinations returns" for a in e.iter(f"{SVG}a"))]
    assert len(returns) == 1
    assert next(returns[0].iter(f"{SVG}path")).get("stroke-dasharray") == "1,5"  # dotted


def test_graph_nodes_link_to_the_source_with_the_line(graph_svg, create_server, nova):
    spawn = [a for a in graph_svg.iter(f"{SVG}a") if (a.get(XLINK_TITLE) or "").startswith(
        "nova.virt.libvirt.driver.LibvirtDriver.spawn\n")]
    assert spawn, "the virt driver's spawn is drawn"
    line = spawn[0].get(XLINK_TITLE).rpartition(":")[2]
    assert spawn[0].get(XLINK_HREF) == f"file://{nova.resolve().as_posix()}/nova/virt/libvirt/driver.py#L{line}"


def test_link_template_and_dot_output(create_server):
    dot = render(create_server, Choice("dot", "graph"),
                 link_template="https://example.org/nova/src/{path}#L{line}").decode()
    assert dot.startswith("digraph")
    assert '"https://example.org/nova/src/nova/virt/libvirt/driver.py#L' in dot
    assert "subgraph \"cluster_nova-compute\"" in dot


# -- the command line --------------------------------------------------------------------------


def test_cli_writes_the_file_the_suffix_names_and_rejects_unknown_ones(nova, tmp_path):
    runner = CliRunner()
    out = tmp_path / "create_server.svg"
    result = runner.invoke(cli, ["trace", "create_server", "-C", str(nova), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert ET.parse(out).getroot().tag == f"{SVG}svg"
    for args, words in [(["-o", str(tmp_path / "x.txt")], "suffix '.txt'"),
                        (["--format", "svg"], "-o FILE.svg"),
                        (["--format", "mermaid", "--view", "graph"], "sequence view"),
                        (["--format", "bmp"], "bmp")]:
        result = runner.invoke(cli, ["trace", "create_server", "-C", str(nova), *args])
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.txt").exists()
