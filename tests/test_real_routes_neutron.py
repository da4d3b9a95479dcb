"""Neutron 29.0.0's API read with neutron-lib 5.0.1 as a library: each core resource and the main
extensions' routes down to the plugin method that serves them (path:line checked by hand against
the code, the method Python's C3 order finds on the plugin class), under paste deploy's /v2.0; and
without the library, the hint that names `--library`."""

import pytest

from stackread.flows.operations import find_operation
from stackread.flows.reading import Reading
from stackread.flows.routes import find_routes
from stackread.flows.trace import trace_operation

pytestmark = pytest.mark.real

# CLI name -> (verb, path, plugin method, path:line)
SIGNATURES = {
    "network create": ("POST", "/v2.0/networks", "Ml2Plugin.create_network", "neutron/plugins/ml2/plugin.py:1296"),
    "subnet create": ("POST", "/v2.0/subnets", "Ml2Plugin.create_subnet", "neutron/plugins/ml2/plugin.py:1491"),
    "port create": ("POST", "/v2.0/ports", "Ml2Plugin.create_port", "neutron/plugins/ml2/plugin.py:1675"),
    "subnet pool create": ("POST", "/v2.0/subnetpools", "NeutronDbPluginV2.create_subnetpool",
                           "neutron/db/db_base_plugin_v2.py:1352"),
    "router create": ("POST", "/v2.0/routers", "L3_NAT_db_mixin.create_router", "neutron/db/l3_db.py:2370"),
    "router add subnet": ("PUT", "/v2.0/routers/{id}/add_router_interface", "L3_NAT_db_mixin.add_router_interface",
                          "neutron/db/l3_db.py:2400"),
    "router remove port": ("PUT", "/v2.0/routers/{id}/remove_router_interface",
                           "L3_NAT_db_mixin.remove_router_interface", None),
    "floating ip create": ("POST", "/v2.0/floatingips", "L3RouterPlugin.create_floatingip",
                           "neutron/services/l3_router/l3_router_plugin.py:181"),
    "security group create": ("POST", "/v2.0/security-groups", "SecurityGroupDbMixin.create_security_group",
                              "neutron/db/securitygroups_db.py:89"),
    "network delete": ("DELETE", "/v2.0/networks/{id}", "Ml2Plugin.delete_network", None),
}


@pytest.fixture(scope="module")
def neutron(real_release):
    return real_release("neutron-current"), real_release("neutron-lib-current")


@pytest.fixture(scope="module")
def report(neutron):
    tree, library = neutron
    return find_routes(tree, None, (str(library),))


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_core_and_extension_resources_resolve_to_their_plugin_method(report, name):
    verb, path, method, where = SIGNATURES[name]
    lookup = find_operation(report.routes, name)
    assert lookup.found is not None, (name, [o.name for o in lookup.candidates])
    route = lookup.found.route
    assert (route.verb, route.path, ".".join(route.controller.split(".")[-2:])) == (verb, path, method)
    assert route.mounts == ("/v2.0",)
    if where:
        assert f"{route.controller_path}:{route.controller_line}" == where


def test_the_api_has_its_resources_and_no_warning(report):
    collections = {r.path.split("/")[2] for r in report.routes if r.path.startswith("/v2.0/")}
    assert {"networks", "subnets", "ports", "subnetpools", "routers", "floatingips", "security-groups",
            "security-group-rules", "qos"} <= collections
    assert len(report.routes) >= 160
    assert not [d for d in report.diagnostics if "--library" in d.message]


def test_without_neutron_lib_a_warning_names_the_option(neutron):
    tree, _library = neutron
    report = find_routes(tree)
    assert ("POST", "/v2.0/routers") not in {(r.verb, r.path) for r in report.routes}
    [hint] = [d for d in report.diagnostics if "--library" in d.message]
    assert "--library neutron-lib" in hint.message and "neutron-lib>=5.0.0" in hint.message


def test_an_extension_resource_is_served_through_the_pecan_controller_start_up_rebuilds(report):
    lookup = find_operation(report.routes, "security group create")
    assert lookup.found.route.via == "neutron.pecan_wsgi.controllers.resource.CollectionsController.create"


def test_port_create_starts_at_the_controller_and_steps_into_ml2(neutron):
    tree, library = neutron
    trace = trace_operation(Reading(tree, libraries=(str(library),)), "port create")
    assert trace.root.function == "neutron.pecan_wsgi.controllers.resource.CollectionsController.create"
    assert trace.root.children[0].function == "neutron.plugins.ml2.plugin.Ml2Plugin.create_port"
