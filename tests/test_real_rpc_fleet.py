"""`stackread rpc` across the fleet (issue 16): sends matched to the endpoint method that serves
them, each pin checked by hand against the client's line (rpcapi) and the endpoint's `def`; the
unmatched ones each with the reason the dispatcher has."""

import pytest


pytestmark = pytest.mark.real

# release: [(client method, its line, method sent, topic, service, endpoint, endpoint path:line)]
PINS = {
    "cinder-current": [
        # rpcapi.py:355 casts 'failover_host' to services older than 3.8; manager.py:4662
        # `failover_host = failover` serves it as failover (manager.py:4501)
        ("cinder.volume.rpcapi.VolumeAPI.failover", 355, "failover_host", "cinder-volume", "cinder-volume",
         "cinder.volume.manager.VolumeManager.failover", "cinder/volume/manager.py:4501"),
    ],
    "nova-current": [
        # baserpc.py:58 BaseAPI(topic=conductor) (conductor/api.py:35); service.py:254 lists
        # BaseRPCAPI beside the manager, namespace 'baseapi' (baserpc.py:74)
        ("nova.baserpc.BaseAPI.ping", 58, "ping", "conductor", "nova-conductor",
         "nova.baserpc.BaseRPCAPI.ping", "nova/baserpc.py:74"),
    ],
    "nova-ocata": [
        ("nova.baserpc.BaseAPI.get_backdoor_port", 62, "get_backdoor_port", "conductor", "nova-conductor",
         "nova.baserpc.BaseRPCAPI.get_backdoor_port", "nova/baserpc.py:78"),
    ],
    "trove-current": [
        # taskmanager/api.py:215 `_cast("create_instance")`; trove-taskmanager, not trove-fake-mode
        ("trove.taskmanager.api.API.create_instance", 215, "create_instance", "taskmanager", "trove-taskmanager",
         "trove.taskmanager.manager.Manager.create_instance", "trove/taskmanager/manager.py:434"),
        # guestagent/api.py:353 `_cast("prepare")`, :294 `_call("is_root_enabled")`: per-instance topic
        ("trove.guestagent.api.API.prepare", 353, "prepare", "guestagent.*", "trove-guestagent",
         "trove.guestagent.datastore.manager.Manager.prepare", "trove/guestagent/datastore/manager.py:210"),
        ("trove.guestagent.api.API.is_root_enabled", 294, "is_root_enabled", "guestagent.*", "trove-guestagent",
         "trove.guestagent.datastore.manager.Manager.is_root_enabled", "trove/guestagent/datastore/manager.py:859"),
    ],
    "heat-current": [
        # rpc/client.py:234 `self.call(ctxt, self.make_msg('preview_stack', ...))`
        ("heat.rpc.client.EngineClient.preview_stack", 234, "preview_stack", "engine", "heat-engine",
         "heat.engine.service.EngineService.preview_stack", "heat/engine/service.py:823"),
    ],
    "designate-current": [
        ("designate.central.rpcapi.CentralAPI.get_recordset", 232, "get_recordset", "central", "designate-central",
         "designate.central.service.Service.get_recordset", "designate/central/service.py:1605"),
    ],
    "octavia-current": [
        # driver.py:261 `self.client.cast({}, 'create_pool', **payload)`
        ("octavia.api.drivers.amphora_driver.v2.driver.AmphoraProviderDriver.pool_create", 261, "create_pool",
         "octavia_provisioning_v2", "octavia-worker",
         "octavia.controller.queue.v2.endpoints.Endpoints.create_pool", "octavia/controller/queue/v2/endpoints.py:83"),
    ],
    "magnum-current": [
        # conductor/api.py:78 `self._cast('cluster_resize', ...)`
        ("magnum.conductor.api.API.cluster_resize_async", 78, "cluster_resize", "magnum-conductor",
         "magnum-conductor", "magnum.conductor.handlers.cluster_conductor.Handler.cluster_resize",
         "magnum/conductor/handlers/cluster_conductor.py:193"),
    ],
    "zun-current": [
        # compute/rpcapi.py:119 `self._cast(container.host, 'container_kill', ...)`
        ("zun.compute.rpcapi.API.container_kill", 119, "container_kill", "zun-compute", "zun-compute",
         "zun.compute.manager.Manager.container_kill", "zun/compute/manager.py:883"),
    ],
    "ironic-current": [
        ("ironic.conductor.rpcapi.ConductorAPI.do_node_rescue", 1352, "do_node_rescue", "ironic.conductor_manager",
         "ironic-conductor", "ironic.conductor.manager.ConductorManager.do_node_rescue",
         "ironic/conductor/manager.py:674"),
    ],
    "watcher-current": [
        # decision_engine/rpcapi.py:43; StrategyEndpoint is one of the decision engine's
        # conductor_endpoints (decision_engine/manager.py:77)
        ("watcher.decision_engine.rpcapi.DecisionEngineAPI.get_strategy_info", 43, "get_strategy_info",
         "watcher.decision.control", "watcher-decision-engine",
         "watcher.decision_engine.strategy.strategies.base.StrategyEndpoint.get_strategy_info",
         "watcher/decision_engine/strategy/strategies/base.py:121"),
        # applier/rpcapi.py:37 to the applier's one conductor endpoint (applier/manager.py:51)
        ("watcher.applier.rpcapi.ApplierAPI.launch_action_plan", 37, "launch_action_plan",
         "watcher.applier.control", "watcher-applier",
         "watcher.applier.messaging.trigger.TriggerActionPlan.launch_action_plan",
         "watcher/applier/messaging/trigger.py:47"),
        # decision_engine/rpcapi.py:38 and :48, the first and third of its conductor_endpoints (manager.py:76, :78)
        ("watcher.decision_engine.rpcapi.DecisionEngineAPI.trigger_audit", 38, "trigger_audit",
         "watcher.decision.control", "watcher-decision-engine",
         "watcher.decision_engine.messaging.audit_endpoint.AuditEndpoint.trigger_audit",
         "watcher/decision_engine/messaging/audit_endpoint.py:52"),
        ("watcher.decision_engine.rpcapi.DecisionEngineAPI.get_data_model_info", 48, "get_data_model_info",
         "watcher.decision.control", "watcher-decision-engine",
         "watcher.decision_engine.messaging.data_model_endpoint.DataModelEndpoint.get_data_model_info",
         "watcher/decision_engine/messaging/data_model_endpoint.py:42"),
    ],
    "cyborg-current": [
        # agent/rpcapi.py:62 and conductor/rpcapi.py:92, each to its service's manager
        ("cyborg.agent.rpcapi.AgentAPI.fpga_program", 62, "fpga_program", "cyborg-agent", "cyborg-agent",
         "cyborg.agent.manager.AgentManager.fpga_program", "cyborg/agent/manager.py:170"),
        ("cyborg.conductor.rpcapi.ConductorAPI.arq_create", 92, "arq_create", "cyborg-conductor", "cyborg-conductor",
         "cyborg.conductor.manager.ConductorManager.arq_create", "cyborg/conductor/manager.py:102"),
    ],
    "barbican-current": [
        # queue/client.py:44 `self._cast('process_type_order', ...)`; TaskServer serves Tasks (server.py:187)
        ("barbican.queue.client.TaskClient.process_type_order", 44, "process_type_order", "barbican.workers",
         "barbican-worker", "barbican.queue.server.Tasks.process_type_order", "barbican/queue/server.py:205"),
    ],
}

