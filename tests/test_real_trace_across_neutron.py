"""`trace` across Nova 34 and Neutron 29 (issue 17): Nova's calls of nova/network/neutron.py read through
python-neutronclient 14.0.0 (beside Nova, with keystoneauth1 5.18.1) to the requests they send, into
neutron-api (the process `stackread entrypoints` names for neutron/wsgi/api.py) and on through Neutron's
callbacks to the DHCP agent. nova/network/neutron.py:230 get_client returns
`ClientWrapper(clientv20.Client(**client_args), ...)`, whose `__getattr__` (:175) forwards every name to
`self.base_client`, wrapped by `self.proxy` (:185) whose closure calls it: `neutron.create_port(body)` is
neutronclient's Client.create_port (program.forwarding). Checked by hand:
- server create, nova-compute: manager.py:2015 `_allocate_network_async` -> neutron.py:1165
  allocate_for_instance -> :1049 `_create_port_minimal` -> :504 `port_client.create_port(port_req_body)`
  -> neutronclient/v2_0/client.py:827 `self.post(self.ports_path, body=body)` -> POST /v2.0/ports ->
  neutron's pecan CollectionsController.create -> Ml2Plugin.create_port (ml2/plugin.py:1675) ->
  _after_create_port publishes (PORT, AFTER_CREATE) (:1684) -> DhcpAgentNotifyAPI
  _native_event_send_dhcp_notification (dhcp_rpc_agent_api.py:286) -> notify -> _notify_agents ->
  _schedule_network's cast network_create_end (:135) and _notify_high_priority_agent's cast
  port_create_end (:242);
- allocate_for_instance -> :1259 `_update_ports_for_instance` -> :1371 `_update_port` -> :566
  `port_client.update_port(port_id, port_req_body)` -> client.py:831 `_update_resource` -> :2551
  `self.put(path, ...)` -> PUT /v2.0/ports/{id} -> Ml2Plugin.update_port (plugin.py:1966);
- server create, nova-api: compute/api.py:606 -> neutron.py:2680 validate_networks -> :2704 `list_ports`
  (client.py:390, `self.get(path, params=params)` in `_pagination`) -> GET /v2.0/ports ->
  NeutronDbPluginV2.get_ports;
- add interface, nova-api: compute/api.py:5492 `if port_id:` -> :5496 show_port -> client.py:823 ->
  GET /v2.0/ports/{id} -> NeutronDbPluginV2.get_port; then manager.py:8566 attach_interface (RPC call)
  -> :8645 allocate_for_instance -> the same POST /v2.0/ports and its DHCP casts.
Not shown: GET /v2.0/extensions and /v2.0/quotas/{id} (no route of neutron-api's tables serves them:
a note says so), and the DHCP agent's port_update_end/port_delete_end, sent as
`_cast_message(context, method, ...)` with the method a variable Neutron's own walk does not bind
(under PUT and DELETE that walk shows port_create_end behind an undecided `method == 'port_create_end'`:
not pinned here)."""

import pytest

from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

pytestmark = pytest.mark.real

ML2 = "neutron.plugins.ml2.plugin.Ml2Plugin"
DHCP = "neutron.api.rpc.agentnotifiers.dhcp_rpc_agent_api.DhcpAgentNotifyAPI"
DHCP_AGENT = "neutron.agent.dhcp.agent.DhcpAgent"


def across(real_release, operation):
    clients = (str(real_release("neutronclient-current")), str(real_release("keystoneauth1-current")))
    nova = Reading(real_release("nova-current"), libraries=clients)
    neutron = Reading(real_release("neutron-current"), libraries=(str(real_release("neutron-lib-current")),))
    return trace_operation(nova, operation, servers=(neutron,))


@pytest.fixture(scope="module")
def server_create(real_release):
    return across(real_release, "server create")


@pytest.fixture(scope="module")
def add_interface(real_release):
    return across(real_release, "POST /servers/{server_id}/os-interface")


def hops(trace):
    return [(h.source, h.kind, h.target, h.method, h.endpoint) for h in trace.hops
            if h.default_path and not h.error_path]


def rest(trace, client, method):
    return next(h for h in trace.hops if h.kind == "rest" and h.client == client and h.method == method)


def test_server_create_creates_the_port_in_neutron_api_and_notifies_the_dhcp_agent(server_create):
    found = hops(server_create)
    create = found.index(("nova-compute", "rest", "neutron-api", "POST /v2.0/ports", f"{ML2}.create_port"))
    assert found[create + 1:create + 3] == [
        ("neutron-api", "cast", "neutron-dhcp-agent", "network_create_end", f"{DHCP_AGENT}.network_create_end"),
        ("neutron-api", "cast", "neutron-dhcp-agent", "port_create_end", f"{DHCP_AGENT}.port_create_end")]
    post = rest(server_create, "nova.network.neutron.API.allocate_for_instance", "POST /v2.0/ports")
    assert (post.client_path, post.client_line) == ("neutronclient/v2_0/client.py", 827)
    casts = {(h.client, h.client_line) for h in server_create.hops if h.target == "neutron-dhcp-agent"}
    assert {(f"{DHCP}._schedule_network", 135), (f"{DHCP}._notify_high_priority_agent", 242)} <= casts
    put = rest(server_create, "nova.network.neutron.API.allocate_for_instance", "PUT /v2.0/ports/{id}")
    assert (put.endpoint, put.client_line) == (f"{ML2}.update_port", 2551)
    assert found.index(("nova-conductor", "cast", "nova-compute", "build_and_run_instance",
                        "nova.compute.manager.ComputeManager.build_and_run_instance")) < create  # Nova's own hops stay
    assert ("nova-api", "rest", "neutron-api", "GET /v2.0/ports", "neutron.db.db_base_plugin_v2.NeutronDbPluginV2.get_ports") \
        in found[:found.index(("nova-api", "cast", "nova-conductor", "schedule_and_build_instances",
                               "nova.conductor.manager.ComputeTaskManager.schedule_and_build_instances"))]


def test_add_interface_reads_the_port_then_nova_compute_creates_one(add_interface):
    found = hops(add_interface)
    assert found[:2] == [
        ("nova-api", "rest", "neutron-api", "GET /v2.0/ports/{id}", "neutron.db.db_base_plugin_v2.NeutronDbPluginV2.get_port"),
        ("nova-api", "call", "nova-compute", "attach_interface", "nova.compute.manager.ComputeManager.attach_interface")]
    assert add_interface.hops[0].condition == "port_id"
    create = found.index(("nova-compute", "rest", "neutron-api", "POST /v2.0/ports", f"{ML2}.create_port"))
    # neutron.py:1217 `if not nets: return`, :1047 `if not request.port_id:` on the way to the create
    assert rest(add_interface, "nova.network.neutron.API.allocate_for_instance", "POST /v2.0/ports").condition == \
        "nets and not request.port_id"
    assert found[create + 1][2:4] == ("neutron-dhcp-agent", "network_create_end")
    assert found[create + 2][2:4] == ("neutron-dhcp-agent", "port_create_end")
