"""REST routes and operation names on real Nova (Ocata extensions, current ROUTE_LIST) and Cinder."""

import pytest

from stackread.flows.operations import find_operation
from stackread.flows.routes import find_routes

pytestmark = pytest.mark.real

# The names, and the (verb, path, action key, controller class) each must resolve to on both
# releases. Handler method names differ between releases (_action_reboot -> _reboot), so they are not pinned.
SERVERS = "/servers/{id}/action"
OPERATIONS = {
    "create_server": ("POST", "/servers", None, "ServersController"),
    "server create": ("POST", "/servers", None, "ServersController"),
    "POST /servers": ("POST", "/servers", None, "ServersController"),
    "servers.create": ("POST", "/servers", None, "ServersController"),
    "ServersController.create": ("POST", "/servers", None, "ServersController"),
    "reboot": ("POST", SERVERS, "reboot", "ServersController"),
    "os-stop": ("POST", SERVERS, "os-stop", "ServersController"),
    "stop": ("POST", SERVERS, "os-stop", "ServersController"),
    "os-migrateLive": ("POST", SERVERS, "os-migrateLive", "MigrateServerController"),
    "live-migrate": ("POST", SERVERS, "os-migrateLive", "MigrateServerController"),
    "live_migrate_server": ("POST", SERVERS, "os-migrateLive", "MigrateServerController"),
    "createImage": ("POST", SERVERS, "createImage", "ServersController"),
    "snapshot": ("POST", SERVERS, "createImage", "ServersController"),
    "resize": ("POST", SERVERS, "resize", "ServersController"),
    "confirmResize": ("POST", SERVERS, "confirmResize", "ServersController"),
    "shelve": ("POST", SERVERS, "shelve", "ShelveController"),
    "unshelve": ("POST", SERVERS, "unshelve", "ShelveController"),
    "evacuate": ("POST", SERVERS, "evacuate", "EvacuateController"),
    "os-resetState": ("POST", SERVERS, "os-resetState", "AdminActionsController"),
    "volume attach": ("POST", "/servers/{server_id}/os-volume_attachments", None, "VolumeAttachmentController"),
    "volume detach": ("DELETE", "/servers/{server_id}/os-volume_attachments/{id}", None, "VolumeAttachmentController"),
    "interface attach": ("POST", "/servers/{server_id}/os-interface", None, "InterfaceAttachmentController"),
    "interface detach": ("DELETE", "/servers/{server_id}/os-interface/{id}", None, "InterfaceAttachmentController"),
    # openstackclient attaches an interface on the network (not nova-network's POST /os-networks/add).
    "server add network": ("POST", "/servers/{server_id}/os-interface", None, "InterfaceAttachmentController"),
    "server remove network": ("DELETE", "/servers/{server_id}/os-interface/{id}", None,
                              "InterfaceAttachmentController"),
}


@pytest.fixture(scope="module", params=["nova-ocata", "nova-current"])
def nova(request, real_release):
    return request.param, find_routes(real_release(request.param))


def _index(report):
    return {(r.verb, r.path, r.action): r for r in report.routes}


def test_every_operation_name_resolves(nova):
    _release, report = nova
    for name, (verb, path, action, cls) in OPERATIONS.items():
        lookup = find_operation(report.routes, name)
        assert lookup.found is not None, (name, [o.name for o in lookup.candidates])
        route = lookup.found.route
        assert (route.verb, route.path, route.action, route.controller.split(".")[-2]) == (verb, path, action, cls), name


def test_routes_cover_servers_flavors_images_and_attachments(nova):
    release, report = nova
    routes = _index(report)
    for verb, path in [("GET", "/servers"), ("GET", "/servers/detail"), ("GET", "/servers/{id}"),
                       ("DELETE", "/servers/{id}"), ("GET", "/flavors"), ("GET", "/flavors/{id}"),
                       ("GET", "/images"), ("GET", "/servers/{server_id}/os-volume_attachments"),
                       ("GET", "/servers/{server_id}/os-interface")]:
        assert routes[verb, path, None].controller, (release, verb, path)
    actions = {r.action for r in report.routes if r.path == SERVERS}
    assert len(actions) == 41, release  # counted by hand: @wsgi.action keys registered on servers
    assert routes["POST", SERVERS, "trigger_crash_dump"].min_version == "2.17"


def test_ocata_flavor_create_is_the_action_handler_named_create(real_release):
    # wsgi.Resource falls back to `@wsgi.action("create")` when FlavorsController has no create.
    routes = _index(find_routes(real_release("nova-ocata")))
    assert routes["POST", "/flavors", None].controller.endswith("FlavorManageController._create")
    assert ("POST", "/flavors/{id}/action", "create") not in routes


