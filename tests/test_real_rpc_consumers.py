"""Neutron 29.0.0 read with neutron-lib 5.0.1: each send matched to the consumer that serves it, and
each agent and the RPC server a service of its own console script (every pin checked by hand against
the notifier, the consumer list and the endpoint method)."""

import pytest

from stackread.flows.entrypoints import find_entrypoints
from stackread.flows.reading import Reading
from stackread.flows.rpc import find_rpc

pytestmark = pytest.mark.real

# (client class, client method, method sent, fanout, topic, service, endpoint, endpoint path, line)
EXPECTED = [
    # DHCP agent notifier -> the DHCP agent's manager, on the per-host `dhcp_agent.<host>` server
    ("DhcpAgentNotifyAPI", "_notify_high_priority_agent", "port_create_end", False, "dhcp_agent",
     "neutron-dhcp-agent", "neutron.agent.dhcp.agent.DhcpAgent.port_create_end", "neutron/agent/dhcp/agent.py", 728),
    ("L3AgentNotifyAPI", "routers_updated", "routers_updated", False, "l3_agent",
     "neutron-l3-agent", "neutron.agent.l3.agent.L3NATAgent.routers_updated", "neutron/agent/l3/agent.py", 547),
    # agents -> ml2's consumer on q-plugin, started by the rpc workers of neutron-rpc-server
    ("PluginApi", "get_devices_details_list", "get_devices_details_list", False, "q-plugin",
     "neutron-rpc-server", "neutron.plugins.ml2.rpc.RpcCallbacks.get_devices_details_list",
     "neutron/plugins/ml2/rpc.py", 186),
    # ml2's fanout per operation: `q-agent-notifier-<table>-<operation>` on both sides
    ("AgentNotifierApi", "binding_activate", "binding_activate", True, "q-agent-notifier-binding-activate",
     "neutron-sriov-nic-agent",
     "neutron.plugins.ml2.drivers.mech_sriov.agent.sriov_nic_agent.SriovNicSwitchRpcCallbacks.binding_activate",
     "neutron/plugins/ml2/drivers/mech_sriov/agent/sriov_nic_agent.py", 113),
    # a mixin's `self.topic`: AgentNotifierApi's; the OVS agent's `[TUNNEL, UPDATE]` consumer
    ("TunnelAgentRpcApiMixin", "tunnel_update", "tunnel_update", True, "q-agent-notifier-tunnel-update",
     "neutron-openvswitch-agent",
     "neutron.plugins.ml2.drivers.openvswitch.agent.ovs_neutron_agent.OVSNeutronAgent.tunnel_update",
     "neutron/plugins/ml2/drivers/openvswitch/agent/ovs_neutron_agent.py", 904),
    ("L2populationAgentNotifyAPI", "add_fdb_entries", "add_fdb_entries", True,
     "q-agent-notifier-l2population-update", "neutron-openvswitch-agent",
     "neutron.plugins.ml2.drivers.l2pop.rpc_manager.l2population_rpc.L2populationRpcCallBackMixin.add_fdb_entries",
     "neutron/plugins/ml2/drivers/l2pop/rpc_manager/l2population_rpc.py", 37),
]


@pytest.fixture(scope="module")
def neutron(real_release):
    return Reading(real_release("neutron-current"), libraries=(str(real_release("neutron-lib-current")),))


@pytest.fixture(scope="module")
def report(neutron):
    return find_rpc(neutron)


@pytest.mark.parametrize("expected", EXPECTED, ids=[f"{e[0]}.{e[1]}" for e in EXPECTED])
def test_neutron_sends_reach_the_consumer_checked_by_hand(report, expected):
    client, caller, method, fanout, topic, service, endpoint, path, line = expected
    found = [(s.fanout, s.topic, s.service, s.endpoint, s.endpoint_path, s.endpoint_line) for s in report.sends
             if s.client.endswith(f".{client}.{caller}") and s.method == method and s.fanout == fanout]
    assert (fanout, topic, service, endpoint, path, line) in found


def test_neutron_most_sends_are_matched(report):
    assert len(report.sends) >= 90
    assert len(report.matched) >= 0.9 * len(report.sends)


def test_neutron_services_and_their_topics(neutron):
    services = {ep.name: ep.service for ep in find_entrypoints(neutron.path, libraries=neutron.libraries).entrypoints
                if ep.kind == "service"}
    topics = {name: {info.topic, *info.extra_topics} for name, info in services.items()}
    assert topics["neutron-dhcp-agent"] == {"dhcp_agent"}
    # the L3 agent's Service.create topic, and the consumer its manager makes in init_host
    assert topics["neutron-l3-agent"] == {"l3_agent", "q-agent-notifier-network-update"}
    assert topics["neutron-openvswitch-agent"] == {
        "q-agent-notifier-tunnel-update", "q-agent-notifier-tunnel-delete", "q-agent-notifier-dvr-update",
        "q-agent-notifier-l2population-update"}
    assert {"q-plugin", "q-l3-plugin", "q-reports-plugin", "q-metering-plugin"} <= topics["neutron-rpc-server"]
    assert "neutron.plugins.ml2.rpc.RpcCallbacks" in services["neutron-rpc-server"].endpoints
    assert "neutron.api.rpc.handlers.l3_rpc.L3RpcCallback" in services["neutron-rpc-server"].endpoints
