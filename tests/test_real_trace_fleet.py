"""`trace` on real releases beyond Nova and Cinder (issue 17): each hop names the binary that serves
it, as `entrypoints` and `rpc` do, checked by hand against each project's rpcapi and service code."""

import pytest

from stackread.flows.trace import trace_operation

pytestmark = pytest.mark.real


def hops(trace):
    return [(h.source, h.kind, h.target, h.method, h.endpoint) for h in trace.hops]


def test_designate_zone_create_goes_api_central_worker(real_release):
    # CentralAPI.create_zone calls (central/rpcapi.py:155); central's _create_zone casts the worker
    # (worker/rpcapi.py:67) unless a catalog zone, and perform_zone_xfr for a secondary one; the
    # worker's load_pool calls central back for a pool it has not loaded.
    trace = trace_operation(real_release("designate-current"), "zone create")
    assert trace.root.process == "designate-api"
    assert hops(trace) == [
        ("designate-api", "call", "designate-central", "create_zone", "designate.central.service.Service.create_zone"),
        ("designate-central", "cast", "designate-worker", "create_zone", "designate.worker.service.Service.create_zone"),
        ("designate-worker", "call", "designate-central", "get_pool", "designate.central.service.Service.get_pool"),
        ("designate-central", "cast", "designate-worker", "perform_zone_xfr",
         "designate.worker.service.Service.perform_zone_xfr"),
    ]


def test_heat_stack_create_goes_from_heat_api_into_heat_engine(real_release):
    # heat/rpc/client.py:282 calls create_stack on the engine topic; heat-engine's EngineService.start
    # starts the WorkerService (engine_worker topic) and the EngineListener in the same process, so
    # convergence's check_resource cast stays in heat-engine. The API is heat-api (the package's name;
    # the distribution is openstack-heat, the WSGI script heat-wsgi-api).
    trace = trace_operation(real_release("heat-current"), "stack create")
    assert trace.root.process == "heat-api"
    assert hops(trace)[:2] == [
        ("heat-api", "call", "heat-engine", "create_stack", "heat.engine.service.EngineService.create_stack"),
        ("heat-engine", "cast", "heat-engine", "check_resource", "heat.engine.worker.WorkerService.check_resource"),
    ]
    assert {(h.source, h.target) for h in trace.hops[1:]} == {("heat-engine", "heat-engine")}


def test_the_receiver_is_the_dedicated_service_not_the_all_in_one_launcher(real_release):
    # Ironic installs `ironic` (command/singleprocess.py: the conductor with embed_api=True and the
    # VNC proxy) beside `ironic-conductor`; Trove `trove-fake-mode` (API, conductor and taskmanager)
    # beside `trove-taskmanager`. A deployment's receiver is the dedicated one (rpcapi.py:581 calls
    # do_node_deploy; taskmanager/api.py:215 casts create_instance through _cast, :79).
    trace = trace_operation(real_release("ironic-current"), "node deploy")
    assert hops(trace)[0] == ("ironic-api", "call", "ironic-conductor", "do_node_deploy",
                              "ironic.conductor.manager.ConductorManager.do_node_deploy")


def test_troves_receiver_is_the_taskmanager_not_the_all_in_one_launcher(real_release):
    # trove-taskmanager's main starts one service object (its RpcService, from the shared
    # startup(conf, topic) with conf.taskmanager_queue); trove-fake-mode that and the API's WSGI
    # Service. taskmanager/api.py:215 casts create_instance; the manager's _create_instance loads
    # FreshInstanceTasks.load(...) (a classmethod of FreshInstance: cls is FreshInstanceTasks) whose
    # _guest_prepare (taskmanager/models.py:1118) casts prepare to the guest (guestagent/api.py:353).
    trace = trace_operation(real_release("trove-current"), "instance create")
    assert hops(trace)[0] == ("trove-api", "cast", "trove-taskmanager", "create_instance",
                              "trove.taskmanager.manager.Manager.create_instance")
    assert ("trove-taskmanager", "cast", "trove-guestagent", "prepare",
            "trove.guestagent.datastore.manager.Manager.prepare") in hops(trace)
