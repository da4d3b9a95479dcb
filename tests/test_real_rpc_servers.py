"""RPC servers of the fleet beyond Nova and Cinder: each send matched to its endpoint (every pin
checked by hand against the rpcapi and the manager), and the services `entrypoints` names."""

import pytest

from stackread.flows.entrypoints import find_entrypoints

pytestmark = pytest.mark.real

EXPECTED = {
    # release: [(client class, method, topic, service, endpoint, endpoint path, line)]
    "designate-current": [
        ("CentralAPI", "delete_zone", "central", "designate-central",
         "designate.central.service.Service.delete_zone", "designate/central/service.py", 1122),
        ("WorkerAPI", "delete_zone", "worker", "designate-worker",
         "designate.worker.service.Service.delete_zone", "designate/worker/service.py", 184),
    ],
    "ironic-current": [
        ("ConductorAPI", "destroy_port", "ironic.conductor_manager", None,
         "ironic.conductor.manager.ConductorManager.destroy_port", "ironic/conductor/manager.py", 2435),
    ],
    "trove-current": [
        ("API", "create_instance", "taskmanager", None,
         "trove.taskmanager.manager.Manager.create_instance", "trove/taskmanager/manager.py", 434),
        ("API", "prepare", "guestagent.*", "trove-guestagent",
         "trove.guestagent.datastore.manager.Manager.prepare", "trove/guestagent/datastore/manager.py", 210),
    ],
    "zun-current": [
        ("API", "container_create", "zun-compute", "zun-compute",
         "zun.compute.manager.Manager.container_create", "zun/compute/manager.py", 290),
    ],
    "magnum-current": [
        ("API", "cluster_delete", "magnum-conductor", "magnum-conductor",
         "magnum.conductor.handlers.cluster_conductor.Handler.cluster_delete",
         "magnum/conductor/handlers/cluster_conductor.py", 166),
    ],
    "octavia-current": [
        ("AmphoraProviderDriver", "create_load_balancer", "octavia_provisioning_v2", "octavia-worker",
         "octavia.controller.queue.v2.endpoints.Endpoints.create_load_balancer",
         "octavia/controller/queue/v2/endpoints.py", 39),
    ],
    "cyborg-current": [
        ("ConductorAPI", "arq_create", "cyborg-conductor", "cyborg-conductor",
         "cyborg.conductor.manager.ConductorManager.arq_create", "cyborg/conductor/manager.py", 102),
    ],
    "watcher-current": [
        ("ApplierAPI", "launch_action_plan", "watcher.applier.control", "watcher-applier",
         "watcher.applier.messaging.trigger.TriggerActionPlan.launch_action_plan",
         "watcher/applier/messaging/trigger.py", 47),
    ],
    "heat-current": [
        ("delete_stack", "stop_stack", "heat-engine-listener", "heat-engine",
         "heat.engine.service.EngineListener.stop_stack", "heat/engine/service.py", 394),
    ],
}
# Sends matched of all sends, at least (the rest: methods no endpoint of the tree has, e.g. Trove's
# cluster strategies for datastores whose guest managers are gone, Zun's capsule_create).
SHARE = {"designate-current": 1.0, "ironic-current": 1.0, "octavia-current": 1.0, "cyborg-current": 1.0,
         "zun-current": 0.9, "magnum-current": 0.9, "trove-current": 0.65}


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def release(request, real_rpc):
    return request.param, real_rpc(request.param)


def test_sends_reach_the_endpoint_checked_by_hand(release):
    key, report = release
    for client, method, topic, service, endpoint, path, line in EXPECTED[key]:
        sends = [s for s in report.sends if s.method == method and s.client.rsplit(".", 2)[-2] == client]
        assert sends, (key, method)
        for send in sends:
            assert (send.topic, send.endpoint, send.endpoint_path, send.endpoint_line) == (topic, endpoint, path, line)
            assert service is None or send.service == service


def test_most_sends_are_matched(release):
    key, report = release
    assert len(report.matched) / len(report.sends) >= SHARE.get(key, 0.75), key


SERVICES = {
    # release: {script: (topic, manager)}, and scripts that are not RPC services
    "designate-current": ({"designate-central": ("central", "designate.central.service.Service"),
                           "designate-worker": ("worker", "designate.worker.service.Service")}, ()),
    "heat-current": ({"heat-engine": ("engine", "heat.engine.service.EngineService")}, ()),
    "octavia-current": ({"octavia-worker": ("octavia_provisioning_v2",
                                            "octavia.controller.queue.v2.endpoints.Endpoints")}, ()),
    "magnum-current": ({"magnum-conductor": ("magnum-conductor", "magnum.conductor.handlers.indirection_api.Handler")},
                       ("magnum-api",)),
    "trove-current": ({"trove-conductor": ("trove-conductor", "trove.conductor.manager.Manager")}, ("trove-api",)),
    "zun-current": ({"zun-compute": ("zun-compute", "zun.compute.manager.Manager")}, ("zun-api",)),
    "ironic-current": ({"ironic-conductor": ("ironic.conductor_manager", "ironic.conductor.manager.ConductorManager")},
                       ()),
    "barbican-current": ({"barbican-worker": ("barbican.workers", "barbican.queue.server.TaskServer")}, ()),
}


@pytest.mark.parametrize("key", sorted(SERVICES))
def test_entrypoints_name_each_rpc_service(key, real_release):
    found = {ep.name: ep for ep in find_entrypoints(real_release(key)).entrypoints}
    services, not_services = SERVICES[key]
    for script, (topic, manager) in services.items():
        ep = found[script]
        assert ep.kind == "service", script
        assert (ep.service.topic, ep.service.manager) == (topic, manager), script
    for script in not_services:
        assert found[script].kind != "service", script
