"""A flow through a file that could not be read or parsed says where it is cut, and exits 1 (issue 12).

Before, the walk stopped silently at the skipped file: 0 hops, exit 0, and "reaches no other
process". Now the call into the skipped module is a step of kind "cut", in the text, the JSON,
both drawings and the breakpoints, with an error naming the call's path:line.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import write_tree
from test_flowdiff import MINI

from stackread.cli import cli
from stackread.flows.cuts import cuts_of
from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation
from stackread.render import trace as text_view
from stackread.render.flow import Note, sequence, walk
from stackread.render.sequence_svg import to_svg
from stackread.render.sequence_text import to_mermaid, to_seqdiag
from stackread.render.trace_graph import to_dot

BROKEN = "def broken(:\n"
SERVERS = "nova/api/openstack/compute/servers.py"


def cut_tree(tmp_path, **changes):
    return write_tree(tmp_path / "nova", {**MINI, **changes})


def where(trace):
    return [(c.process, c.path, c.line, c.module, c.skipped_path, c.skipped_line) for c in cuts_of(trace.root)]


def errors(trace):
    return [(d.path, d.line) for d in trace.diagnostics if d.severity.value == "error"]


def uncached(root):
    return trace_operation(Reading(root, use_cache=False), "create_server")


def test_a_call_into_a_module_that_does_not_parse_is_where_the_flow_is_cut(tmp_path):
    trace = uncached(cut_tree(tmp_path, **{"nova/conductor/rpcapi.py": BROKEN}))
    assert trace.hops == []
    assert where(trace) == [("nova-api", SERVERS, 10, "nova.conductor.rpcapi", "nova/conductor/rpcapi.py", 1)]
    cut = trace.root.children[0]
    assert (cut.kind, cut.cut) == ("cut", "flow cut: nova/conductor/rpcapi.py could not be parsed "
                                          "(line 1: does not parse: invalid syntax)")
    assert not any("reaches no other process" in note for note in trace.notes)
    assert any(f"the flow is cut at {SERVERS}:10" in note for note in trace.notes)
    assert errors(trace) == [(SERVERS, 10)]


def test_a_name_imported_from_a_skipped_module_cuts_the_flow_too(tmp_path):
    servers = MINI[SERVERS].replace("from nova.conductor import rpcapi as conductor_rpcapi",
                                    "from nova.conductor.rpcapi import ComputeTaskAPI").replace(
        "conductor_rpcapi.ComputeTaskAPI()", "ComputeTaskAPI()")
    trace = uncached(cut_tree(tmp_path, **{SERVERS: servers, "nova/conductor/rpcapi.py": BROKEN}))
    assert [c[:4] for c in where(trace)] == [("nova-api", SERVERS, 10, "nova.conductor.rpcapi")]


def test_a_send_whose_serving_manager_does_not_parse_is_cut_at_the_send(tmp_path):
    manager = MINI["nova/conductor/manager.py"] + "\ndef broken(:\n"
    trace = uncached(cut_tree(tmp_path, **{"nova/conductor/manager.py": manager}))
    assert trace.hops == []
    assert [c[:4] for c in where(trace)] == [("nova-api", "nova/conductor/rpcapi.py", 13, "nova.conductor.manager")]


def test_a_skipped_module_off_the_flow_cuts_nothing(tmp_path):
    trace = uncached(cut_tree(tmp_path, **{"nova/unused.py": BROKEN}))
    assert len(trace.hops) == 2 and where(trace) == [] and errors(trace) == []


def test_an_unreadable_module_on_the_flow_is_a_cut_with_its_reason(tmp_path, monkeypatch):
    # Tests run as root, where chmod 000 does not stop a read: the open itself is refused instead,
    # as the kernel refuses it to anyone else.
    root = cut_tree(tmp_path)
    target = os.path.realpath(root / "nova/conductor/rpcapi.py")
    real_open = os.open

    def refusing_open(path, *args, **kwargs):
        if os.fspath(path) == target:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    result = CliRunner().invoke(cli, ["trace", "create_server", "-C", str(root), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert ("flow cut: nova/conductor/rpcapi.py could not be read (cannot read: Permission denied)"
            in result.stdout)
    assert "warning: nova/conductor/rpcapi.py: cannot read: Permission denied; skipped" in result.stderr
    assert f"error: {SERVERS}:10: flow cut: nova/conductor/rpcapi.py could not be read" in result.stderr


def test_the_cut_is_in_the_json_and_in_both_drawings(tmp_path):
    trace = uncached(cut_tree(tmp_path, **{"nova/conductor/rpcapi.py": BROKEN}))
    data = json.loads(json.dumps(text_view.to_json(trace)))
    assert data["cuts"] == [{"process": "nova-api", "function": "nova.api.openstack.compute.servers.ServersController.create",
                             "path": SERVERS, "line": 10, "module": "nova.conductor.rpcapi",
                             "skipped_path": "nova/conductor/rpcapi.py", "skipped_line": 1,
                             "text": trace.root.children[0].cut}]
    step = data["steps"][0]["children"][0]
    assert (step["kind"], step["call_line"], step["cut"]) == ("cut", 10, trace.root.children[0].cut)
    assert data["steps"][0]["cut"] is None

    dot = to_dot(trace)
    assert 'label="flow cut\\nnova/conductor/rpcapi.py\\ncould not be parsed' in dot and "#fde0e0" in dot
    notes = [item for item in walk(sequence(trace).items) if isinstance(item, Note) and item.cut]
    assert [(n.lane, n.text) for n in notes] == [("nova-api", trace.root.children[0].cut)]
    assert "Note over P1: flow cut: nova/conductor/rpcapi.py could not be parsed" in to_mermaid(sequence(trace))
    assert "=== flow cut: nova/conductor/rpcapi.py" in to_seqdiag(sequence(trace))
    assert b"#fde0e0" in to_svg(sequence(trace)).replace(b"'", b'"')


def test_a_cut_survives_the_cache(tmp_path):
    root = cut_tree(tmp_path, **{"nova/conductor/rpcapi.py": BROKEN})
    first = trace_operation(Reading(root, cache_dir=tmp_path / "cache"), "create_server")
    again = trace_operation(Reading(root, cache_dir=tmp_path / "cache"), "create_server")
    assert where(again) == where(first) and errors(again) == errors(first) == [(SERVERS, 10)]
    assert again.root.children[0].cut == first.root.children[0].cut


def test_breakpoints_say_where_the_flow_is_cut(tmp_path):
    root = cut_tree(tmp_path, **{"nova/conductor/rpcapi.py": BROKEN})
    result = CliRunner().invoke(cli, ["breakpoints", "create_server", "-C", str(root), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert f"# nova-api: the flow is cut at {SERVERS}:10: nova/conductor/rpcapi.py could not be parsed" in result.stdout
    assert "reaches no other process" not in result.stdout


def test_a_flow_diff_against_a_cut_flow_says_so_and_exits_1(tmp_path):
    whole = write_tree(tmp_path / "whole", MINI)
    cut = cut_tree(tmp_path, **{"nova/conductor/rpcapi.py": BROKEN})
    result = CliRunner().invoke(cli, ["trace", "create_server", "-C", str(whole), "--diff", str(cut), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert "2 removed" in result.stdout and "the flow is cut at" in result.stdout
    assert "rpcapi  nova/conductor/rpcapi.py:1" not in result.stdout  # a cut is not a step on the path


# -- real Nova -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nova_cut(real_release, tmp_path_factory):
    """Nova 34.0.0 with nova/conductor/rpcapi.py made unparseable: the package hard-linked (copied
    where links cannot be made), the one file replaced, never written through a link."""
    release = real_release("nova-current")
    root = tmp_path_factory.mktemp("nova-cut") / "nova-34.0.0"

    def link(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(release / "nova", root / "nova", copy_function=link)
    for name in ("setup.cfg", "setup.py", "pyproject.toml", "PKG-INFO"):
        if (release / name).exists():
            shutil.copy2(release / name, root / name)
    rpcapi = root / "nova/conductor/rpcapi.py"
    original = rpcapi.read_bytes()
    rpcapi.unlink()
    rpcapi.write_bytes(b"def broken(:\n" + original)
    return root


def run(*args, cache) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stackread", *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "STACKREAD_CACHE_DIR": str(cache)})


def test_real_nova_with_an_unparseable_conductor_rpcapi_says_where_the_flow_is_cut(nova_cut, tmp_path):
    result = run("trace", "create_server", "-C", str(nova_cut), cache=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "ComputeTaskAPI.schedule_and_build_instances nova/conductor/api.py" in result.stdout
    assert ("flow cut: nova/conductor/rpcapi.py could not be parsed (line 1: does not parse: invalid syntax)"
            in result.stdout)
    assert "=cast=>" not in result.stdout
    assert "error: nova/conductor/api.py:134: flow cut: nova/conductor/rpcapi.py" in result.stderr
    assert "warning: nova/conductor/rpcapi.py:1: does not parse: invalid syntax; skipped" in result.stderr

    plan = run("breakpoints", "create_server", "-C", str(nova_cut), cache=tmp_path)
    assert plan.returncode == 1
    assert "# nova-api: the flow is cut at nova/conductor/api.py:134" in plan.stdout
    assert "reaches no other process" not in plan.stdout
