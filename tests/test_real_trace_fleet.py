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


def test_heat_stack_delete_calls_the_engine_which_converges_in_its_own_workers(real_release):
    # api/openstack/v1/stacks.py:593 delete_stack(..., cast=False): rpc/client.py:456 picks self.call;
    # EngineService.delete_stack (engine/service.py:1489) converges the DELETE when the stack is a
    # convergence one (stack.convergence, from the option at its creation: open), whose check_resource
    # casts go to the engine_worker topic heat-engine serves itself.
    trace = trace_operation(real_release("heat-current"), "stack delete")
    assert hops(trace)[0] == ("heat-api", "call", "heat-engine", "delete_stack",
                              "heat.engine.service.EngineService.delete_stack")
    check = [h for h in trace.hops if h.method == "check_resource"]
    assert check and all((h.source, h.kind, h.target) == ("heat-engine", "cast", "heat-engine") for h in check)
    assert "stack.convergence" in check[0].condition


def test_ironic_node_power_on_calls_the_conductor_the_hash_ring_names(real_release):
    # api/controllers/v1/node.py:899 change_node_power_state(..., topic=topic); rpcapi.py:391
    # _prepare_call(topic=topic) and cctxt.call: the conductor that owns the node by the hash ring.
    trace = trace_operation(real_release("ironic-current"), "node power on")
    assert hops(trace) == [("ironic-api", "call", "ironic-conductor", "change_node_power_state",
                            "ironic.conductor.manager.ConductorManager.change_node_power_state")]
    assert trace.hops[0].route == "host in topic"


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


def test_octavia_load_balancer_create_goes_through_the_provider_driver_into_the_worker(real_release):
    # The API loads its provider through stevedore (api/drivers/driver_factory.py:43: namespace
    # octavia.api.drivers, name CONF.api_settings.default_provider_driver, default 'amphora' at
    # common/config.py:88), the entry point `amphora = ...amphora_driver.v2.driver:AmphoraProviderDriver`;
    # its loadbalancer_create (driver.py:150) casts create_load_balancer on octavia_provisioning_v2
    # (driver.py:70, :158), which octavia-worker's ConsumerService serves with v2 Endpoints.
    trace = trace_operation(real_release("octavia-current"), "load balancer create")
    assert trace.root.process == "octavia-api"
    assert hops(trace) == [
        ("octavia-api", "cast", "octavia-worker", "create_load_balancer",
         "octavia.controller.queue.v2.endpoints.Endpoints.create_load_balancer"),
    ]


def test_magnum_cluster_create_casts_to_the_conductor(real_release):
    # api/controllers/v1/cluster.py:607 pecan.request.rpcapi (api/hooks.py:81: conductor/api.py API)
    # .cluster_create_async casts cluster_create (conductor/api.py:41) on CONF.conductor.topic,
    # 'magnum-conductor' (api.py:28, conf/conductor.py:20); cmd/conductor.py:60 serves it with
    # cluster_conductor.Handler (handlers/cluster_conductor.py:43).
    trace = trace_operation(real_release("magnum-current"), "cluster create")
    assert trace.root.process == "magnum-api"
    assert hops(trace) == [("magnum-api", "cast", "magnum-conductor", "cluster_create",
                            "magnum.conductor.handlers.cluster_conductor.Handler.cluster_create")]


def test_zun_container_create_casts_to_the_chosen_compute_host(real_release):
    # containers.py:446 -> compute/api.py:99 rpcapi.container_create(context, host_state['host'], ...)
    # -> compute/rpcapi.py:61 _cast(host, 'container_create') -> common/rpc_service.py:103
    # prepare(server=host).cast, on CONF.compute.topic 'zun-compute' served by compute.Manager
    # (cmd/compute.py:43; compute/manager.py:290). The image search call before it (rpcapi.py:185)
    # runs only with CONF.api.enable_image_validation.
    trace = trace_operation(real_release("zun-current"), "container create")
    assert trace.root.process == "zun-api"
    create = [h for h in trace.hops if h.method == "container_create"]
    assert [(h.source, h.kind, h.target, h.endpoint, h.route, h.default_path) for h in create] == [
        ("zun-api", "cast", "zun-compute", "zun.compute.manager.Manager.container_create", "server", True)]
    search = [h for h in trace.hops if h.method == "image_search"]
    assert [(h.kind, h.target, h.default_path) for h in search] == [("call", "zun-compute", False)]


def test_watcher_audit_create_triggers_the_decision_engine(real_release):
    # api/controllers/v1/audit.py:775 dc_client.trigger_audit for a ONESHOT audit ->
    # decision_engine/rpcapi.py:38 cast on watcher.decision.control (conf/decision_engine.py:28),
    # served by AuditEndpoint (decision_engine/manager.py:76; messaging/audit_endpoint.py:52); its
    # oneshot handler casts launch_action_plan to the applier when the audit auto-triggers
    # (decision_engine/audit/base.py:153 -> applier/rpcapi.py:37; applier/messaging/trigger.py:47).
    trace = trace_operation(real_release("watcher-current"), "audit create")
    assert trace.root.process == "watcher-api"
    assert hops(trace) == [
        ("watcher-api", "cast", "watcher-decision-engine", "trigger_audit",
         "watcher.decision_engine.messaging.audit_endpoint.AuditEndpoint.trigger_audit"),
        ("watcher-decision-engine", "cast", "watcher-applier", "launch_action_plan",
         "watcher.applier.messaging.trigger.TriggerActionPlan.launch_action_plan"),
    ]
    assert "ONESHOT" in trace.hops[0].condition
