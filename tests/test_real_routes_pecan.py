"""pecan APIs on their real releases: the routes found, with controller `path:line` checked by hand
against the code, and signature operations resolving by the openstack CLI's names."""

import pytest

from stackread.flows.operations import find_operation
from stackread.flows.routes import find_routes

pytestmark = pytest.mark.real

# release -> (routes at least, {CLI name: (verb, path, Class.method, path:line)})
PROJECTS = {
    "ironic-current": (150, {  # 227 before the chassis view stopped repeating /v1/nodes
        "baremetal node create": ("POST", "/v1/nodes", "NodesController.post", "ironic/api/controllers/v1/node.py:2994"),
        "baremetal node deploy": ("PUT", "/v1/nodes/{node_ident}/states/provision", "NodeStatesController.provision",
                                  "ironic/api/controllers/v1/node.py:1148"),
        "baremetal node power on": ("PUT", "/v1/nodes/{node_ident}/states/power", "NodeStatesController.power",
                                    "ironic/api/controllers/v1/node.py:853"),
        "baremetal port create": ("POST", "/v1/ports", "PortsController.post", "ironic/api/controllers/v1/port.py:620"),
    }),
    "octavia-current": (300, {
        "loadbalancer create": ("POST", "/v2.0/loadbalancers", "LoadBalancersController.post",
                                "octavia/api/v2/controllers/load_balancer.py:477"),
        "loadbalancer pool create": ("POST", "/v2.0/pools", "PoolsController.post",
                                     "octavia/api/v2/controllers/pool.py:218"),
        "loadbalancer failover": ("PUT", "/v2.0/loadbalancers/{id}/failover", "FailoverController.put",
                                  "octavia/api/v2/controllers/load_balancer.py:971"),
    }),
    "designate-current": (45, {
        "zone create": ("POST", "/v2/zones", "ZonesController.post_all", "designate/api/v2/controllers/zones/__init__.py:84"),
        "recordset create": ("POST", "/v2/zones/{zone_id}/recordsets", "RecordSetsController.post_all",
                             "designate/api/v2/controllers/zones/recordsets.py:78"),
    }),
    "magnum-current": (40, {
        "coe cluster create": ("POST", "/v1/clusters", "ClustersController.post",
                               "magnum/api/controllers/v1/cluster.py:508"),
        "coe cluster template create": ("POST", "/v1/clustertemplates", "ClusterTemplatesController.post",
                                        "magnum/api/controllers/v1/cluster_template.py:407"),
        "coe cluster resize": ("POST", "/v1/clusters/{cluster_ident}/actions/resize", "ActionsController.resize",
                               "magnum/api/controllers/v1/cluster_actions.py:96"),
    }),
    "zun-current": (70, {
        "appcontainer create": ("POST", "/v1/containers", "ContainersController.post",
                                "zun/api/controllers/v1/containers.py:254"),
        "appcontainer start": ("POST", "/v1/containers/{container_ident}/start", "ContainersController.start",
                               "zun/api/controllers/v1/containers.py:848"),
    }),
    "watcher-current": (35, {
        "optimize audit create": ("POST", "/v1/audits", "AuditsController.post", "watcher/api/controllers/v1/audit.py:716"),
        "optimize action plan start": ("POST", "/v1/action_plans/{action_plan_uuid}/start", "ActionPlansController.start",
                                       "watcher/api/controllers/v1/action_plan.py:683"),
    }),
    "cyborg-current": (20, {
        "accelerator request create": ("POST", "/v2/accelerator_requests", "ARQsController.post",
                                       "cyborg/api/controllers/v2/arqs.py:153"),
        "accelerator device profile create": ("POST", "/v2/device_profiles", "DeviceProfilesController.post",
                                              "cyborg/api/controllers/v2/device_profiles.py:149"),
    }),
    "barbican-current": (50, {
        "secret store": ("POST", "/v1/secrets", "SecretsController.on_post", "barbican/api/controllers/secrets.py:473"),
        "secret order create": ("POST", "/v1/orders", "OrdersController.on_post", "barbican/api/controllers/orders.py:163"),
        "secret container create": ("POST", "/v1/containers", "ContainersController.on_post",
                                    "barbican/api/controllers/containers.py:181"),
    }),
}


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def api(request, real_release):
    """(release key, its routes): one routes read per release."""
    return request.param, find_routes(real_release(request.param)).routes


def test_routes_found_with_their_controllers(api):
    key, routes = api
    assert len(routes) >= PROJECTS[key][0]
    assert all(r.controller and r.controller_path and r.controller_line for r in routes)


def test_signature_operations_resolve_by_cli_name(api):
    key, routes = api
    for name, (verb, path, method, where) in PROJECTS[key][1].items():
        found = find_operation(routes, name).found
        assert found is not None, name
        route = found.route
        short = ".".join(route.controller.split(".")[-2:])
        assert (route.verb, route.path, short, f"{route.controller_path}:{route.controller_line}") == \
            (verb, path, method, where), name


def test_microversion_bounds_where_declared(real_release):
    routes = find_routes(real_release("magnum-current")).routes
    posts = sorted((r.min_version, r.max_version, r.controller_line) for r in routes
                   if r.verb == "POST" and r.path == "/v1/clusters")
    assert posts == [("1.1", "1.9", 508), ("1.10", None, 518)]


def test_trace_starts_at_the_controller_method(real_release):
    from stackread.flows.trace import trace_operation

    trace = trace_operation(real_release("ironic-current"), "baremetal node deploy")
    assert (trace.entry.verb, trace.entry.path) == ("PUT", "/v1/nodes/{node_ident}/states/provision")
    assert (trace.root.function, trace.root.path, trace.root.line) == (
        "ironic.api.controllers.v1.node.NodeStatesController.provision", "ironic/api/controllers/v1/node.py", 1148)


def test_pecan_paths_carry_the_paste_prefix_a_client_sends(real_release):
    # api-paste.ini: Barbican mounts create_main_app at /v1, Designate its v2 factory at /v2.
    barbican = {(r.verb, r.path): r.mounts for r in find_routes(real_release("barbican-current")).routes}
    assert barbican[("POST", "/v1/secrets")] == ("/v1",) and barbican[("GET", "/")] == ("/",)
    designate = {(r.verb, r.path): r.mounts for r in find_routes(real_release("designate-current")).routes}
    assert designate[("POST", "/v2/zones")] == ("/v2",)
    assert not [p for _v, p in designate if p.startswith("/zones")]


def test_ironic_chassis_nodes_do_not_repeat_the_node_api(real_release):
    # ChassisController mounts `nodes = NodesController()` flagged `nodes.from_chassis = True`: only
    # the listing level is served there; every /v1/nodes/{node_ident}/... route once, under /v1/nodes.
    routes = find_routes(real_release("ironic-current")).routes
    under = sorted((r.verb, r.path) for r in routes if r.path.startswith("/v1/chassis/{chassis_uuid}/nodes"))
    assert ("GET", "/v1/chassis/{chassis_uuid}/nodes") in under and len(under) <= 6
    assert not [p for _v, p in under if "node_ident" in p]
    assert ("POST", "/v1/chassis/{chassis_uuid}/nodes") not in under  # post refuses from_chassis
