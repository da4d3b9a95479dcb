"""Deep but valid code (generated tables, long elif ladders, inheritance chains) never costs the answer.

Each shape is as deep as `ast.parse` builds it; the analysis goes on around it, finds the edges
and hops next to it, and at most warns (with path:line) where it had to cut a chain short.
"""

import subprocess
import sys
import textwrap

from conftest import write_tree
from test_flowdiff import MINI

from stackread.flows.callgraph import load_callgraph
from stackread.flows.reading import Reading
from stackread.flows.entrypoints import find_entrypoints
from stackread.source.parsing import parse_source
from stackread.index.summary import summarize
from stackread.flows.trace import trace_operation


def elif_ladder(n: int) -> str:
    branches = "".join(f"            elif kind == {i}:\n                helper()\n" for i in range(1, n))
    return f"            if kind == 0:\n                helper()\n{branches}"


def deep_module() -> str:
    """One function per deep shape, each next to a plain call that must still be found."""
    chain_of_plus = " + ".join(["a"] * 2000)
    return "\n".join([
        "def helper(*args):",
        "    return 1",
        "",
        "def ladder(kind):",
        elif_ladder(1000).replace("            ", "    ").rstrip("\n"),
        "    helper()",
        "",
        "def plus(a):",
        f"    return {chain_of_plus} + helper()",
        "",
        "def attributes(a):",
        "    helper()",
        "    return a" + ".b" * 2000,
        "",
        "def method_chain(a):",
        "    helper()",
        "    return a" + ".f()" * 1400,
        "",
        "def nested_calls(a):",
        "    return " + "helper(" * 180 + "a" + ")" * 180,
        "",
        "".join("    " * i + f"def nested{i}():\n" for i in range(90)) + "    " * 90 + "helper()",
        "",
    ])


def class_chain(n: int) -> str:
    lines = ["class C0(object):", "    def m(self):", "        pass", ""]
    for i in range(1, n):
        lines += [f"class C{i}(C{i - 1}):", "    pass", ""]
    lines += ["def use():", f"    C{n - 1}().m()", ""]
    return "\n".join(lines)


def names_chain(n: int) -> str:
    lines = ["def helper():", "    pass", "", "a0 = helper"]
    lines += [f"a{i} = a{i - 1}" for i in range(1, n)]
    lines += ["", "def use():", "    helper()", f"    a{n - 1}()", ""]
    return "\n".join(lines)


DEEP = {
    "pkg/__init__.py": "",
    "pkg/deep.py": deep_module(),
    "pkg/classes.py": class_chain(600),
    "pkg/names.py": names_chain(2000),
}


def edges(result) -> set[tuple[str, str]]:
    return {(e.caller, e.callee) for e in result.graph.edges()}


def test_each_deep_shape_is_read_and_the_calls_around_it_are_found(make_tree):
    root = make_tree(DEEP)
    result = load_callgraph(Reading(root, use_cache=False))
    found = edges(result)
    for caller in ("ladder", "plus", "attributes", "method_chain", "nested_calls"):
        assert (f"pkg.deep.{caller}", "pkg.deep.helper") in found, caller
    assert ("pkg.deep." + ".".join(f"nested{i}" for i in range(90)), "pkg.deep.helper") in found
    assert ("pkg.classes.use", "pkg.classes.C0.m") in found  # through 600 classes' MRO
    assert ("pkg.names.use", "pkg.names.helper") in found
    assert result.stats["skipped_files"] == 0
    warned = {(d.path, d.line): d.message for d in result.diagnostics}
    # The ladder's conditions are cut past 64; the 2000-long chain of names is cut where it is used.
    assert any(path == "pkg/deep.py" and "conditions nested more than 64" in m for (path, _), m in warned.items())
    assert any(where == ("pkg/names.py", 2007) and "too deep to follow" in m for where, m in warned.items())


def test_a_ladder_is_summarised_as_a_short_one_would_be():
    text = "def f(kind):\n" + elif_ladder(300).replace("            ", "    ")
    summary = summarize(*parse_source(text.encode(), "ladder.py"))
    assert len(summary["defs"]) == 1 and summary["warnings"][0][0] == 130  # the 65th branch
    short = summarize(*parse_source(("def f(kind):\n" + elif_ladder(3).replace("            ", "    ")).encode(), "s.py"))
    assert "warnings" not in short
    assert short["contexts"] == ('[[["if","kind == 0",2]],[["else","kind == 0",2],["if","kind == 1",4]],'
                                 '[["else","kind == 0",2],["else","kind == 1",4],["if","kind == 2",6]]]')


