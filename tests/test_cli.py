"""The command line's wiring: output forms, exit statuses, and no tracebacks for user mistakes."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from stackread.cli import cli


def run(*args):
    # The real entry point, so exit statuses and stderr are exactly what users get.
    return subprocess.run([sys.executable, "-m", "stackread", *args], capture_output=True, text=True, timeout=120)


def test_json_schema_on_a_fixture():
    result = CliRunner().invoke(cli, ["entrypoints", str(FIXTURES / "nova-current"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"project", "revision", "entrypoints", "diagnostics"} <= set(data)
    compute = next(ep for ep in data["entrypoints"] if ep["name"] == "nova-compute")
    assert {"name", "group", "target", "path", "line", "external", "service"} <= set(compute)
    assert compute["service"]["binary"] == "nova-compute"
    assert compute["service"]["topic"] == "compute"
    assert compute["service"]["manager"] == "nova.compute.manager.ComputeManager"
    assert compute["service"]["manager_path"] == "nova/compute/manager.py"
    assert isinstance(compute["service"]["manager_line"], int)
    rootwrap = next(ep for ep in data["entrypoints"] if ep["name"] == "nova-rootwrap")
    assert rootwrap["external"] is True and rootwrap["service"] is None and rootwrap["path"] is None


def test_text_output_groups_by_kind_and_collapses_plugins():
    result = CliRunner().invoke(cli, ["entrypoints", str(FIXTURES / "nova-ocata")])
    assert result.exit_code == 0
    out = result.output
    assert out.index("Services (RPC servers)") < out.index("WSGI servers") < out.index("Tools") < out.index("Plugins")
    assert "ComputeManager" in out and "nova/compute/manager.py:27" in out
    assert "nova.api.v21.extensions (3)" in out
    assert "AdminActions" not in out
    listed = CliRunner().invoke(cli, ["entrypoints", str(FIXTURES / "nova-ocata"), "--plugins"])
    assert "nova.api.openstack.compute.admin_actions:AdminActions" in listed.output


@pytest.mark.parametrize("args, status, message", [
    (["entrypoints", "/no/such/dir"], 2, "/no/such/dir: no such directory"),
    (["entrypoints", str(FIXTURES / "README.md")], 2, "not a directory"),
    (["entrypoints", str(FIXTURES)], 2, "no packaging metadata"),
    (["entrypoints", str(FIXTURES / "nova-ocata"), "--rev", "v1"], 2, "not a git repository"),
    (["entrypoint"], 2, "Did you mean 'entrypoints'?"),
])
def test_user_mistakes_get_one_line_and_an_exit_status(args, status, message):
    result = run(*args)
    assert result.returncode == status
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_analysis_errors_exit_1_after_the_answer(make_tree):
    root = make_tree({
        "setup.cfg": "[metadata]\nname = x\n[entry_points]\nconsole_scripts =\n    x-ok = x.ok:main\n    x-gone = x.gone:main\n",
        "x/__init__.py": "",
        "x/ok.py": "def main():\n    pass\n",
    })
    result = run("entrypoints", str(root))
    assert result.returncode == 1
    assert "x-ok" in result.stdout
    assert "error: setup.cfg:6: x-gone: target module x.gone is missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_describes_every_command():
    result = run("--help")
    assert result.returncode == 0
    for command in ("entrypoints", "get"):
        assert command in result.stdout
    assert "--rev" in run("entrypoints", "--help").stdout


def test_quiet_leaves_warnings_out_and_still_says_errors(make_tree):
    root = make_tree({
        "setup.cfg": "[metadata]\nname = pkg\n[entry_points]\nconsole_scripts =\n    good = pkg.cli:main\n    bad\n",
        "pkg/__init__.py": "",
        "pkg/cli.py": "def main():\n    pass\n",
        "pkg/old.py": "print 'python 2'\n",  # skipped with a warning
    })
    loud = run("callgraph", str(root), "--no-cache")
    assert "pkg/old.py" in loud.stderr and "warning" in loud.stderr
    quiet = run("--quiet", "callgraph", str(root), "--no-cache")
    assert quiet.returncode == loud.returncode and quiet.stdout == loud.stdout
    assert "pkg/old.py" not in quiet.stderr and "warning" not in quiet.stderr
    errors = run("-q", "entrypoints", str(root))
    assert errors.returncode == 1 and "setup.cfg:6" in errors.stderr and "warning" not in errors.stderr
    # In one process (as the tests' CliRunner is), a quiet command does not silence the next one.
    CliRunner().invoke(cli, ["--quiet", "callgraph", str(root), "--no-cache"])
    assert "pkg/old.py" in CliRunner().invoke(cli, ["callgraph", str(root), "--no-cache"]).output


def test_warnings_of_a_tree_are_said_in_full_once_then_counted(make_tree, tmp_path):
    root = make_tree({
        "pkg/__init__.py": "",
        "pkg/api.py": "def create():\n    pass\n",
        "pkg/old.py": "print 'python 2'\n",  # skipped with a warning, on every read of the tree
    })
    cache = str(tmp_path / "cache")
    first = run("callgraph", str(root), "--cache-dir", cache)
    assert "pkg/old.py:1" in first.stderr and "as before" not in first.stderr
    for command in (["callgraph", str(root)], ["graph", "pkg.api.create", "-C", str(root)]):
        again = run(*command, "--cache-dir", cache)
        assert "pkg/old.py" not in again.stderr, command
        assert "1 warning as before" in again.stderr and "--json lists them" in again.stderr
    listed = json.loads(run("callgraph", str(root), "--cache-dir", cache, "--json").stdout)
    assert [d["path"] for d in listed["diagnostics"]] == ["pkg/old.py"]
    assert "pkg/old.py:1" in run("callgraph", str(root), "--no-cache").stderr


def test_the_console_script_leaves_with_its_whole_answer_and_its_exit_status(tmp_path):
    # It ends without tearing its heap down (perf.one_command_process): what is still buffered
    # for a pipe must be written first, and the status of each way out kept.
    tree = str(FIXTURES / "nova-current")
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as a user's shell has it
    piped = subprocess.run([sys.executable, "-m", "stackread", "callgraph", tree, "--json", "--cache-dir", str(tmp_path)],
                           capture_output=True, text=True, timeout=120, env=buffered)
    in_process = CliRunner().invoke(cli, ["callgraph", tree, "--json", "--cache-dir", str(tmp_path)])
    assert piped.returncode == 0 and len(piped.stdout) > 8192  # more than a text stream buffers
    assert piped.stdout == in_process.output and json.loads(piped.stdout)
    unknown = run("trace", "no_such_operation", "-C", tree, "--cache-dir", str(tmp_path))
    assert unknown.returncode == 1 and "no_such_operation" in unknown.stderr and not unknown.stdout
    assert run("trace", "-C", str(tmp_path / "absent")).returncode == 2
