"""`stackread callgraph` / `graph` end to end: caching, revisions, bad input, CLI."""

import json
import os
import shutil
import subprocess
import sys

import git
import pytest

from conftest import FIXTURES
from stackread.flows.callgraph import load_callgraph
from stackread.flows.reading import Reading

SMALL = {
    "pkg/__init__.py": "",
    "pkg/a.py": "from pkg import b\n\ndef run():\n    b.work()\n",
    "pkg/b.py": "def work():\n    helper()\n\ndef helper():\n    pass\n",
    "pkg/c.py": "def unused():\n    pass\n",
}


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "stackread", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


def test_editing_one_file_reparses_only_that_file(make_tree, tmp_path):
    root = make_tree(SMALL)
    cache = tmp_path / "cache"
    first = load_callgraph(Reading(root, cache_dir=cache))
    assert (first.from_cache, first.stats["parsed"]) == (False, 4)
    again = load_callgraph(Reading(root, cache_dir=cache))
    assert again.from_cache
    assert {(e.caller, e.callee) for e in again.graph.edges()} == {(e.caller, e.callee) for e in first.graph.edges()}
    (root / "pkg" / "c.py").write_text("from pkg import b\n\ndef unused():\n    b.helper()\n")
    edited = load_callgraph(Reading(root, cache_dir=cache))
    assert (edited.from_cache, edited.stats["parsed"]) == (False, 1)
    assert ("pkg.c.unused", "pkg.b.helper") in {(e.caller, e.callee) for e in edited.graph.edges()}


def test_a_corrupted_cache_is_reported_once_and_rebuilt(make_tree, tmp_path):
    root = make_tree(SMALL)
    cache = tmp_path / "cache"
    load_callgraph(Reading(root, cache_dir=cache))
    for db in (cache / "index").glob("*.sqlite"):
        db.write_bytes(b"this is not a database" * 100)
    result = load_callgraph(Reading(root, cache_dir=cache))
    assert len(result.diagnostics) == 1 and "cache" in result.diagnostics[0].message
    assert ("pkg.a.run", "pkg.b.work") in {(e.caller, e.callee) for e in result.graph.edges()}
    assert load_callgraph(Reading(root, cache_dir=cache)).from_cache


def test_no_cache_writes_nothing(make_tree, tmp_path):
    root = make_tree(SMALL)
    cache = tmp_path / "cache"
    load_callgraph(Reading(root, cache_dir=cache, use_cache=False))
    assert not cache.exists()


def test_rev_reads_the_call_graph_of_a_revision(make_tree, tmp_path):
    root = make_tree(SMALL)
    repo = git.Repo.init(root)
    with repo.config_writer() as config:
        config.set_value("user", "name", "t").set_value("user", "email", "t@example.com")
    repo.git.add(A=True)
    repo.index.commit("one")
    repo.create_tag("v1")
    (root / "pkg" / "a.py").write_text("from pkg import b\n\ndef run():\n    b.helper()\n")
    repo.git.add(A=True)
    repo.index.commit("two")
    old = load_callgraph(Reading(root, rev="v1", use_cache=False)).graph
    new = load_callgraph(Reading(root, use_cache=False)).graph
    assert {e.callee for e in old.calls_from("pkg.a.run")} == {"pkg.b.work"}
    assert {e.callee for e in new.calls_from("pkg.a.run")} == {"pkg.b.helper"}


def test_bad_files_are_skipped_with_one_warning_each(make_tree, tmp_path):
    root = make_tree({
        **SMALL,
        "pkg/py2.py": 'print "hello"\n',
        "pkg/latin.py": b"x = '\xff\xfe'\n",
        "pkg/deep.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
        "pkg/huge.py": "X = 1\n" * 900_000,
    })
    os.symlink(root / "pkg", root / "pkg" / "loop")
    result = load_callgraph(Reading(root, use_cache=False))
    warned = sorted(d.path for d in result.diagnostics)
    assert warned == ["pkg/deep.py", "pkg/huge.py", "pkg/latin.py", "pkg/py2.py"]
    assert ("pkg.a.run", "pkg.b.work") in {(e.caller, e.callee) for e in result.graph.edges()}


def test_the_analysed_code_is_never_imported(make_tree, tmp_path):
    trap = tmp_path / "IMPORTED"
    root = make_tree({
        "pkg/__init__.py": f"open({str(trap)!r}, 'w').write('x')\n",
        "pkg/mod.py": f"import os\nopen({str(trap)!r}, 'w').write('y')\n\ndef f():\n    os.getcwd()\n",
    })
    load_callgraph(Reading(root, use_cache=False))
    assert not trap.exists()


def test_old_grammar_files_are_analysed():
    # nova/compute/api.py uses `async` as a name, as Newton/Ocata did.
    graph = load_callgraph(Reading(FIXTURES / "nova-ocata", use_cache=False)).graph
    assert "nova.compute.api.API.live_migrate" in graph
    assert graph.calls_from("nova.compute.api.API.live_migrate")


