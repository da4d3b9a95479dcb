"""Routes of the APIs declared in tables and helpers on real releases: Placement's ROUTE_DECLARATIONS,
Heat's native v1 API, Trove's mapper helpers, Keystone's Flask-RESTful resources; and paste deploy on
Nova 13.0.0, when a git clone of Nova is at hand (no sdist of it is on PyPI)."""

import os
import pathlib

import pytest

from stackread.flows.operations import find_operation
from stackread.flows.routes import find_routes
from stackread.flows.trace import trace_operation

pytestmark = pytest.mark.real

# release -> {VERB /path as typed: (route path, controller, controller file:line)}; lines read by hand.
SIGNATURES = {
    "placement-current": {
        "POST /resource_providers": ("/resource_providers", "placement.handlers.resource_provider."
                                     "create_resource_provider", "placement/handlers/resource_provider.py:77"),
        "POST /allocations": ("/allocations", "placement.handlers.allocation.set_allocations",
                              "placement/handlers/allocation.py:543"),
    },
    "heat-current": {
        "DELETE /stacks/{stack_name}/{stack_id}": (
            "/{tenant_id}/stacks/{stack_name}/{stack_id}", "heat.api.openstack.v1.stacks.StackController.delete",
            "heat/api/openstack/v1/stacks.py:590"),
        "POST /stacks/preview": ("/{tenant_id}/stacks/preview", "heat.api.openstack.v1.stacks.StackController.preview",
                                 None),
    },
    "trove-current": {
        "POST /instances": ("/{tenant_id}/instances", "trove.instance.service.InstanceController.create",
                            "trove/instance/service.py:362"),
        "GET /instances/{id}": ("/{tenant_id}/instances/{id}", "trove.instance.service.InstanceController.show",
                                "trove/instance/service.py:247"),
    },
    "keystone-current": {
        "POST /v3/auth/tokens": ("/v3/auth/tokens", "keystone.api.auth.AuthTokenResource.post",
                                 "keystone/api/auth.py:320"),
        "GET /v3/users": ("/v3/users", "keystone.api.users.UsersResource.get", "keystone/api/users.py:297"),
        "POST /v3/projects": ("/v3/projects", "keystone.api.projects.ProjectsResource.post",
                              "keystone/api/projects.py:203"),
    },
}
# release -> the operation traced, and the controller the flow must start at.
TRACED = {
    "placement-current": ("POST /resource_providers", "create_resource_provider"),
    "heat-current": ("heat.api.openstack.v1.stacks.StackController.create", "StackController.create"),
    "trove-current": ("POST /instances", "InstanceController.create"),
    "keystone-current": ("POST /v3/auth/tokens", "AuthTokenResource.post"),
}
# release -> (fewest routes, the most that may have no controller method)
COUNTS = {"placement-current": (40, 0), "heat-current": (60, 2), "trove-current": (100, 0),
          "keystone-current": (240, 0)}


@pytest.fixture(scope="module", params=sorted(SIGNATURES))
def release(request, real_release):
    root = real_release(request.param)
    return request.param, root, find_routes(root)


def test_signature_operations_resolve_by_verb_and_path(release):
    key, _root, report = release
    for query, (path, controller, where) in SIGNATURES[key].items():
        lookup = find_operation(report.routes, query)
        assert lookup.found is not None, (query, [o.name for o in lookup.candidates])
        route = lookup.found.route
        assert (route.path, route.controller) == (path, controller), query
        if where:
            assert f"{route.controller_path}:{route.controller_line}" == where, query


# The openstack CLI's words for the same signature operations (the controllers pinned above).
CLI_NAMES = {
    "placement-current": {"resource provider create": "POST /resource_providers"},
    "trove-current": {"database instance create": "POST /instances"},
    "keystone-current": {"token issue": "POST /v3/auth/tokens"},
}


def test_signature_operations_resolve_by_the_openstack_cli_words(release):
    key, _root, report = release
    for words, query in CLI_NAMES.get(key, {}).items():
        lookup = find_operation(report.routes, words)
        assert lookup.found is not None, (words, [o.name for o in lookup.candidates])
        assert lookup.found.route.controller == SIGNATURES[key][query][1], words


def test_the_api_is_found_with_its_controllers(release):
    key, _root, report = release
    fewest, unresolved = COUNTS[key]
    assert len(report.routes) >= fewest
    assert sum(1 for r in report.routes if not r.controller) <= unresolved
    assert not [d for d in report.diagnostics if d.severity.value == "error"]


def test_placement_keeps_one_row_per_microversion_range(real_release):
    routes = find_routes(real_release("placement-current")).routes
    ranges = sorted((r.min_version, r.max_version, r.controller_line) for r in routes
                    if r.verb == "PUT" and r.path == "/allocations/{consumer_uuid}")
    assert ranges == [("1.0", "1.7", 501), ("1.12", "1.27", 515), ("1.28", "1.33", 522), ("1.34", "1.37", 529),
                      ("1.38", None, 536), ("1.8", "1.11", 508)]


@pytest.mark.parametrize("key", sorted(TRACED))
def test_trace_starts_at_the_controller(real_release, key):
    operation, start = TRACED[key]
    trace = trace_operation(real_release(key), operation)
    assert trace.root.function.endswith(start), trace.root.function


def _nova_git() -> pathlib.Path | None:
    for candidate in (os.environ.get("STACKREAD_NOVA_GIT"), "/work/.mirror/openstack+nova/repo"):
        if candidate and pathlib.Path(candidate).is_dir():
            return pathlib.Path(candidate)
    return None


@pytest.mark.skipif(_nova_git() is None, reason="needs a git clone of Nova (STACKREAD_NOVA_GIT)")
@pytest.mark.parametrize("rev", ["12.0.0", "13.0.0"])
def test_nova_liberty_and_mitaka_create_server_means_the_mounted_v21_api(rev):
    # Both declare POST /servers in legacy_v2 and in v2.1; api-paste.ini mounts only APIRouterV21.
    routes = find_routes(_nova_git(), rev).routes
    lookup = find_operation(routes, "create_server")
    assert lookup.found.route.controller == "nova.api.openstack.compute.servers.ServersController.create"
    assert [o.route.controller for o in lookup.candidates] == [
        "nova.api.openstack.compute.legacy_v2.servers.Controller.create"]
    assert lookup.found.route.mounts != () and lookup.candidates[0].route.mounts == ()


def test_heat_stack_create_means_the_native_api_and_lists_the_cfn_one(real_release):
    lookup = find_operation(find_routes(real_release("heat-current")).routes, "openstack stack create")
    assert lookup.found.route.controller == "heat.api.openstack.v1.stacks.StackController.create"
    assert [o.route.controller for o in lookup.candidates] == ["heat.api.cfn.v1.stacks.StackController.create"]