def test_a_file_too_deep_for_ast_is_skipped_with_a_warning(make_tree):
    root = make_tree({"pkg/__init__.py": "", "pkg/ok.py": "def f():\n    g()\ndef g():\n    pass\n",
                      "pkg/huge.py": "x = " + "-" * 5000 + "1\n"})
    result = load_callgraph(Reading(root, use_cache=False))
    assert ("pkg.ok.f", "pkg.ok.g") in edges(result)
    assert [(d.path, "does not parse" in d.message) for d in result.diagnostics] == [("pkg/huge.py", True)]


def _deep_nova(root):
    """The mini Nova with the API controller deep in generated code: its class at the end of a chain
    of 600, its method behind an elif ladder of 1000, next to the deep module itself."""
    files = {path: textwrap.dedent(text).lstrip("\n") for path, text in MINI.items()}
    servers = files["nova/api/openstack/compute/servers.py"]
    servers = servers.replace("from nova.api.openstack import wsgi\n", "from nova.api.openstack import chain\n")
    servers = servers.replace("class ServersController(wsgi.Controller):", "class ServersController(chain.C599):")
    ladder = elif_ladder(1000).replace("helper()", "pass").replace("            ", "        ")
    total = "        total = " + " + ".join(["kind"] * 1500) + "\n"
    servers = servers.replace("    def create(self, req, body):\n",
                              "    def create(self, req, body):\n        kind = body\n" + total + ladder)
    assert ladder in servers
    files["nova/api/openstack/compute/servers.py"] = servers
    files["nova/api/openstack/chain.py"] = "from nova.api.openstack import wsgi\n\n" + class_chain(600).replace(
        "class C0(object):", "class C0(wsgi.Controller):")
    files["nova/deep.py"] = deep_module()
    # Service.create's defaults are run statement by statement: a ladder and a tower of `not`s first.
    ladder = elif_ladder(1000).replace("kind ==", "binary == 'nova-x%d' %").replace("helper()", "pass")
    service = files["nova/service.py"].replace(
        "        if not manager:\n",
        ladder.replace("            ", "        ") + "        if " + "not " * 1500 + "binary:\n            pass\n"
        "        if not manager:\n")
    # A module-level ladder binding a name, and one in the router that the route reader runs.
    service += "\n" + ladder.replace("            ", "").replace("pass", "LEVEL = 1")
    files["nova/service.py"] = service
    routes = files["nova/api/openstack/compute/routes.py"]
    files["nova/api/openstack/compute/routes.py"] = routes.replace(
        "    def __init__(self):\n", "    def __init__(self, binary=None):\n" + ladder.replace("            ", "        "))
    assert ladder.replace("            ", "        ") in files["nova/api/openstack/compute/routes.py"]
    return write_tree(root, files)


def test_trace_and_entrypoints_go_through_deep_code(tmp_path):
    root = _deep_nova(tmp_path / "nova")
    trace = trace_operation(Reading(root, cache_dir=tmp_path / "cache"), "create_server")
    assert [(h.source, h.kind, h.target, h.method) for h in trace.hops] == [
        ("nova-api", "cast", "nova-conductor", "build_instances"),
        ("nova-conductor", "cast", "nova-compute", "build_and_run_instance")]
    services = {ep.name: ep.service.manager for ep in find_entrypoints(root).entrypoints if ep.service}
    assert services == {"nova-compute": "nova.compute.manager.ComputeManager",
                        "nova-conductor": "nova.conductor.manager.ConductorManager"}


def test_routes_are_read_through_a_router_with_a_ladder_and_a_controller_600_classes_down(tmp_path):
    from stackread.flows.routes import find_routes

    root = _deep_nova(tmp_path / "nova")
    routes = {(r.verb, r.path, r.controller) for r in find_routes(root).routes}
    assert ("POST", "/servers", "nova.api.openstack.compute.servers.ServersController.create") in routes


