"""`stackread trace -o`: create server on real Nova drawn as a call graph and a sequence diagram."""

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from stackread.cli import cli
from stackread.render.diagram import Choice, render
from stackread.flows.trace import trace_operation

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
    top_texts = [_text(t) for t in graph_svg.find(f"{SVG}g").findall(f"{SVG}text")]
    assert "create_server: POST /servers" in top_texts  # the title says what flow this is


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
    # A published release (its sdist has PKG-INFO): the code at its tag on opendev, not the cache's copy.
    assert spawn[0].get(XLINK_HREF) == ("https://opendev.org/openstack/nova/src/tag/34.0.0/"
                                        f"nova/virt/libvirt/driver.py#L{line}")


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


# -- the sequence view -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sequence_svg(create_server):
    return ET.fromstring(render(create_server, Choice("svg", "sequence")))


def _label(group) -> str:
    return "".join(_text(t) for t in group.iter(f"{SVG}text"))


def _groups(svg, cls):
    return [g for g in svg.iter(f"{SVG}g") if (g.get("class") or "").split()[:1] == [cls]]


def test_sequence_lifelines_client_left_processes_then_driver_and_services_right(sequence_svg):
    lanes = [(g.get("data-lane"), g.get("data-kind")) for g in _groups(sequence_svg, "lifeline")]
    names = [name for name, _ in lanes]
    assert names[:5] == ["client", *PROCESSES]
    kinds = [kind for _, kind in lanes]
    assert kinds[5] == "driver" and names[5] == "libvirt"
    assert set(names[6:]) == {"neutron", "glance", "cinder", "placement"} and set(kinds[6:]) == {"service"}
    # Lanes run left to right in that order, each headed by its name at the top and the foot.
    xs = [float(next(g.iter(f"{SVG}line")).get("x1")) for g in _groups(sequence_svg, "lifeline")]
    assert xs == sorted(xs)
    for g in _groups(sequence_svg, "lifeline"):
        assert [_text(t) for t in g.iter(f"{SVG}text")] == [g.get("data-lane")] * 2


def test_sequence_has_an_arrow_per_hop_in_flow_order_and_returns_for_calls(sequence_svg, create_server):
    messages = [(g.get("data-from"), g.get("data-kind"), g.get("data-to"), _label(g))
                for g in _groups(sequence_svg, "message")]
    hops = [m for m in messages if m[1] in ("cast", "call")]
    assert hops == [(h.source, h.kind, h.target, h.method + (" (fanout)" if h.fanout else ""))
                    for h in default_hops(create_server)]
    assert messages[0] == ("client", "request", "nova-api", "POST /servers")
    # The API answers the client as soon as it has cast to the conductor: a cast does not wait.
    cast = messages.index(("nova-api", "cast", "nova-conductor", "schedule_and_build_instances"))
    assert messages[cast + 1] == ("nova-api", "return", "client", "response")
    assert ("nova-scheduler", "return", "nova-conductor", "select_destinations") in messages
    assert not any(m[1] == "return" and m[3] == "build_and_run_instance" for m in messages), "a cast does not return"
    assert ("nova-compute", "invoke", "libvirt", "LibvirtDriver.spawn") in messages
    assert any(m[2] == "neutron" and m[3] == "API.allocate_for_instance" for m in messages)
    # Drawn differently: a cast dashed, a call not.
    style = {g.get("data-kind"): next(g.iter(f"{SVG}line")).get("stroke-dasharray")
             for g in _groups(sequence_svg, "message") if g.get("data-from") != g.get("data-to")}
    assert style["cast"] and not style["call"] and style["return"]


def test_sequence_activation_bars_notes_and_frames(sequence_svg):
    bars = {r.get("data-lane") for r in sequence_svg.iter(f"{SVG}rect") if r.get("class") == "activation"}
    assert bars == set(PROCESSES)
    notes = {_text(next(g.iter(f"{SVG}text"))) for g in _groups(sequence_svg, "note")}
    assert {"ServersController.create", "ComputeManager.build_and_run_instance"} <= notes
    frames = {g.get("data-kind") for g in _groups(sequence_svg, "frame")}
    assert frames == {"opt", "alt", "loop"}
    labels = " ".join(_text(g) for g in _groups(sequence_svg, "frame-label"))
    assert "[self.send_instance_updates]" in labels  # the fanout cast to the scheduler is conditional
    assert "for (build_request, request_spec, host_list, instance) in zipped" in labels


