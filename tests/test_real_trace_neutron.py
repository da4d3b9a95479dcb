"""Neutron 29.0.0's flows read with neutron-lib 5.0.1 (issues 16 and 17): from the plugin method
through the callbacks registry's events to the agents' notifiers and their casts, each hop and event
checked by hand against the code (path:line in the comments)."""

import pytest

from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

pytestmark = pytest.mark.real

DHCP = "neutron.api.rpc.agentnotifiers.dhcp_rpc_agent_api.DhcpAgentNotifyAPI"
L3_NOTIFIER = "neutron.api.rpc.agentnotifiers.l3_rpc_agent_api.L3AgentNotifyAPI"
DHCP_AGENT = "neutron.agent.dhcp.agent.DhcpAgent"
L3_AGENT = "neutron.agent.l3.agent.L3NATAgent"


@pytest.fixture(scope="module")
def neutron(real_release):
    return Reading(real_release("neutron-current"), libraries=(str(real_release("neutron-lib-current")),))


def hops(trace):
    return {(h.source, h.kind, h.target, h.method, h.endpoint) for h in trace.hops if h.default_path}


def events(step, parent=None):
    """(event, callback, its path:line, the publishing function, the publish's line) of every event step."""
    found = [(step.event, step.function, f"{step.path}:{step.line}", parent.function, step.call_line)] \
        if step.kind == "event" and not step.error_path else []
    return found + [e for child in step.children for e in events(child, step)]


def test_port_create_reaches_the_dhcp_agent_through_the_after_create_event(neutron):
    # Ml2Plugin._after_create_port publishes (PORT, AFTER_CREATE) (plugin.py:1684); DhcpAgentNotifyAPI
    # subscribes _native_event_send_dhcp_notification to it in a loop over NETWORK, PORT, SUBNET
    # (dhcp_rpc_agent_api.py:114), which goes notify -> _notify_agents -> _notify_high_priority_agent,
    # casting port_create_end to the hosting agent (:242), after _schedule_network's network_create_end
    # to newly scheduled agents (:135).
    trace = trace_operation(neutron, "port create")
    assert trace.root.children[0].function == "neutron.plugins.ml2.plugin.Ml2Plugin.create_port"
    assert ("port after_create", f"{DHCP}._native_event_send_dhcp_notification",
            "neutron/api/rpc/agentnotifiers/dhcp_rpc_agent_api.py:286",
            "neutron.plugins.ml2.plugin.Ml2Plugin._after_create_port", 1684) in events(trace.root)
    assert hops(trace) == {
        ("neutron-api", "cast", "neutron-dhcp-agent", "port_create_end", f"{DHCP_AGENT}.port_create_end"),
        ("neutron-api", "cast", "neutron-dhcp-agent", "network_create_end", f"{DHCP_AGENT}.network_create_end"),
    }
    high = next(h for h in trace.hops if h.method == "port_create_end")
    assert (high.client, high.client_line) == (f"{DHCP}._notify_high_priority_agent", 242)
    # The events of one resource stay apart: the binding's AFTER_UPDATE (plugin.py:927) runs the
    # notifier's update callbacks, and no AFTER_CREATE subscriber of another resource is joined.
    assert {e[0] for e in events(trace.root)} == {"port after_create", "port after_update"}


def test_router_create_notifies_the_l3_agent(neutron):
    # L3_NAT_db_mixin.create_router (l3_db.py:2370) runs on the L3RouterPlugin: notify_router_updated when
    # the router has a gateway (:2374) -> L3AgentNotifyAPI.routers_updated (l3_rpc_agent_api.py:144);
    # and the (ROUTER, AFTER_CREATE) publish of L3_NAT_dbonly_mixin.create_router (l3_db.py:332) runs the
    # HA mixin's @registry.receives _after_router_create (l3_hamode_db.py:410).
    trace = trace_operation(neutron, "router create")
    assert hops(trace) == {("neutron-api", "cast", "neutron-l3-agent", "routers_updated", f"{L3_AGENT}.routers_updated")}
    assert {h.client for h in trace.hops} == {f"{L3_NOTIFIER}.routers_updated"}
    assert events(trace.root) == [("router after_create", "neutron.db.l3_hamode_db.L3_HA_NAT_db_mixin._after_router_create",
                                   "neutron/db/l3_hamode_db.py:410", "neutron.db.l3_db.L3_NAT_dbonly_mixin.create_router",
                                   332)]


def test_router_add_subnet_notifies_the_l3_agent_and_the_dhcp_agent(neutron):
    # L3_NAT_db_mixin.add_router_interface (l3_db.py:2400) -> notify_router_interface_action (:2387) ->
    # L3NotifierMixin.notify_routers_updated -> routers_updated to the L3 agent; the dbonly mixin's
    # (ROUTER_INTERFACE, AFTER_CREATE) publish (l3_db.py:1037) runs DhcpAgentNotifyAPI's
    # _after_router_interface_created (dhcp_rpc_agent_api.py:270), casting port_create_end (:273).
    trace = trace_operation(neutron, "router add subnet")
    assert trace.root.function == "neutron.db.l3_db.L3_NAT_db_mixin.add_router_interface"
    assert hops(trace) == {
        ("neutron-api", "cast", "neutron-l3-agent", "routers_updated", f"{L3_AGENT}.routers_updated"),
        ("neutron-api", "cast", "neutron-dhcp-agent", "port_create_end", f"{DHCP_AGENT}.port_create_end"),
    }
    assert events(trace.root) == [("router_interface after_create", f"{DHCP}._after_router_interface_created",
                                   "neutron/api/rpc/agentnotifiers/dhcp_rpc_agent_api.py:270",
                                   "neutron.db.l3_db.L3_NAT_dbonly_mixin.add_router_interface", 1037)]


def test_graph_to_crosses_the_event_from_the_plugin_to_the_dhcp_agent(neutron):
    from stackread.flows.callgraph import load_callgraph
    from stackread.flows.paths import PathQuestion, chains_of

    result = load_callgraph(neutron)
    edge = next(e for e in result.graph.calls_from("neutron.plugins.ml2.plugin.Ml2Plugin._after_create_port")
                if e.callee == f"{DHCP}._native_event_send_dhcp_notification")
    assert (edge.event, edge.line) == ("port after_create", 1684)
    found, _diagnostics = chains_of(neutron, result.graph,
                                    PathQuestion("Ml2Plugin.create_port", "DhcpAgent.port_create_end", 1))
    chain = found.chains[0]
    assert [h.event for h in chain if h.event] == ["port after_create"]
    assert (chain[-1].rpc, chain[-1].method, chain[-1].service) == ("cast", "port_create_end", "neutron-dhcp-agent")