def test_the_evaluator_follows_a_600_class_chain_and_a_chain_of_500_star_imports(make_tree):
    from stackread.diagnostics import Diagnostics
    from stackread.program.evaluate import Evaluator
    from stackread.program.modules import ModuleIndex
    from stackread.source.trees import open_tree

    files = {"pkg/__init__.py": "", "pkg/classes.py": class_chain(600).replace("    def m(self):\n        pass",
                                                                                "    VALUE = 'deep'")}
    for i in range(500):
        files[f"pkg/star{i}.py"] = f"from pkg.star{i + 1} import *\n" if i < 499 else "NAME = 'found'\n"
    for i in range(10):
        files[f"pkg/near{i}.py"] = f"from pkg.near{i + 1} import NAME\n" if i < 9 else "NAME = 'near'\n"
    index = ModuleIndex(open_tree(make_tree(files)), Diagnostics())
    evaluator = Evaluator(index)
    last = evaluator.module_attr(index.get("pkg.classes"), "C599").value
    assert evaluator.class_attribute(last, "VALUE").value == "deep"
    assert evaluator.module_attr(index.get("pkg.near0"), "NAME").value == "near"
    # The Program finds which module a star import brings a name from with a loop, not a recursion: found.
    assert evaluator.module_attr(index.get("pkg.star0"), "NAME").value == "found"


def test_a_module_level_ladder_binds_its_names(make_tree):
    from stackread.diagnostics import Diagnostics
    from stackread.program.modules import ModuleIndex
    from stackread.source.trees import open_tree

    ladder = elif_ladder(1500).replace("            ", "").replace("helper()", "LEVEL = 1")
    index = ModuleIndex(open_tree(make_tree({"pkg/__init__.py": "", "pkg/m.py": ladder + "LAST = 2\n"})), Diagnostics())
    bindings = index.get("pkg.m").bindings
    assert len(bindings["LEVEL"]) == 1500 and "LAST" in bindings


def test_the_commands_answer_on_deep_code_without_a_traceback(tmp_path):
    root = _deep_nova(tmp_path / "nova")
    env_cache = ["--cache-dir", str(tmp_path / "cache")]
    for args in (["callgraph", str(root), *env_cache], ["entrypoints", str(root)], ["rpc", str(root), *env_cache],
                 ["routes", str(root)], ["trace", "create_server", "-C", str(root), *env_cache],
                 ["graph", "ServersController.create", "-C", str(root), *env_cache],
                 ["breakpoints", "create_server", "-C", str(root), *env_cache],
                 ["breakpoints", "create_server", "-C", str(root), "--insert", "--force", *env_cache],
                 ["breakpoints", "create_server", "-C", str(root), "--remove", "--force", *env_cache]):
        done = subprocess.run([sys.executable, "-m", "stackread", *args], capture_output=True, text=True, timeout=300,
                              env={"STACKREAD_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin",
                                   "PYTHONPATH": ":".join(sys.path)})
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, (args, done.stderr)
        assert done.returncode in (0, 1) and done.stdout, (args, done.stderr)


def test_breakpoints_go_in_and_out_of_deep_files_byte_for_byte():
    import ast

    from stackread.source import edits

    ladder = "def f(kind):\n" + elif_ladder(2500).replace("            ", "    ") + "    helper()\n"
    plus = "def f(a):\n    x = " + " + ".join(["a"] * 2500) + "\n    helper()\n"
    for source in (ladder, plus):
        data = source.encode()
        last = len(edits.statements_in_order(ast.parse(data))) - 1
        result = edits.insert_breakpoints(data, {0}, {last})
        assert (result.inserted, result.unplaced) == (2, [])
        assert edits.remove_breakpoints(result.data) == (data, 2)


def test_a_chain_is_cut_at_the_same_place_however_deep_the_caller_already_is(make_tree):
    """pytest runs the engine some 60 frames deeper than a shell, and both write one cache: the cut, so
    the graph, must not move with the caller's stack."""
    root = make_tree({"pkg/__init__.py": "", "pkg/names.py": names_chain(2000)})

    def answer():
        result = load_callgraph(Reading(root, use_cache=False))
        return edges(result), sorted(d.message for d in result.diagnostics)

    def deeper(frames: int):
        return answer() if frames == 0 else deeper(frames - 1)

    shallow = answer()
    assert any("too deep to follow" in message for message in shallow[1])
    assert deeper(150) == shallow
