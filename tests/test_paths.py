"""`stackread graph A --to B`: shortest call chains across RPC hops; GraphML for Gephi and yEd."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import write_tree
from stackread.flows.callgraph import load_callgraph
from stackread.flows.paths import PathQuestion, chains_of
from stackread.flows.reading import Reading
from test_rpc import MINI_NOVA

G = "{http://graphml.graphdrawing.org/xmlns}"

# MINI_NOVA's conductor and compute, with an API above them: the API casts build_instances to the
# conductor, whose endpoint casts build_and_run_instance to compute, which spawns in-process.
TREE = {
    **MINI_NOVA,
    "nova/api.py": """
        from nova.conductor import rpcapi

        class API(object):
            def __init__(self):
                self.tasks = rpcapi.ComputeTaskAPI()

            def create(self, ctxt):
                self._prepare(ctxt)
                self.tasks.build_instances(ctxt)

            def _prepare(self, ctxt):
                return local_step(ctxt)

        def local_step(ctxt):
            return deeper(ctxt)

        def deeper(ctxt):
            return ctxt

        def lonely():
            pass
        """,
    "nova/conductor/manager.py": MINI_NOVA["nova/conductor/manager.py"].replace(
        """        class ComputeTaskManager(object):
            target = messaging.Target(namespace='compute_task', version='1.20')

            def build_instances(self, ctxt, **kw):
                pass""",
        """        class ComputeTaskManager(object):
            target = messaging.Target(namespace='compute_task', version='1.20')

            def build_instances(self, ctxt, **kw):
                from nova.compute import rpcapi
                rpcapi.ComputeAPI().build_and_run_instance(ctxt, None, 'host')"""),
    "nova/compute/manager.py": MINI_NOVA["nova/compute/manager.py"].replace(
        """            def build_and_run_instance(self, ctxt, instance):
                pass

            def get_console_output""",
        """            def build_and_run_instance(self, ctxt, instance):
                self._spawn(instance)

            def _spawn(self, instance):
                return instance

            def get_console_output"""),
}


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "stackread", *args], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ))


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return write_tree(tmp_path_factory.mktemp("paths") / "nova", TREE)


def chains(tree, source, target, k=3):
    reading = Reading(tree, use_cache=False)
    return chains_of(reading, load_callgraph(reading).graph, PathQuestion(source, target, k))[0]


def test_a_chain_within_one_process(tree):
    found = chains(tree, "API.create", "deeper")
    assert [[h.callee for h in chain] for chain in found.chains] == [
        ["nova.api.API._prepare", "nova.api.local_step", "nova.api.deeper"]]
    first = found.chains[0][0]
    assert (first.path, first.line, first.rpc) == ("nova/api.py", 8, None)


def test_a_chain_crosses_rpc_casts_into_the_endpoints(tree):
    (chain,) = chains(tree, "nova.api.API.create", "ComputeManager._spawn").chains
    assert [h.callee for h in chain] == [
        "nova.conductor.rpcapi.ComputeTaskAPI.build_instances",
        "nova.conductor.manager.ComputeTaskManager.build_instances",
        "nova.compute.rpcapi.ComputeAPI.build_and_run_instance",
        "nova.compute.manager.ComputeManager.build_and_run_instance",
        "nova.compute.manager.ComputeManager._spawn"]
    rpc = [(h.rpc, h.method, h.service, h.path) for h in chain if h.rpc]
    assert rpc == [("cast", "build_instances", "nova-conductor", "nova/conductor/rpcapi.py"),
                   ("cast", "build_and_run_instance", "nova-compute", "nova/compute/rpcapi.py")]


def test_the_cli_prints_one_hop_a_line_and_json(tree, tmp_path):
    cache = ["--cache-dir", str(tmp_path / "c")]
    text = run_cli("graph", "API.create", "--to", "ComputeManager._spawn", "-C", str(tree), *cache)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert "=cast=> nova.conductor.manager.ComputeTaskManager.build_instances" in text.stdout
    assert any("[cast build_and_run_instance to nova-compute]  nova/compute/rpcapi.py:" in line for line in lines)
    assert "  -> nova.compute.manager.ComputeManager._spawn  nova/compute/manager.py:" in text.stdout
    data = json.loads(run_cli("graph", "API.create", "--to", "ComputeManager._spawn", "-C", str(tree), *cache,
                              "--json").stdout)
    (chain,) = data["chains"]
    assert data["source"]["name"] == "nova.api.API.create" and len(chain["nodes"]) == len(chain["hops"]) + 1
    assert [h["rpc"] for h in chain["hops"]] == [None, "cast", None, "cast", None]


def test_no_chain_is_said_and_exits_1(tree, tmp_path):
    cache = ["--cache-dir", str(tmp_path / "c")]
    none = run_cli("graph", "nova.api.lonely", "--to", "nova.api.deeper", "-C", str(tree), *cache)
    assert none.returncode == 1 and none.stdout == ""
    assert "no call chain from nova.api.lonely to nova.api.deeper" in none.stderr
    backwards = run_cli("graph", "deeper", "--to", "API.create", "-C", str(tree), *cache)
    assert backwards.returncode == 1 and "swap them" in backwards.stderr
    assert json.loads(run_cli("graph", "lonely", "--to", "deeper", "-C", str(tree), *cache, "--json").stdout)[
        "chains"] == []


def test_ambiguous_and_unknown_names_get_suggestions(tree, tmp_path):
    cache = ["--cache-dir", str(tmp_path / "c")]
    ambiguous = run_cli("graph", "API.create", "--to", "build_and_run_instance", "-C", str(tree), *cache)
    assert ambiguous.returncode == 1 and "ambiguous" in ambiguous.stderr
    assert "nova.compute.manager.ComputeManager.build_and_run_instance" in ambiguous.stderr
    unknown = run_cli("graph", "API.craete", "--to", "deeper", "-C", str(tree), *cache)
    assert unknown.returncode == 1 and "did you mean" in unknown.stderr and "nova.api.API.create" in unknown.stderr
    assert "Traceback" not in ambiguous.stderr + unknown.stderr


def test_yen_gives_the_next_shortest_simple_chains(make_tree):
    from stackread.flows.paths import find_chains

    root = make_tree({"p/__init__.py": "", "p/m.py": (
        "def a():\n    b()\n    c()\n    d()\n\ndef b():\n    z()\n\ndef c():\n    z()\n\n"
        "def d():\n    e()\n\ndef e():\n    z()\n\ndef z():\n    a()\n")})
    graph = load_callgraph(Reading(root, use_cache=False)).graph
    found = find_chains(graph, [], "p.m.a", "p.m.z", 5)
    assert [[h.callee.rsplit(".", 1)[1] for h in chain] for chain in found.chains] == [
        ["b", "z"], ["c", "z"], ["d", "e", "z"]]
    assert len(find_chains(graph, [], "p.m.a", "p.m.z", 2).chains) == 2


def _graphml(data: bytes):
    root = ET.fromstring(data)
    keys = {k.get("id"): (k.get("for"), k.get("attr.name"), k.get("attr.type")) for k in root.iter(f"{G}key")}

    def values(element):
        return {keys[d.get("key")][1]: d.text for d in element.iter(f"{G}data")}

    nodes = {n.get("id"): values(n) for n in root.iter(f"{G}node")}
    edges = [(nodes[e.get("source")]["name"], nodes[e.get("target")]["name"], values(e)) for e in root.iter(f"{G}edge")]
    graph = root.find(f"{G}graph")
    return keys, graph, {v["name"]: v for v in nodes.values()}, edges


def test_chains_as_graphml_mark_the_rpc_hops(tree, tmp_path):
    out = tmp_path / "chain.graphml"
    result = run_cli("graph", "API.create", "--to", "ComputeManager._spawn", "-C", str(tree), "--no-cache",
                     "-o", str(out))
    assert result.returncode == 0, result.stderr
    keys, graph, nodes, edges = _graphml(out.read_bytes())
    assert graph.get("edgedefault") == "directed"
    assert keys["n_line"] == ("node", "line", "int") and keys["e_certain"] == ("edge", "certain", "boolean")
    assert nodes["nova.api.API.create"]["role"] == "source" and nodes["nova.api.API.create"]["path"] == "nova/api.py"
    assert nodes["nova.compute.manager.ComputeManager._spawn"]["role"] == "target"
    casts = {(a, b): e for a, b, e in edges if e.get("rpc")}
    hop = casts["nova.conductor.rpcapi.ComputeTaskAPI.build_instances",
                "nova.conductor.manager.ComputeTaskManager.build_instances"]
    assert (hop["rpc"], hop["method"], hop["service"], hop["label"]) == (
        "cast", "build_instances", "nova-conductor", "cast build_instances")
    assert len(edges) == 5 and len(nodes) == 6


def test_callgraph_and_graph_write_graphml(make_tree, tmp_path):
    root = make_tree({"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n\ndef run():\n    b.work()\n    b.work()\n",
                      "pkg/b.py": "def work():\n    helper()\n\ndef helper():\n    pass\n"})
    whole = run_cli("callgraph", str(root), "--format", "graphml", "--no-cache")
    assert whole.returncode == 0, whole.stderr
    _keys, _graph, nodes, edges = _graphml(whole.stdout.encode())
    assert nodes["pkg.b.work"]["kind"] == "function" and nodes["pkg.b.work"]["line"] == "1"
    run = [e for a, b, e in edges if (a, b) == ("pkg.a.run", "pkg.b.work")]
    assert run == [{"path": "pkg/a.py", "line": "4", "calls": "2", "certain": "true"}]
    out = tmp_path / "n.graphml"
    assert run_cli("graph", "b.work", "-C", str(root), "--no-cache", "-o", str(out)).returncode == 0
    _keys, _graph, nodes, edges = _graphml(out.read_bytes())
    assert nodes["pkg.b.work"]["role"] == "root" and "pkg.b.helper" in nodes and len(edges) == 2
    wrong = run_cli("callgraph", str(root), "-o", str(tmp_path / "x.json"), "--no-cache")
    assert wrong.returncode == 2 and "graphml" in wrong.stderr


def test_graphml_holds_text_xml_cannot_and_stays_parseable():
    from stackread.program.graph import CallGraph, Edge, Node
    from stackread.render.graphml import callgraph_graphml

    graph = CallGraph()
    graph.add_node(Node("p.a", "function", "p/\x01odd\x1b.py", 1))
    graph.add_node(Node("p.b", "function", "p/b.py", 2))
    graph.add_edge(Edge("p.a", "p.b", "p/\x01odd\x1b.py", 3, False))
    _keys, _graph, nodes, edges = _graphml(callgraph_graphml(graph))
    assert nodes["p.a"]["path"] == "p/\ufffdodd\ufffd.py"
    assert edges == [("p.a", "p.b", {"path": "p/\ufffdodd\ufffd.py", "line": "3", "calls": "1", "certain": "false"})]


def test_a_chain_from_a_definition_to_itself_is_a_usage_error(tree, tmp_path):
    same = run_cli("graph", "API.create", "--to", "nova.api.API.create", "-C", str(tree), "--cache-dir", str(tmp_path))
    assert same.returncode == 2 and "same definition" in same.stderr and "Traceback" not in same.stderr


def test_a_bad_file_is_told_once_though_calls_and_sends_both_read_it(tmp_path):
    root = write_tree(tmp_path / "nova", {**TREE, "nova/old.py": "print 'python 2'\n"})
    result = run_cli("graph", "API.create", "--to", "deeper", "-C", str(root), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("nova/old.py:1") == 1 and "-> nova.api.deeper" in result.stdout


def test_writing_graphml_leaves_the_svg_namespace_of_the_same_process_alone():
    # ElementTree's prefixes are global: the gallery's sequence SVG, written later in the same
    # process, must still come out as <svg xmlns=...>, not <ns0:svg>.
    from stackread.program.graph import CallGraph, Node
    from stackread.render.graphml import callgraph_graphml
    from stackread.render.sequence_svg import SVG_NS

    graph = CallGraph()
    graph.add_node(Node("p.a", "function", "p/a.py", 1))
    callgraph_graphml(graph)
    assert ET.tostring(ET.Element(f"{{{SVG_NS}}}svg")).startswith(b"<svg ")