def test_sequence_labels_link_to_the_source(sequence_svg, nova):
    spawn = next(g for g in _groups(sequence_svg, "message") if _label(g) == "LibvirtDriver.spawn")
    href = next(spawn.iter(f"{SVG}a")).get("href")
    assert href.startswith("https://opendev.org/openstack/nova/src/tag/34.0.0/nova/virt/libvirt/driver.py#L")


def test_mermaid_plantuml_and_seqdiag_say_the_same_flow(create_server):
    mermaid = render(create_server, Choice("mermaid", "sequence")).decode()
    assert mermaid.startswith("sequenceDiagram\n")
    alias = dict(line.split()[-1:] + line.split()[1:2] for line in mermaid.splitlines()
                 if line.strip().startswith("participant"))
    assert list(alias)[:5] == ["client", *PROCESSES]
    a = alias
    assert f"{a['nova-api']}--){a['nova-conductor']}: schedule_and_build_instances" in mermaid
    assert f"{a['nova-conductor']}->>{a['nova-scheduler']}: select_destinations" in mermaid
    assert f"{a['nova-scheduler']}-->>{a['nova-conductor']}: select_destinations" in mermaid
    words = [line.split()[0] for line in mermaid.splitlines()[1:]]
    assert words.count("end") == sum(words.count(w) for w in ("opt", "alt", "loop"))
    assert words.count("activate") == words.count("deactivate")

    plantuml = render(create_server, Choice("plantuml", "sequence")).decode()
    assert plantuml.startswith("@startuml\n") and plantuml.endswith("@enduml\n")
    assert "P1 ->> P2 : schedule~_and~_build~_instances" not in plantuml  # single _ is no markup
    assert "->> P2 : schedule_and_build_instances" in plantuml
    assert "-[bold]> P3 : select_destinations" in plantuml

    seqdiag = render(create_server, Choice("seqdiag", "sequence")).decode()
    assert seqdiag.startswith("seqdiag {") and seqdiag.rstrip().endswith("}")
    assert '"nova-api" ->> "nova-conductor" [label = "schedule_and_build_instances", style = dashed' in seqdiag
    assert '"nova-conductor" <-- "nova-scheduler" [label = "select_destinations"]' in seqdiag


def test_text_formats_print_to_stdout_and_json_matches_trace_json(nova):
    runner = CliRunner()
    result = runner.invoke(cli, ["trace", "create_server", "-C", str(nova), "--format", "mermaid"])
    assert result.exit_code == 0 and result.stdout.startswith("sequenceDiagram")
    drawn = runner.invoke(cli, ["trace", "create_server", "-C", str(nova), "--format", "json"])
    plain = runner.invoke(cli, ["trace", "create_server", "-C", str(nova), "--json"])
    assert json.loads(drawn.stdout) == json.loads(plain.stdout)


@pytest.mark.parametrize("operation", ["resize", "live-migrate"])
def test_other_move_operations_render_in_every_view_and_format(nova, operation):
    trace = trace_operation(nova, operation)
    sequence = ET.fromstring(render(trace, Choice("svg", "sequence")))
    lanes = [g.get("data-lane") for g in _groups(sequence, "lifeline")]
    # A move's two hosts are two lifelines (flows/hosts.py).
    assert lanes[:3] == ["client", "nova-api", "nova-conductor"]
    assert {"nova-compute (source)", "nova-compute (dest)"} <= set(lanes)
    graph = ET.fromstring(render(trace, Choice("svg", "graph")))
    assert graph.tag == f"{SVG}svg"
    for fmt in ("mermaid", "plantuml", "seqdiag"):
        text = render(trace, Choice(fmt, "sequence")).decode()
        assert "nova-conductor" in text
    assert render(trace, Choice("dot", "graph")).startswith(b"digraph")
