"""`graph ServersController.create --to LibvirtDriver.spawn` on real Nova: API -> conductor ->
compute -> driver, across the two casts a reader follows by hand (checked against the 34.0.0 source:
compute/api.py:1836 calls the conductor API, conductor/rpcapi.py:416 casts
schedule_and_build_instances, conductor/manager.py:1857 calls the compute rpcapi, compute/rpcapi.py:1704
casts build_and_run_instance, compute/manager.py:2714 calls self.driver.spawn)."""

import pytest

from stackread.flows.callgraph import load_callgraph
from stackread.flows.paths import PathQuestion, chains_of
from stackread.flows.reading import Reading
from stackread.render.paths import render_text

pytestmark = pytest.mark.real


def test_create_server_reaches_the_libvirt_spawn_through_two_casts(real_release):
    reading = Reading(real_release("nova-current"))
    graph = load_callgraph(reading).graph
    found, _diagnostics = chains_of(reading, graph, PathQuestion("ServersController.create", "LibvirtDriver.spawn"))
    assert found.source == "nova.api.openstack.compute.servers.ServersController.create"
    assert found.target == "nova.virt.libvirt.driver.LibvirtDriver.spawn"
    chain = found.chains[0]
    rpc = [(h.rpc, h.method, h.service, f"{h.path}:{h.line}", h.callee) for h in chain if h.rpc]
    assert rpc == [
        ("cast", "schedule_and_build_instances", "nova-conductor", "nova/conductor/rpcapi.py:416",
         "nova.conductor.manager.ComputeTaskManager.schedule_and_build_instances"),
        ("cast", "build_and_run_instance", "nova-compute", "nova/compute/rpcapi.py:1704",
         "nova.compute.manager.ComputeManager.build_and_run_instance")]
    assert [h.callee for h in chain[:2]] == ["nova.compute.api.API.create", "nova.compute.api.API._create_instance"]
    last = chain[-1]
    assert (last.caller, last.path, last.line) == (
        "nova.compute.manager.ComputeManager._build_and_run_instance", "nova/compute/manager.py", 2714)
    text = render_text(graph, found)
    assert "=cast=> nova.compute.manager.ComputeManager.build_and_run_instance  [cast build_and_run_instance" in text