def test_ocata_keeps_every_microversioned_definition(real_release):
    creates = [r for r in find_routes(real_release("nova-ocata")).routes
               if r.verb == "POST" and r.path == "/os-keypairs"]
    assert len(creates) >= 3 and len({r.controller_line for r in creates}) == len(creates)


def test_cinder_volume_routes_and_contrib_actions(real_release):
    report = find_routes(real_release("cinder-current"))
    routes = _index(report)
    assert routes["POST", "/volumes", None].controller == "cinder.api.v3.volumes.VolumeController.create"
    assert routes["GET", "/volumes/summary", None].min_version == "3.12"
    assert routes["POST", "/volumes/{id}/action", "os-extend"].controller.endswith("VolumeActionsController._extend")
    assert routes["POST", "/volumes/{id}/action", "os-attach"].controller.endswith("VolumeActionsController._attach")
    lookup = find_operation(report.routes, "volume create")
    assert lookup.found.route.controller.endswith("VolumeController.create")


@pytest.mark.parametrize("release", ["nova-ocata", "nova-current", "cinder-current"])
def test_every_operation_found_by_its_own_name(real_release, release):
    """The words derived from action keys (`backup`, `server backup create`) must leave every
    operation's own name finding it: itself, or the operation that outlives it (a microversion
    proxy); a name two operations share lists both, each with a name that finds it."""
    from stackread.flows.operations import operations

    routes = find_routes(real_release(release)).routes
    for op in operations(routes):
        lookup = find_operation(routes, op.name)
        if lookup.found:
            assert lookup.found.route in op.routes or op in lookup.candidates, (op.name, lookup.found.name)
            continue
        assert lookup.ambiguous and op in lookup.candidates, op.name
        pasted = lookup.names[lookup.candidates.index(op)]
        assert find_operation(routes, pasted).found.route in op.routes, (op.name, pasted)


@pytest.mark.parametrize("name", ["backup", "server backup create", "create backup", "createBackup"])
def test_create_backup_by_the_words_users_know(nova, name):
    lookup = find_operation(nova[1].routes, name)
    assert lookup.found is not None and lookup.found.route.action == "createBackup", name


def test_typo_suggestions_name_what_to_paste_back(real_release):
    routes = find_routes(real_release("nova-current")).routes
    for typo, name in [("creat_server", "create_server"), ("rebot", "reboot")]:
        lookup = find_operation(routes, typo)
        assert lookup.names[0] == name, (typo, lookup.names)
        assert find_operation(routes, name).found.route == lookup.candidates[0].route


def test_operation_completion_on_real_nova(real_release, tmp_path):
    from click.shell_completion import ShellComplete

    from stackread.cli import cli

    line = ["trace", "--cache-dir", str(tmp_path), "-C", str(real_release("nova-current"))]
    completion = ShellComplete(cli, {}, "stackread", "_STACKREAD_COMPLETE")
    names = [item.value for item in completion.get_completions(line, "create_")]
    assert {"create_server", "create_backup", "create_image"} <= set(names)
    routes = find_routes(real_release("nova-current")).routes
    for name in names:  # each one finds its operation
        assert find_operation(routes, name).found is not None, name


def test_typo_candidates_in_json_carry_the_name_to_ask_again_with(real_release):
    import json as json_module

    from click.testing import CliRunner

    from stackread.cli import cli

    result = CliRunner().invoke(cli, ["routes", str(real_release("nova-current")), "--find", "creat_server", "--json"])
    assert result.exit_code == 1
    data = json_module.loads(result.stdout)
    assert data["error"] == "unknown" and data["candidates"][0]["name"] == "create_server"
    routes = find_routes(real_release("nova-current")).routes
    for candidate in data["candidates"]:
        if candidate["name"] is not None:  # each name asked again finds that very operation
            assert find_operation(routes, candidate["name"]).found.name == candidate["operation"]


def test_a_resource_word_in_front_names_that_resource_only(real_release):
    # `server add interface` is no openstack CLI command; dropping `server` as if it were a project's
    # word (`baremetal node create`) found Nova's proxy action POST /os-baremetal-nodes/{id}/action
    # add_interface. Only an operation on servers would do: none, so the close names come back.
    report = find_routes(real_release("nova-current"))
    lookup = find_operation(report.routes, "server add interface")
    assert lookup.found is None and lookup.candidates
    assert find_operation(report.routes, "server add port").found.route.path == "/servers/{server_id}/os-interface"