# Sends no endpoint serves, and why: the method is defined on no endpoint class of the tree
# (grep: trove's cluster_secure only in its cluster strategy's guest API, watcher's
# check_api_version only on the client side, zun's capsule_create only in compute/rpcapi.py).
TROVE_GUESTS = "the servers of topic guestagent.* serve mariadb.manager.Manager, mysql.manager.Manager, " \
               "manager.PostgresManager"
UNMATCHED = {
    "trove-current": [
        # cassandra/guestagent.py:111; the guest managers left (constants.py:27 REGISTRY_EXT_DEFAULTS:
        # mysql, mariadb, postgresql) define no cluster_secure
        ("cluster_secure", f"no endpoint in the tree defines cluster_secure; {TROVE_GUESTS}"),
        # guestagent/api.py:310, :302: MgmtInstance.get_diagnostics (mgmt/instances/models.py:184)
        # is the caller handing it on, not a server the reading missed
        ("get_diagnostics", f"no endpoint in the tree defines get_diagnostics; {TROVE_GUESTS}"),
        ("get_hwinfo", f"no endpoint in the tree defines get_hwinfo; {TROVE_GUESTS}"),
        # guestagent/api.py:563: the guest managers define attach_replica (datastore/manager.py:936);
        # FreshInstanceTasks.attach_replication_slave (taskmanager/models.py:649) is the caller
        ("attach_replication_slave", f"no endpoint in the tree defines attach_replication_slave; {TROVE_GUESTS}"),
        # vertica/guestagent.py:71: the taskmanager's grow_cluster has the name, on another topic
        ("grow_cluster", "no endpoint of topic guestagent.* defines grow_cluster; manager.Manager on topic "
                         "taskmanager does"),
        # mongodb/taskmanager.py:393 casts 'add_shard_cluster'; taskmanager/manager.py:537
        # `name.partition('_')` makes it strategy 'add', which no option group has; mongodb's
        # taskmanager_strategy (cfg.py:1062) maps 'add_shard_cluster' (mongodb/taskmanager.py:48)
        ("add_shard_cluster", "no endpoint in the tree defines add_shard_cluster; the servers of topic "
                              "taskmanager serve manager.Manager; manager.Manager.__getattr__ "
                              "(trove/taskmanager/manager.py:529) splits add_shard_cluster at '_' into 'add' "
                              "and 'shard_cluster', and answers only mongodb_add_shard_cluster "
                              "(MongoDbTaskManagerStrategy._manager_add_shard)"),
    ],
    # common/service.py:285 Service.check_api_version, on the Target of each subclass's manager
    # (applier/service.py:28, decision_engine/service.py:31 pass ApplierManager, DecisionEngineManager)
    "watcher-current": [("check_api_version", "no topic at the send; its class's Target names "
                                              "watcher.applier.control or watcher.decision.control: no endpoint in the "
                                              "tree defines check_api_version; the servers of topic "
                                              "watcher.applier.control or watcher.decision.control serve "
                                              "audit_endpoint.AuditEndpoint, data_model_endpoint.DataModelEndpoint, "
                                              "base.StrategyEndpoint, trigger.TriggerActionPlan")],
    "zun-current": [("capsule_create", "no endpoint in the tree defines capsule_create; "
                                       "the servers of topic zun-compute serve manager.Manager")],
    # cells/rpc_driver.py:143 casts process_message to InterCellRPCDispatcher (:162), whose server
    # (:65, per cell topic) the reading does not find
    "nova-ocata": [("process_message", "InterCellRPCDispatcher.process_message (nova/cells/rpc_driver.py:162) "
                                       "does, on a class no server read serves")],
    # conductor/api.py:190 ListenerAPI is constructed nowhere: its topic is nobody's to say
    "magnum-current": [("ping_conductor", "topic unknown; conductor_listener.Handler on topic magnum-conductor "
                                          "defines ping_conductor")],
}


