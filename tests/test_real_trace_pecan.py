"""`stackread trace` on pecan projects whose controllers reach the RPC client a hook puts on the request
(`state.request.rpcapi = ...` in a PecanHook's `before`, read as `pecan.request.rpcapi`)."""

import pytest

from stackread.flows.trace import trace_operation

pytestmark = pytest.mark.real


def hops_of(trace):
    """(source, kind, method, client, endpoint) per hop; the receiving binary's name is left to its own tests."""
    return {(h.source, h.kind, h.method, h.client, h.endpoint) for h in trace.hops}


def test_ironic_node_deploy_calls_the_conductor(real_release):
    # ironic/api/controllers/v1/node.py: api.request.rpcapi.do_node_deploy(...); rpcapi.py: cctxt.call(...)
    trace = trace_operation(real_release("ironic-current"), "baremetal node deploy")
    assert ("ironic-api", "call", "do_node_deploy", "ironic.conductor.rpcapi.ConductorAPI.do_node_deploy",
            "ironic.conductor.manager.ConductorManager.do_node_deploy") in hops_of(trace)
    deploy = next(h for h in trace.hops if h.method == "do_node_deploy")
    assert deploy.default_path


def test_magnum_cluster_create_casts_to_the_conductor(real_release):
    # magnum/api/controllers/v1/cluster.py: pecan.request.rpcapi.cluster_create_async(...), which casts
    trace = trace_operation(real_release("magnum-current"), "POST /v1/clusters")
    assert hops_of(trace) == {
        ("magnum-api", "cast", "cluster_create", "magnum.conductor.api.API.cluster_create_async",
         "magnum.conductor.handlers.cluster_conductor.Handler.cluster_create")}


def test_zun_container_create_casts_to_the_compute_service(real_release):
    # zun/api/controllers/v1/containers.py: pecan.request.compute_api.container_create(...) -> compute.api.API
    # -> rpcapi.container_create, a cast; image_search (a call) only with CONF.api.enable_image_validation
    trace = trace_operation(real_release("zun-current"), "POST /v1/containers")
    hops = {h.method: h for h in trace.hops}
    assert (hops["container_create"].kind, hops["container_create"].endpoint) == \
        ("cast", "zun.compute.manager.Manager.container_create")
    assert hops["container_create"].default_path
    assert hops["image_search"].kind == "call" and not hops["image_search"].default_path
