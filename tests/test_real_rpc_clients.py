"""Sends that wrappers and helpers hide, on real releases (frameworks.rpc_clients); each pinned by
reading the client code by hand."""

import pytest


pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def sends_of(real_rpc):
    return lambda key: real_rpc(key).sends


def one(sends, method, client):
    found = [s for s in sends if s.method == method and s.client.endswith(client)]
    assert len(found) == 1, found
    return found[0]


def test_heat_engine_client_sends_each_make_msg_name(sends_of):
    import re

    sends = sends_of("heat-current")
    engine = [s for s in sends if s.client_path == "heat/rpc/client.py"]
    # heat/rpc/client.py writes 54 `self.make_msg('name', ...)`; delete_stack is a cast or a call
    assert len(engine) == 55 and {s.topic for s in engine} == {"engine"}
    assert sorted(s.kind for s in engine if s.method == "delete_stack") == ["call", "cast"]
    listed = one(sends, "list_stacks", "EngineClient.list_stacks")
    assert (listed.kind, listed.client_line) == ("call", 157)
    worker = one(sends, "check_resource", "WorkerClient.check_resource")
    assert (worker.kind, worker.topic, worker.client_line) == ("cast", "engine_worker", 78)
    cancel = one(sends, "cancel_check_resource", "WorkerClient.cancel_check_resource")
    assert (cancel.kind, cancel.topic) == ("cast", "engine_worker")
    assert not [s for s in engine if not re.fullmatch(r"[a-z_0-9]+", s.method)]


def test_barbican_queue_client_sends_to_the_queue_options_target(sends_of):
    [s] = sends_of("barbican-current")
    assert (s.method, s.kind, s.topic, s.namespace, s.version) == (
        "process_type_order", "cast", "barbican.workers", "barbican", "1.1")
    assert (s.client, s.client_line) == ("barbican.queue.client.TaskClient.process_type_order", 44)


def test_cinder_volume_sends_are_routed_to_the_backend_host(sends_of):
    sends = sends_of("cinder-current")
    create = one(sends, "create_volume", "VolumeAPI.create_volume")
    assert (create.topic, create.server_route, create.host_topic, create.endpoint) == (
        "cinder-volume", "volume.service_topic_queue", "cinder-volume.<volume.service_topic_queue>",
        "cinder.volume.manager.VolumeManager.create_volume")
    publish = one(sends, "publish_service_capabilities", "VolumeAPI.publish_service_capabilities")
    assert (publish.fanout, publish.server_route, publish.host_topic) == (True, None, None)
    backup = one(sends, "create_backup", "BackupAPI.create_backup")
    assert (backup.topic, backup.server_route, backup.host_topic) == ("cinder-backup", "backup.host", None)
    logs = one(sends, "set_log_levels", "VolumeAPI.set_log_levels")
    assert (logs.server_route, logs.host_topic) == ("service.host", "cinder-volume.<service.host>")


def test_neutron_dhcp_notifier_sends_the_names_its_callers_write(sends_of):
    sends = sends_of("neutron-current")
    removed = one(sends, "network_delete_end", "DhcpAgentNotifyAPI.network_removed_from_agent")
    assert (removed.kind, removed.server_route, removed.client_line) == ("cast", "host", 257)
    # _after_router_interface_created -> _notify_agents(method) -> _fanout_message / _cast_message(method)
    created = [s for s in sends if s.method == "port_create_end"
               and s.client.endswith("DhcpAgentNotifyAPI._after_router_interface_created")]
    assert sorted((s.fanout, s.server_route) for s in created) == [(False, "host"), (True, None)]
    push = one(sends, "push", "ResourcesPushRpcApi._push")
    assert push.fanout  # prepared by _prepare_object_fanout_context(fanout=True)


def test_ironic_sends_to_the_conductor_topic_not_the_empty_one(sends_of):
    sends = sends_of("ironic-current")
    create = one(sends, "create_node", "ConductorAPI.create_node")
    assert (create.kind, create.topic, create.version) == ("call", "ironic.conductor_manager", "1.36")
    lag = one(sends, "update_lag", "NetworkingAPI.update_lag")
    assert lag.topic == "ironic.networking_manager"
    assert {s.topic for s in sends} == {"ironic.conductor_manager", "ironic.networking_manager"}


def test_zun_and_magnum_wrappers_send_to_the_topic_the_subclass_passes(sends_of):
    zun = sends_of("zun-current")
    assert {s.topic for s in zun} == {"zun-compute"} and len(zun) == 33
    create = one(zun, "container_create", "compute.rpcapi.API.container_create")
    assert create.kind == "cast"
    magnum = sends_of("magnum-current")
    assert len([s for s in magnum if s.topic == "magnum-conductor"]) == 30