@pytest.fixture(scope="module", params=sorted(set(PINS) | set(UNMATCHED)))
def release(request, real_rpc):
    return request.param, real_rpc(request.param)


def test_each_pinned_send_reaches_the_endpoint_checked_by_hand(release):
    key, report = release
    for client, line, method, topic, service, endpoint, where in PINS.get(key, []):
        sends = [s for s in report.sends if s.client == client and s.method == method
                 and s.client_line == line]
        assert sends, (key, client, method)
        for send in sends:
            assert (send.topic, send.service, send.endpoint, f"{send.endpoint_path}:{send.endpoint_line}") == \
                (topic, service, endpoint, where), (key, method)
            assert send.reason is None


def test_every_unmatched_send_has_a_reason(release):
    key, report = release
    assert all(s.reason for s in report.unmatched), key
    for method, reason in UNMATCHED.get(key, []):
        assert any(s.method == method and s.reason.endswith(reason) for s in report.unmatched), \
            [(s.method, s.reason) for s in report.unmatched if s.method == method]


def test_ironic_routes_to_the_conductor_the_hash_ring_names(real_rpc):
    # conductor/rpcapi.py:344 create_node(topic=None) -> _prepare_call (:196): `host = topic[len(self.topic)
    # + 1:]` of the API's get_topic_for(node) (:276 '%s.%s' % (self.topic, hostname)), then :244
    # prepare(topic=self.topic, server=host or None); :1145 object_class_action_versions passes self.topic
    report = real_rpc("ironic-current")
    by_method = {s.method: s for s in report.sends}
    create = by_method["create_node"]
    assert (create.client_line, create.topic, create.server_route, create.host_topic, create.endpoint) == (
        345, "ironic.conductor_manager", "host in topic", "ironic.conductor_manager.<host>",
        "ironic.conductor.manager.ConductorManager.create_node")
    action = by_method["object_class_action_versions"]
    assert (action.client_line, action.server_route, action.host_topic) == (1146, None, None)


def test_nova_serves_the_base_api_on_every_services_topic(real_rpc):
    report = real_rpc("nova-current")
    served = {e.topic for e in report.endpoints if e.cls == "nova.baserpc.BaseRPCAPI"}
    assert served == {"compute", "compute-alt", "conductor", "scheduler"}
    assert not report.unmatched


def test_trove_s_taskmanager_serves_the_names_its_getattr_forwards(real_rpc):
    # taskmanager/manager.py:529 `__getattr__`: `mongodb_<action>` is the action the mongodb
    # group's taskmanager_strategy maps (mongodb/taskmanager.py:48 -> _manager_add_shard, :50);
    # no client sends that name, so it is an endpoint method no client sends
    report = real_rpc("trove-current")
    unsent = {(e.topic, method, f"{path}:{line}") for e, method, path, line in report.unsent
              if e.cls == "trove.taskmanager.manager.Manager"}
    where = "trove/common/strategies/cluster/experimental/mongodb/taskmanager.py:50"
    assert ("taskmanager", "mongodb_add_shard_cluster", where) in unsent
    # no same-named method on a class that merely calls the guest is offered as its server
    assert not [s.reason for s in report.unmatched if "MgmtInstance" in s.reason or "FreshInstanceTasks" in s.reason]
    assert (len(report.sends), len(report.matched)) == (130, 88)
