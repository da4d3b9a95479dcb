"""`stackread trace` on real Nova: the create-server flow across processes."""

import json

import pytest
from click.testing import CliRunner

from stackread.cli import cli
from stackread.trace import trace_operation

pytestmark = pytest.mark.real


def default_hops(trace):
    return [(h.source, h.kind, h.target, h.method) for h in trace.hops if h.default_path and not h.error_path]


def test_create_server_on_current_nova(real_release):
    trace = trace_operation(real_release("nova-current"), "create_server")
    assert trace.entry.controller.endswith("ServersController.create")
    assert default_hops(trace) == [
        ("nova-api", "cast", "nova-conductor", "schedule_and_build_instances"),
        ("nova-conductor", "call", "nova-scheduler", "select_destinations"),
        ("nova-conductor", "cast", "nova-compute", "build_and_run_instance"),
        ("nova-compute", "cast", "nova-scheduler", "update_instance_info"),
    ]
    hops = {h.method: h for h in trace.hops}
    assert hops["build_and_run_instance"].endpoint == "nova.compute.manager.ComputeManager.build_and_run_instance"
    assert hops["schedule_and_build_instances"].endpoint.endswith("ComputeTaskManager.schedule_and_build_instances")
    assert hops["update_instance_info"].fanout
    # The reschedule after a failed build goes back to the conductor, on the error path only.
    assert hops["build_instances"].error_path
    drivers = []
    todo = [trace.root]
    while todo:
        step = todo.pop()
        drivers += [step.function] if step.kind == "driver" else []
        todo += step.children
    assert "nova.virt.libvirt.driver.LibvirtDriver.spawn" in drivers


def test_create_server_on_ocata_marks_the_cells_branch(real_release):
    path = real_release("nova-ocata")
    trace = trace_operation(path, "create_server")
    hops = {h.method: h for h in trace.hops if h.source == "nova-api"}
    assert hops["schedule_and_build_instances"].default_path
    assert not hops["build_instances"].default_path and "CONF.cells.enable" in hops["build_instances"].condition
    assert ("nova-conductor", "cast", "nova-compute", "build_and_run_instance") in default_hops(trace)
    cells = trace_operation(path, "create_server", settings={"cells.enable": True})
    hops = {h.method: h for h in cells.hops if h.source == "nova-api"}
    assert hops["build_instances"].default_path and not hops["schedule_and_build_instances"].default_path


def test_cli_trace_json_and_bad_names(real_release):
    path = str(real_release("nova-current"))
    runner = CliRunner()
    result = runner.invoke(cli, ["trace", "lock", "-C", path, "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["hops"] == [] and "reaches no other process" in data["notes"][0]
    result = runner.invoke(cli, ["trace", "rebot", "-C", path])
    assert result.exit_code == 1 and "reboot" in result.output and "Traceback" not in result.output
