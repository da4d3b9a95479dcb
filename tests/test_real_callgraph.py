"""The call graph of real releases: the create-server chain a reader follows by hand."""

import pytest

from stackread.flows.callgraph import load_callgraph
from stackread.flows.reading import Reading

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def ocata(real_release):
    return load_callgraph(Reading(real_release("nova-ocata")))


@pytest.fixture(scope="module")
def current(real_release):
    return load_callgraph(Reading(real_release("nova-current")))


def callees(result, name):
    return {e.callee: e.certain for e in result.graph.calls_from(name)}


def called_through_decorators(result, caller):
    """What a function calls, directly or through the wrapper a decorator puts around the callee
    (`@hooks.add_hook('create_instance')` on Ocata's API.create: the controller calls the hook's
    `inner`, which calls API.create)."""
    direct = callees(result, caller)
    return set(direct) | {c for w in direct if w.startswith("nova.hooks.") for c in callees(result, w)}


@pytest.mark.parametrize("release", ["ocata", "current"])
def test_create_server_from_controller_to_compute_api(release, request):
    result = request.getfixturevalue(release)
    assert "nova.compute.api.API.create" in called_through_decorators(
        result, "nova.api.openstack.compute.servers.ServersController.create")
    assert "nova.compute.api.API._create_instance" in callees(result, "nova.compute.api.API.create")


def test_ocata_old_grammar_files_are_in_the_graph(ocata):
    # nova/compute/api.py uses `async` as a name in 15.1.5; it must be analysed, not skipped.
    assert not any(d.path == "nova/compute/api.py" for d in ocata.diagnostics)
    schedule = callees(ocata, "nova.compute.api.API._create_instance")
    assert "nova.conductor.api.ComputeTaskAPI.schedule_and_build_instances" in schedule
    assert "nova.conductor.api.ComputeTaskAPI.build_instances" in schedule
    assert "nova.compute.api.API.live_migrate" in ocata.graph


def test_current_compute_manager_reaches_every_virt_driver_spawn(current):
    spawn = {callee: certain for callee, certain in
             callees(current, "nova.compute.manager.ComputeManager._build_and_run_instance").items()
             if callee.endswith(".spawn")}
    assert spawn.get("nova.virt.libvirt.driver.LibvirtDriver.spawn") is False
    assert "nova.virt.ironic.driver.IronicDriver.spawn" in spawn
    # a call with several possible targets keeps all of them, each marked uncertain
    assert not any(spawn.values())


def test_current_build_path_through_the_nested_locked_function(current):
    build = callees(current, "nova.compute.manager.ComputeManager.build_and_run_instance")
    assert "nova.compute.manager.ComputeManager.build_and_run_instance._locked_do_build_and_run_instance" in build
    locked = callees(current, "nova.compute.manager.ComputeManager.build_and_run_instance._locked_do_build_and_run_instance")
    assert "nova.compute.manager.ComputeManager._do_build_and_run_instance" in locked


def test_resolution_rate_on_current_nova(current):
    stats = current.stats
    assert stats["resolved"] / stats["call_sites"] > 0.8
    assert current.stats["skipped_files"] == 0