def test_callgraph_json_schema(make_tree, tmp_path):
    root = make_tree(SMALL)
    result = run_cli("callgraph", str(root), "--json", "--cache-dir", str(tmp_path / "c"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"name": "pkg.b.work", "kind": "function", "path": "pkg/b.py", "line": 1} in data["nodes"]
    assert {"caller": "pkg.a.run", "callee": "pkg.b.work", "path": "pkg/a.py", "line": 4, "certain": True} in data["edges"]
    # from the cache, byte for byte the same answer
    assert run_cli("callgraph", str(root), "--json", "--cache-dir", str(tmp_path / "c")).stdout == result.stdout


def test_graph_command_tree_ambiguity_and_suggestions(make_tree, tmp_path):
    root = make_tree({**SMALL, "pkg/d.py": "def work():\n    pass\n"})
    cache = ["--cache-dir", str(tmp_path / "c")]
    tree = run_cli("graph", "a.run", "-C", str(root), *cache)
    assert tree.returncode == 0 and "b.work" not in tree.stdout.split("\n")[0] and "work" in tree.stdout
    ambiguous = run_cli("graph", "work", "-C", str(root), *cache)
    assert ambiguous.returncode == 1 and "pkg.b.work" in ambiguous.stderr and "pkg.d.work" in ambiguous.stderr
    unknown = run_cli("graph", "b.wrok", "-C", str(root), *cache)
    assert unknown.returncode == 1 and "did you mean" in unknown.stderr and "pkg.b.work" in unknown.stderr
    assert "Traceback" not in ambiguous.stderr + unknown.stderr


def test_graph_command_writes_svg_and_dot(make_tree, tmp_path):
    root = make_tree(SMALL)
    svg, dot = tmp_path / "g.svg", tmp_path / "g.dot"
    assert run_cli("graph", "pkg.a.run", "-C", str(root), "-o", str(svg), "--no-cache").returncode == 0
    assert svg.read_text().lstrip().startswith(("<?xml", "<!DOCTYPE", "<svg"))
    assert run_cli("graph", "pkg.a.run", "-C", str(root), "-o", str(dot), "--no-cache").returncode == 0
    assert '"pkg.b.work"' in dot.read_text()


def test_the_graph_is_the_same_whatever_the_hash_seed():
    outputs = {run_cli("callgraph", str(FIXTURES / seed_tree), "--json", "--no-cache",
                       env={"PYTHONHASHSEED": seed}).stdout
               for seed_tree in ("nova-ocata",) for seed in ("1", "2", "3")}
    assert len(outputs) == 1 and '"edges"' in outputs.pop()


def test_summaries_of_another_format_are_never_used(make_tree, tmp_path, monkeypatch):
    from stackread.flows import treekey
    from stackread.index import build, summary

    root = make_tree(SMALL)
    cache = tmp_path / "cache"
    load_callgraph(Reading(root, cache_dir=cache))
    newer = summary.FORMAT + 1
    for module in (summary, build, treekey):
        monkeypatch.setattr(module, "FORMAT", newer)
    again = load_callgraph(Reading(root, cache_dir=cache))
    assert (again.from_cache, again.stats["parsed"]) == (False, 4)


def test_graph_json_is_the_neighbourhood_in_callgraph_json_shape(make_tree, tmp_path):
    root = make_tree({**SMALL, "pkg/p.py": "import os\n\nclass Base:\n    def run(self):\n        self.go()\n"
                      "        os.getcwd()\n\n    def go(self):\n        pass\n\nclass Sub(Base):\n"
                      "    def go(self):\n        pass\n"})
    result = run_cli("graph", "Base.run", "-C", str(root), "--json", "--no-cache", "--depth", "1")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["symbol"], data["depth"], data["callers"], data["callees"]) == ("pkg.p.Base.run", 1, True, True)
    assert {"name": "pkg.p.Base.run", "kind": "method", "path": "pkg/p.py", "line": 4} in data["nodes"]
    edges = {(e["callee"], e["path"], e["line"], e["certain"]) for e in data["edges"]}
    assert edges == {("pkg.p.Base.go", "pkg/p.py", 5, False), ("pkg.p.Sub.go", "pkg/p.py", 5, False)}
    assert {"caller": "pkg.p.Base.run", "callee": "os.getcwd", "path": "pkg/p.py", "line": 6} in data["external"]
    assert "pkg.b.work" not in {n["name"] for n in data["nodes"]}
    # the same record shapes as `callgraph --json`, so one reader handles both
    whole = json.loads(run_cli("callgraph", str(root), "--json", "--no-cache").stdout)
    for key in ("nodes", "edges", "external"):
        assert all(record in whole[key] for record in data[key])
