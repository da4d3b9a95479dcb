"""`stackread breakpoints` on real Nova: where pdb stops in each process of create-server, and
breakpoint statements that go into a git checkout and come out leaving every byte as it was."""

import ast
import json
import pathlib
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from stackread.flows import breakpoints as bp
from stackread.cli import cli
from stackread.source.edits import first_line
from stackread.errors import UsageError
from stackread.render import breakpoints as view

pytestmark = pytest.mark.real


def git(root, *args):
    return subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=root,
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def checkout(real_release, tmp_path_factory):
    """A git repository holding Nova 34.0.0 (without its tests and docs), committed."""
    root = tmp_path_factory.mktemp("nova") / "nova"
    shutil.copytree(real_release("nova-current"), root,
                    ignore=shutil.ignore_patterns("tests", "doc", "api-ref", "api-guide", "releasenotes"))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "nova 34.0.0")
    return root


@pytest.fixture(scope="module")
def plan(checkout):
    return bp.plan_breakpoints(checkout, "create_server")


def function_at(path: pathlib.Path, line: int) -> str:
    """The innermost def around a line, as Class.method."""
    tree = ast.parse(path.read_bytes())
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                if isinstance(child, ast.ClassDef):
                    visit(child, name + ".")
                elif first_line(child.body[0]) <= line <= child.end_lineno:
                    found.append(name)
                    visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found[-1] if found else ""


def test_break_lines_name_a_line_inside_each_function_per_process(plan, checkout):
    text = view.lines(plan)
    assert plan.processes == ["nova-api", "nova-conductor", "nova-scheduler", "nova-compute"]
    breaks = [line.split(" ", 1)[1] for line in text if line.startswith("break ")]
    assert len(breaks) == len(plan.places) and all(not line.startswith(("break", "#")) or line == ""
                                                   for line in text if not line.startswith(("break ", "#")))
    for place, where in zip([p for process in plan.processes for p in plan.of_process(process)], breaks):
        file, line = where.rsplit(":", 1)
        assert pathlib.Path(file).is_absolute() and pathlib.Path(file).is_file()
        assert function_at(pathlib.Path(file), int(line)).endswith(".".join(place.function.split(".")[-2:]))
    api = plan.of_process("nova-api")
    assert api[0].function.endswith("ServersController.create") and api[0].why == "entry"
    source = (checkout / api[0].path).read_text().splitlines()
    assert source[api[0].line - 1].strip() == "context = req.environ['nova.context']"  # after the docstring
    sends = {p.detail for p in plan.places if p.why == "send"}
    assert "sends the cast schedule_and_build_instances to nova-conductor" in sends
    endpoints = [p.function for p in plan.places if p.why == "endpoint"]
    assert "nova.compute.manager.ComputeManager.build_and_run_instance" in endpoints
    drivers = [p.function for p in plan.of_process("nova-compute") if p.why == "driver"]
    assert "nova.virt.libvirt.driver.LibvirtDriver.spawn" in drivers
    assert not any(".virt.driver.ComputeDriver." in f for f in drivers)  # the base class's defaults are not libvirt's
    assert plan.runs["nova-conductor"].command == "nova-conductor --config-file /etc/nova/nova.conf"
    assert "osapi_compute.py" in plan.runs["nova-api"].command  # 34.0.0 ships the API as a WSGI module only
    data = view.to_json(plan)
    assert [p["process"] for p in data["processes"]] == plan.processes
    first = data["processes"][0]["breakpoints"][0]
    assert {"path", "line", "function", "why"} <= set(first) and json.dumps(data)


def test_insert_then_remove_leaves_every_file_of_the_flow_byte_identical(plan, checkout):
    files = sorted({p.path for p in plan.places})
    before = {path: (checkout / path).read_bytes() for path in files}
    runner = CliRunner()
    result = runner.invoke(cli, ["breakpoints", "create_server", "-C", str(checkout), "--insert"])
    assert result.exit_code == 0, result.output
    assert f"inserted {len(plan.places)} breakpoints in {len(files)} files" in result.output
    changed = [line.strip() for line in result.output.splitlines() if line.startswith("  ")]
    assert sorted(str(pathlib.Path(c).resolve().relative_to(checkout.resolve())) for c in changed) == files

    # git diff shows the inserted lines and nothing else.
    diff = git(checkout, "diff", "-U0")
    changes = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(changes) == len(plan.places)
    assert all(line.startswith("+") and line.strip().endswith("import pdb; pdb.set_trace()  # stackread-breakpoint")
               for line in changes)
    for path in files:
        after = (checkout / path).read_bytes()
        ast.parse(after)
        # Each breakpoint sits just above its place: only comments or blank lines between them.
        lines = after.decode().splitlines()
        marks = [i for i, line in enumerate(lines) if line.endswith("# stackread-breakpoint")]
        original = before[path].decode().splitlines()
        for k, index in enumerate(marks):
            at = index - k  # the original line the breakpoint went in front of (0-based)
            while original[at].strip() == "" or original[at].strip().startswith("#"):
                at += 1
            assert at + 1 in {p.line for p in plan.places if p.path == path}

    result = runner.invoke(cli, ["breakpoints", "--remove", "-C", str(checkout)])
    assert result.exit_code == 0 and f"removed {len(plan.places)} breakpoints in {len(files)} files" in result.output
    assert {path: (checkout / path).read_bytes() for path in files} == before
    assert git(checkout, "status", "--porcelain") == ""


def test_insert_refuses_a_file_with_uncommitted_changes(plan, checkout):
    path = "nova/conductor/rpcapi.py"
    target = checkout / path
    original = target.read_bytes()
    target.write_bytes(original + b"# a note of mine\n")
    try:
        result = CliRunner().invoke(cli, ["breakpoints", "create_server", "-C", str(checkout), "--insert"])
        assert result.exit_code != 0 and isinstance(result.exception, UsageError)
        assert path in str(result.exception) and "--force" in str(result.exception)
        assert git(checkout, "diff", "--stat").strip().startswith(path)  # nothing else was edited
        # --force edits it anyway (here only the places in that file, to stay quick).
        only = bp.Plan(**{**plan.__dict__, "places": [p for p in plan.places if p.path == path]})
        changes = bp.insert(only, "breakpoint()", force=True)
        assert changes.inserted == len(only.places) and b"breakpoint()  # stackread-breakpoint" in target.read_bytes()
        assert bp.remove(checkout).files == [target.resolve()]
        assert target.read_bytes() == original + b"# a note of mine\n"
    finally:
        target.write_bytes(original)


def test_the_config_file_is_named_after_the_package_not_the_distribution(real_release):
    """Heat is published as openstack-heat, but its services parse /etc/heat/heat.conf."""
    heat = bp.plan_breakpoints(str(real_release("heat-current")), "stack create")
    assert heat.runs["heat-engine"].command == "heat-engine --config-file /etc/heat/heat.conf"
