"""`trace -C nova -C openstack-placement` on real releases (issue 17, across projects: Placement).

Nova 34's report client is a tree's own REST caller: `SchedulerReportClient.get/put/delete`
(nova/scheduler/client/report.py:286-308) send through `self._client`, made by `_create_client`
(:275-284) as `utils.get_sdk_adapter("placement", admin=True)`, which returns
`getattr(conn, service_type.replace('-', '_'))` of an openstacksdk `connection.Connection`
(nova/utils.py:771-854): the placement proxy, a keystoneauth1 Adapter. Placement 16 routes its
requests by `ROUTE_DECLARATIONS` (placement/handler.py:51-131) to functions in placement/handlers/.
One trace per operation, read once for the module.
"""

import pytest

from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

pytestmark = pytest.mark.real

ROUTE = "nova/scheduler/client/report.py"


def across(real_release, operation, with_placement=True):
    # No library beside Nova: the proxy is known from openstacksdk's Connection, which is not read.
    nova = Reading(real_release("nova-current"))
    servers = (Reading(real_release("placement-current")),) if with_placement else ()
    return trace_operation(nova, operation, servers=servers)


def rest(trace):
    return {(h.source, h.method, h.client.rpartition(".")[2], f"{h.client_path}:{h.client_line}",
             h.endpoint.replace("placement.handlers.", ""), h.target) for h in trace.hops if h.kind == "rest"}


@pytest.fixture(scope="module")
def create(real_release):
    return across(real_release, "server create")


@pytest.fixture(scope="module")
def delete(real_release):
    return across(real_release, "server delete")


def test_server_create_claims_in_placement_from_the_scheduler(create):
    """nova-scheduler: `SchedulerManager._select_destinations` asks
    `placement_client.get_allocation_candidates` (nova/scheduler/manager.py:235), which GETs
    `"/allocation_candidates?%s" % qparams` (report.py:347, sent by `get` :287) ->
    `allocation_candidate.list_allocation_candidates` (placement/handlers/allocation_candidate.py:259,
    handler.py:112-114). `utils.claim_resources` -> `reportclient.claim_resources` (nova/scheduler/utils.py:927)
    GETs `'/allocations/%s' % consumer_uuid` (report.py:1668,1674) -> `allocation.list_for_consumer`
    (allocation.py:262) and PUTs it in `_put_allocations` (report.py:2032-2033, sent by `put` :303) ->
    `allocation.set_allocations_for_consumer` (handler.py:107-111; the newest of its microversion
    variants, allocation.py:536: the request's microversion does not choose one yet)."""
    found = rest(create)
    assert ("nova-scheduler", "GET /allocation_candidates", "get_allocation_candidates", f"{ROUTE}:287",
            "allocation_candidate.list_allocation_candidates", "placement-api") in found
    assert ("nova-scheduler", "GET /allocations/{id}", "claim_resources", f"{ROUTE}:287",
            "allocation.list_for_consumer", "placement-api") in found
    assert ("nova-scheduler", "PUT /allocations/{id}", "claim_resources", f"{ROUTE}:303",
            "allocation.set_allocations_for_consumer", "placement-api") in found
    # the serving process is Placement's API, as `entrypoints` names openstack-placement's
    assert {h.target for h in create.hops if h.kind == "rest"} == {"placement-api"}
    # the RPC hops of Nova's own flow are still there
    assert ("nova-conductor", "call", "nova-scheduler", "select_destinations") in {
        (h.source, h.kind, h.target, h.method) for h in create.hops}


def test_server_delete_deletes_the_allocations_from_the_compute_host(delete):
    """nova-compute: `ComputeManager._complete_deletion` (nova/compute/manager.py:977-986) calls
    `delete_allocation_for_instance(context, instance.uuid, force=force)`; with `force` a local the
    call site does not decide, both branches of report.py:2196-2262 are read: `if force:` DELETEs
    `'/allocations/%s' % uuid` (:2196,2200, sent by `delete` :307) -> `allocation.delete_allocations`
    (placement/handlers/allocation.py:607, handler.py:107-111); otherwise GET and PUT the consumer.
    In nova-api, `_local_delete_cleanup` passes `force=True` (nova/compute/api.py:2431-2432): DELETE only."""
    found = rest(delete)
    deleting = ("DELETE /allocations/{id}", "delete_allocation_for_instance", f"{ROUTE}:307",
                "allocation.delete_allocations", "placement-api")
    assert ("nova-compute", *deleting) in found
    assert ("nova-compute", "GET /allocations/{id}", "delete_allocation_for_instance", f"{ROUTE}:287",
            "allocation.list_for_consumer", "placement-api") in found
    api = {h.method for h in delete.hops if h.kind == "rest" and h.source == "nova-api"}
    assert api == {"DELETE /allocations/{id}"}


def test_without_placement_the_report_client_calls_stay_leaves(real_release):
    trace = across(real_release, "server delete", with_placement=False)
    assert [h for h in trace.hops if h.kind == "rest"] == []
