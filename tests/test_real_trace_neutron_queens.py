"""Neutron 12.1.1 (Queens) read with neutron-lib 1.13.0, the one its upper-constraints pin (issue 17):
the port, router and router-interface flows tests/test_real_trace_neutron.py pins for Neutron 29, on
a release whose mixins call `super(Cls, self)` and whose plugins publish with `registry.notify(...,
**kwargs)`. The three traces share one program (one TreeTracer for the module). Every hop and event
checked by hand against the lines named beside it."""

import pytest

from stackread.flows.gallery import TreeTracer
from stackread.flows.question import Question
from stackread.flows.reading import Reading

from test_real_trace_neutron import DHCP, DHCP_AGENT, L3_AGENT, events

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def traces(real_release):
    reading = Reading(real_release("neutron-queens"), libraries=(str(real_release("neutron-lib-queens")),))
    with TreeTracer(reading, Question("")) as tracer:
        yield {name: tracer.trace_named(name) for name in ("port create", "router create", "router add subnet")}


def steps(step):
    yield step
    for child in step.children:
        yield from steps(child)


def hops(trace):
    return {(h.source, h.kind, h.fanout, h.target, h.method, h.endpoint, h.client.rpartition(".")[2], h.client_line)
            for h in trace.hops if h.default_path}


def test_port_create_reaches_the_dhcp_agent_through_the_after_create_event(traces):
    # POST /v2.0/ports: pecan's CollectionsController.create -> Ml2Plugin.create_port (plugin.py:1290) ->
    # _after_create_port, registry.notify(PORT, AFTER_CREATE, self, **kwargs) (:1298); DhcpAgentNotifyAPI
    # subscribes _native_event_send_dhcp_notification (dhcp_rpc_agent_api.py:114, the method :274), which
    # notify -> _notify_agents: _schedule_network casts network_create_end to each new agent (:135),
    # _notify_high_priority_agent port_create_end to the hosting one (:234); both through _cast_message,
    # prepare(topic=topic, server=host) on topics.DHCP_AGENT, served by DhcpAgent (agent.py:363, :535).
    trace = traces["port create"]
    assert trace.root.children[0].function == "neutron.plugins.ml2.plugin.Ml2Plugin.create_port"
    assert ("port after_create", f"{DHCP}._native_event_send_dhcp_notification",
            "neutron/api/rpc/agentnotifiers/dhcp_rpc_agent_api.py:274",
            "neutron.plugins.ml2.plugin.Ml2Plugin._after_create_port", 1298) in events(trace.root)
    assert hops(trace) == {
        ("neutron-api", "cast", False, "neutron-dhcp-agent", "network_create_end", f"{DHCP_AGENT}.network_create_end",
         "_schedule_network", 135),
        ("neutron-api", "cast", False, "neutron-dhcp-agent", "port_create_end", f"{DHCP_AGENT}.port_create_end",
         "_notify_high_priority_agent", 234),
    }
    assert {h.route for h in trace.hops} == {"host"}
    # :285 registry.unsubscribe_by_resource(self._send_dhcp_notification, resource) hands the legacy
    # callback to neutron-lib's manager, whose _find -> _get_id (callbacks/manager.py:188, :194) only
    # hashes and names it: the handler goes straight on to notify (:295).
    native = next(s for s in steps(trace.root) if s.function.endswith("._native_event_send_dhcp_notification"))
    assert [c.function.rpartition(".")[2] for c in native.children] == ["notify"]
    # The binding's AFTER_UPDATE (_commit_port_binding, plugin.py:659) runs the update subscribers.
    assert {e[0] for e in events(trace.root)} == {"port after_create", "port after_update"}


def test_router_create_notifies_the_l3_agent_with_a_gateway_and_for_an_ha_router(traces):
    # L3_NAT_db_mixin.create_router (l3_db.py:1956) calls super(L3_NAT_db_mixin, self).create_router, the
    # dbonly mixin's (:252), whose registry.notify(ROUTER, AFTER_CREATE) (:264) runs the HA mixin's
    # @registry.receives _after_router_create (l3_hamode_db.py:385): `if not router['ha']: return`, else
    # _notify_router_updated (:317) -> routers_updated. Then `if router_dict.get('external_gateway_info')`
    # notify_router_updated (l3_db.py:1937) -> routers_updated (l3_rpc_agent_api.py:135, :138 _notification):
    # a cast to each hosting agent's host (:70-73) with the scheduler extension, else a fanout (:101-102),
    # on topics.L3_AGENT, served by L3NATAgent.routers_updated (agent.py:426).
    trace = traces["router create"]
    assert trace.root.children[0].function == "neutron.db.l3_db.L3_NAT_db_mixin.create_router"
    sent = ("neutron-api", "cast", "neutron-l3-agent", "routers_updated", f"{L3_AGENT}.routers_updated",
            "routers_updated", 138)
    assert hops(trace) == {sent[:2] + (fanout,) + sent[2:] for fanout in (False, True)}
    assert sorted(h.condition for h in trace.hops) == 2 * ["router['ha'] and router_ids"] + 2 * [
        "router_dict.get('external_gateway_info') and router_id and router_ids"]
    assert events(trace.root) == [("router after_create", "neutron.db.l3_hamode_db.L3_HA_NAT_db_mixin._after_router_create",
                                   "neutron/db/l3_hamode_db.py:385", "neutron.db.l3_db.L3_NAT_dbonly_mixin.create_router",
                                   264)]


def test_router_add_subnet_notifies_the_l3_agent_and_the_dhcp_agent(traces):
    # PUT /v2.0/routers/{id}/add_router_interface: L3_NAT_db_mixin.add_router_interface (l3_db.py:1986)
    # -> super(L3_NAT_db_mixin, self).add_router_interface, the dbonly mixin's (:873), whose
    # registry.notify(ROUTER_INTERFACE, AFTER_CREATE) (:921) runs DhcpAgentNotifyAPI's
    # _after_router_interface_created (subscribed at dhcp_rpc_agent_api.py:91, the method :262),
    # _notify_agents(..., 'port_create_end', ...) (:264); then notify_router_interface_action (l3_db.py:1973)
    # -> super(L3_NAT_db_mixin, self).notify_routers_updated, L3RpcNotifierMixin's (:1943), `if router_ids`
    # -> routers_updated to the L3 agent. Both reached only through super(Cls, self) into neutron/db.
    trace = traces["router add subnet"]
    assert trace.root.function == "neutron.db.l3_db.L3_NAT_db_mixin.add_router_interface"
    assert {(h.source, h.kind, h.target, h.method, h.endpoint) for h in trace.hops if h.default_path} == {
        ("neutron-api", "cast", "neutron-l3-agent", "routers_updated", f"{L3_AGENT}.routers_updated"),
        ("neutron-api", "cast", "neutron-dhcp-agent", "port_create_end", f"{DHCP_AGENT}.port_create_end"),
    }
    assert {(h.method, h.client.rpartition(".")[2], h.client_line) for h in trace.hops} == {
        ("routers_updated", "routers_updated", 138), ("port_create_end", "_after_router_interface_created", 264)}
    # notify_routers_updated's `if router_ids:` (:1945), which routers_updated tests again (:137): said once.
    assert {h.condition for h in trace.hops if h.method == "routers_updated"} == {"router_ids"}
    assert events(trace.root) == [("router_interface after_create", f"{DHCP}._after_router_interface_created",
                                   "neutron/api/rpc/agentnotifiers/dhcp_rpc_agent_api.py:262",
                                   "neutron.db.l3_db.L3_NAT_dbonly_mixin.add_router_interface", 921)]
