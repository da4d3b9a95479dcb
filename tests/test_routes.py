"""REST routes from the three shapes OpenStack APIs use, in small trees shaped like the real ones."""

import json
import re

import pytest
from click.testing import CliRunner

from stackread.cli import cli
from stackread.flows.operations import find_operation
from stackread.flows.routes import find_routes

SETUP_CFG = """
[metadata]
name = {name}
[entry_points]
console_scripts =
    {name}-api = {name}.cmd.api:main
"""

WSGI = """
import functools


def action(name):
    def decorator(func):
        func.wsgi_action = name
        return func
    return decorator


def api_version(min_version, max_version=None):
    def decorator(func):
        return func
    return decorator


class Controller(object):
    pass


class Resource(object):
    def __init__(self, controller):
        self.controller = controller
"""

def _project(name: str) -> dict[str, str]:
    """The package skeleton every tree here shares: metadata, an api script, the wsgi helpers."""
    return {"setup.cfg": SETUP_CFG.format(name=name), f"{name}/__init__.py": "", f"{name}/cmd/__init__.py": "",
            f"{name}/cmd/api.py": "def main():\n    pass\n", f"{name}/api/__init__.py": "",
            f"{name}/api/openstack/__init__.py": "", f"{name}/api/openstack/wsgi.py": WSGI}


# Current Nova: a routing table of (path, {VERB: [factory, 'method']}) rows, factories are partials.
CURRENT = {
    **_project("nova"),
    "nova/api/openstack/compute/__init__.py": "",
    "nova/api/openstack/compute/servers.py": """
        from nova.api.openstack import wsgi

        MV = '2.17'


        class ServersController(wsgi.Controller):
            def index(self, req):
                pass

            def create(self, req, body):
                pass

            @wsgi.action('reboot')
            def _reboot(self, req, id, body):
                pass

            @wsgi.api_version(MV)
            @wsgi.action('trigger_crash_dump')
            def _trigger_crash_dump(self, req, id, body):
                pass
    """,
    "nova/api/openstack/compute/migrate_server.py": """
        from nova.api.openstack import wsgi


        class MigrateServerController(wsgi.Controller):
            @wsgi.action('os-migrateLive')
            def _migrate_live(self, req, id, body):
                pass
    """,
    "nova/api/openstack/compute/volumes_boot.py": """
        from nova.api.openstack.compute import servers
        from nova.api.openstack import wsgi


        class VolumesBootController(servers.ServersController):
            @wsgi.api_version('2.1', '2.102')
            @wsgi.action('reboot')
            def _reboot(self, req, id, body):
                pass
    """,
    "nova/api/openstack/compute/routes.py": """
        import functools

        from nova.api.openstack.compute import migrate_server
        from nova.api.openstack.compute import servers
        from nova.api.openstack.compute import volumes_boot
        from nova.api.openstack import wsgi


        def _create_controller(main_controller, action_controller_list):
            controller = wsgi.Resource(main_controller())
            for ctl in action_controller_list:
                controller.register_subcontroller_actions(ctl())
            return controller


        server_controller = functools.partial(_create_controller, servers.ServersController,
                                              [migrate_server.MigrateServerController])
        volumes_boot_controller = functools.partial(_create_controller, volumes_boot.VolumesBootController, [])

        ROUTE_LIST = (
            ('', '/'),
            ('/os-volumes_boot/{id}/action', {
                'POST': [volumes_boot_controller, 'action'],
            }),
            ('/servers', {
                'GET': [server_controller, 'index'],
                'POST': [server_controller, 'create'],
            }),
            ('/servers/{id}/action', {
                'POST': [server_controller, 'action'],
            }),
        )


        class APIRouterV21(object):
            def __init__(self, custom_routes=None):
                if custom_routes is None:
                    custom_routes = tuple()
                for path, methods in ROUTE_LIST + custom_routes:
                    if isinstance(methods, str):
                        self.map.redirect(path, methods)
                        continue
                    for method, controller_info in methods.items():
                        controller = controller_info[0]()
                        action = controller_info[1]
                        self.map.create_route(path, method, controller, action)
    """,
}

# Ocata Nova and Cinder's contrib: extensions declare resources and add action controllers.
EXTENSIONS = {
    **_project("nova"),
    "nova/api/openstack/extensions.py": """
        class ResourceExtension(object):
            def __init__(self, collection, controller=None, parent=None, collection_actions=None,
                         member_actions=None, custom_routes_fn=None, inherits=None, member_name=None):
                self.collection = collection


        class ControllerExtension(object):
            def __init__(self, extension, collection, controller):
                self.collection = collection
    """,
    "nova/api/openstack/compute/__init__.py": "",
    "nova/api/openstack/compute/servers.py": """
        from nova.api.openstack import extensions
        from nova.api.openstack import wsgi

        ALIAS = 'servers'


        class ServersController(wsgi.Controller):
            def index(self, req):
                pass

            def detail(self, req):
                pass

            def create(self, req, body):
                pass

            def delete(self, req, id):
                pass

            @wsgi.action('reboot')
            def _action_reboot(self, req, id, body):
                pass


        class Servers(object):
            def get_resources(self):
                member_actions = {'action': 'POST'}
                collection_actions = {'detail': 'GET'}
                resources = [
                    extensions.ResourceExtension(
                        ALIAS,
                        ServersController(extension_info=self.extension_info),
                        member_name='server', collection_actions=collection_actions,
                        member_actions=member_actions)]
                return resources
    """,
    "nova/api/openstack/compute/server_password.py": """
        from nova.api.openstack import extensions


        class ServerPasswordController(object):
            def index(self, req, server_id):
                pass

            def clear(self, req, server_id):
                pass


        class ServerPassword(object):
            def get_resources(self):
                resources = [
                    extensions.ResourceExtension(
                        'os-server-password', controller=ServerPasswordController(),
                        collection_actions={'clear': 'DELETE'},
                        parent=dict(member_name='server', collection_name='servers'))]
                return resources
    """,
    "nova/api/openstack/compute/server_metadata.py": """
        from nova.api.openstack import extensions


        class ServerMetadataController(object):
            def index(self, req, server_id):
                pass

            def update_all(self, req, server_id, body):
                pass


        class ServerMetadata(object):
            def get_resources(self):
                parent = {'member_name': 'server', 'collection_name': 'servers'}
                return [extensions.ResourceExtension('metadata', ServerMetadataController(),
                                                     member_name='server_meta', parent=parent,
                                                     custom_routes_fn=self.server_metadata_map)]

            def server_metadata_map(self, mapper, wsgi_resource):
                mapper.connect("metadata", "/{project_id}/servers/{server_id}/metadata",
                               controller=wsgi_resource, action='update_all', conditions={"method": ['PUT']})
    """,
    "nova/api/openstack/compute/migrate_server.py": """
        from nova.api.openstack import extensions
        from nova.api.openstack import wsgi


        class MigrateServerController(wsgi.Controller):
            @wsgi.action('os-migrateLive')
            def _migrate_live(self, req, id, body):
                pass


        class MigrateServer(object):
            def get_controller_extensions(self):
                controller = MigrateServerController()
                extension = extensions.ControllerExtension(self, 'servers', controller)
                return [extension]
    """,
    "nova/api/openstack/compute/keypairs.py": """
        from nova.api.openstack import extensions
        from nova.api.openstack import wsgi


        class KeypairController(wsgi.Controller):
            @wsgi.Controller.api_version("2.10")
            def create(self, req, body):
                pass

            @wsgi.Controller.api_version("2.2", "2.9")
            def create(self, req, body):
                pass


        class Keypairs(object):
            def get_resources(self):
                return [extensions.ResourceExtension('os-keypairs', KeypairController())]
    """,
}

# Cinder: a Routes mapper in the router, controllers from create_resource(), contrib actions.
CINDER = {
    **_project("cinder"),
    "cinder/api/extensions.py": """
        class ControllerExtension(object):
            def __init__(self, extension, collection, controller):
                self.collection = collection
    """,
    "cinder/api/microversions.py": "VOLUME_SUMMARY = '3.12'\n",
    "cinder/api/v3/__init__.py": "",
    "cinder/api/v3/volumes.py": """
        from cinder.api import microversions as mv
        from cinder.api.openstack import wsgi


        class VolumeController(wsgi.Controller):
            def create(self, req, body):
                pass

            @wsgi.Controller.api_version(mv.VOLUME_SUMMARY)
            def summary(self, req):
                pass


        def create_resource(ext_mgr):
            return wsgi.Resource(VolumeController(ext_mgr))
    """,
    "cinder/api/v3/router.py": """
        from cinder.api.v3 import volumes


        class APIRouter(object):
            def __init__(self, ext_mgr=None):
                mapper = ProjectMapper()
                self.resources = {}
                self._setup_routes(mapper, ext_mgr)

            def _setup_routes(self, mapper, ext_mgr):
                self.resources['volumes'] = volumes.create_resource(ext_mgr)
                mapper.resource("volume", "volumes",
                                controller=self.resources['volumes'],
                                collection={'detail': 'GET', 'summary': 'GET'},
                                member={'action': 'POST'})
                for path_prefix in ['/{project_id}', '']:
                    mapper.connect("volumes", "%s/volumes/summary" % path_prefix,
                                   controller=self.resources['volumes'], action='summary',
                                   conditions={"method": ['GET']})
    """,
    "cinder/api/contrib/__init__.py": "",
    "cinder/api/contrib/volume_actions.py": """
        from cinder.api import extensions
        from cinder.api.openstack import wsgi


        class VolumeActionsController(wsgi.Controller):
            @wsgi.action('os-attach')
            def _attach(self, req, id, body):
                pass

            @wsgi.action('os-extend')
            def _extend(self, req, id, body):
                pass


        class Volume_actions(object):
            def get_controller_extensions(self):
                controller = VolumeActionsController()
                extension = extensions.ControllerExtension(self, 'volumes', controller)
                return [extension]
    """,
}


def rows(report):
    return {(r.verb, r.path, r.action): r for r in report.routes}


def short(route):
    return ".".join(route.controller.split(".")[-2:]) if route.controller else None


def test_routing_table_with_partial_controller_factories(make_tree):
    report = find_routes(make_tree(CURRENT))
    found = rows(report)
    assert short(found["POST", "/servers", None]) == "ServersController.create"
    create = found["POST", "/servers", None]
    assert (create.controller_path, create.controller_line) == ("nova/api/openstack/compute/servers.py", 10)
    assert create.declared_line == 25  # the row of ROUTE_LIST, not the loop that maps it
    # Actions come from the main controller and the action controllers of the partial.
    assert short(found["POST", "/servers/{id}/action", "reboot"]) == "ServersController._reboot"
    assert short(found["POST", "/servers/{id}/action", "os-migrateLive"]) == "MigrateServerController._migrate_live"
    assert found["POST", "/servers/{id}/action", "trigger_crash_dump"].min_version == "2.17"
    # A subclass serves its own override, with its microversion bounds.
    proxy = found["POST", "/os-volumes_boot/{id}/action", "reboot"]
    assert (short(proxy), proxy.min_version, proxy.max_version) == ("VolumesBootController._reboot", "2.1", "2.102")
    assert not any(r.path == "" or r.path == "/" for r in report.routes)  # the redirect is not a route


def test_extensions_resources_and_action_controllers(make_tree):
    found = rows(find_routes(make_tree(EXTENSIONS)))
    assert short(found["GET", "/servers/detail", None]) == "ServersController.detail"
    assert short(found["DELETE", "/servers/{id}", None]) == "ServersController.delete"
    assert ("PUT", "/servers/{id}", None) not in found  # Routes maps it, but the controller has no update
    assert short(found["POST", "/servers/{id}/action", "reboot"]) == "ServersController._action_reboot"
    assert short(found["POST", "/servers/{id}/action", "os-migrateLive"]) == "MigrateServerController._migrate_live"
    # Routes maps a collection's first DELETE action onto the collection path itself.
    assert short(found["DELETE", "/servers/{server_id}/os-server-password", None]) == "ServerPasswordController.clear"
    # custom_routes_fn adds a route served by its resource's controller; the project-id prefix is dropped.
    assert short(found["PUT", "/servers/{server_id}/metadata", None]) == "ServerMetadataController.update_all"


def test_a_custom_routes_helper_that_hands_the_mapper_to_another_adds_its_routes(make_tree):
    # Masakari's Versions.version_map calls `self.map_path(mapper, wsgi_resource, '/')`, a staticmethod
    # that connects the path it is given: GET / is VersionsController.show, declared where '/' is named.
    tree = dict(EXTENSIONS)
    tree["nova/api/openstack/compute/server_metadata.py"] = tree["nova/api/openstack/compute/server_metadata.py"].replace(
        """            def server_metadata_map(self, mapper, wsgi_resource):
                mapper.connect("metadata", "/{project_id}/servers/{server_id}/metadata",
                               controller=wsgi_resource, action='update_all', conditions={"method": ['PUT']})""",
        """            def server_metadata_map(self, mapper, wsgi_resource):
                self.map_path(mapper, wsgi_resource, "/{project_id}/servers/{server_id}/metadata")

            @staticmethod
            def map_path(mapper, wsgi_resource, path):
                mapper.connect("metadata", path,
                               controller=wsgi_resource, action='update_all', conditions={"method": ['PUT']})""")
    found = rows(find_routes(make_tree(tree)))
    assert short(found["PUT", "/servers/{server_id}/metadata", None]) == "ServerMetadataController.update_all"


def test_microversioned_duplicate_definitions_are_each_listed(make_tree):
    report = find_routes(make_tree(EXTENSIONS))
    creates = [(r.min_version, r.max_version, r.controller_line) for r in report.routes
               if r.verb == "POST" and r.path == "/os-keypairs"]
    assert sorted(creates) == [("2.10", None, 7), ("2.2", "2.9", 11)]


def test_routes_mapper_with_resources_dict_and_contrib_actions(make_tree):
    found = rows(find_routes(make_tree(CINDER)))
    assert short(found["POST", "/volumes", None]) == "VolumeController.create"
    summary = found["GET", "/volumes/summary", None]
    assert (short(summary), summary.min_version) == ("VolumeController.summary", "3.12")
    assert short(found["POST", "/volumes/{id}/action", "os-extend"]) == "VolumeActionsController._extend"
    assert not any(r.path.startswith("/{project_id}") for r in found.values())


@pytest.mark.parametrize("name", ["create_server", "server create", "POST /servers", "servers.create",
                                  "ServersController.create", "post /{project_id}/servers"])
def test_operation_names_for_create_server(make_tree, name):
    lookup = find_operation(find_routes(make_tree(CURRENT)).routes, name)
    assert lookup.found is not None and short(lookup.found.route) == "ServersController.create"


@pytest.mark.parametrize("name", ["os-migrateLive", "live-migrate", "live_migrate_server", "migrate_live",
                                  "server migrate live"])
def test_operation_names_for_actions(make_tree, name):
    lookup = find_operation(find_routes(make_tree(CURRENT)).routes, name)
    assert lookup.found is not None and lookup.found.route.action == "os-migrateLive"


def test_a_name_still_served_wins_over_one_that_ends_at_a_microversion(make_tree):
    lookup = find_operation(find_routes(make_tree(CURRENT)).routes, "reboot")
    assert short(lookup.found.route) == "ServersController._reboot"
    assert [short(o.route) for o in lookup.candidates] == ["VolumesBootController._reboot"]


# CURRENT with actions whose keys are two words (createBackup) or carry the os- prefix (os-stop).
WORDY = {**CURRENT, "nova/api/openstack/compute/servers.py": CURRENT["nova/api/openstack/compute/servers.py"].replace(
    "            @wsgi.action('reboot')", """            @wsgi.action('createBackup')
            def _create_backup(self, req, id, body):
                pass

            @wsgi.action('os-stop')
            def _stop(self, req, id, body):
                pass

            @wsgi.action('forceReboot')
            def _force_reboot(self, req, id, body):
                pass

            @wsgi.action('reboot')""")}


@pytest.mark.parametrize("name, action", [
    ("createBackup", "createBackup"), ("create backup", "createBackup"), ("backup", "createBackup"),
    ("server backup create", "createBackup"), ("openstack server backup create", "createBackup"),
    ("os-stop", "os-stop"), ("stop", "os-stop"), ("server stop", "os-stop"),
    # A word of a key (forceReboot's `reboot`) never takes a name another operation has of its own.
    ("reboot", "reboot"), ("force reboot", "forceReboot")])
def test_action_keys_answer_to_the_words_users_know(make_tree, name, action):
    lookup = find_operation(find_routes(make_tree(WORDY)).routes, name)
    assert lookup.found is not None, [o.name for o in lookup.candidates]
    assert lookup.found.route.action == action and lookup.found.route.path == "/servers/{id}/action"


def test_suggestions_are_names_that_find_their_operation(make_tree):
    routes = find_routes(make_tree(WORDY)).routes
    typo = find_operation(routes, "rebot")
    # The reboot that ends at 2.102 goes: `reboot` finds the one still served.
    assert typo.names[0] == "reboot" and short(typo.candidates[0].route) == "ServersController._reboot"
    assert "VolumesBootController._reboot" not in [short(o.route) for o in typo.candidates]
    assert "create_server" in find_operation(routes, "creat_server").names
    ambiguous = find_operation(find_routes(make_tree(EXTENSIONS)).routes, "index")
    assert ambiguous.ambiguous and len(ambiguous.names) == len(ambiguous.candidates) == 3
    for name, op in zip(ambiguous.names, ambiguous.candidates):
        assert find_operation(find_routes(make_tree(EXTENSIONS)).routes, name).found.route in op.routes, name


def test_cli_suggestions_put_the_name_before_the_route(make_tree):
    result = CliRunner().invoke(cli, ["trace", "creat_server", "-C", str(make_tree(WORDY))])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert re.search(r"^  create_server +POST /servers ", result.stderr, re.MULTILINE), result.stderr
    result = CliRunner().invoke(cli, ["routes", str(make_tree(WORDY)), "--find", "rebot"])
    assert re.search(r"^  reboot +POST /servers/\{id\}/action \{'reboot'", result.stderr, re.MULTILINE), result.stderr


def test_unknown_and_ambiguous_names(make_tree):
    routes = find_routes(make_tree(EXTENSIONS)).routes
    unknown = find_operation(routes, "rebot")
    assert unknown.found is None and not unknown.ambiguous
    assert unknown.candidates[0].route.action == "reboot"
    ambiguous = find_operation(routes, "index")
    assert ambiguous.found is None and ambiguous.ambiguous and len(ambiguous.candidates) == 3


def test_cli_routes_find_and_json(make_tree):
    tree = make_tree(CURRENT)
    runner = CliRunner()
    result = runner.invoke(cli, ["routes", str(tree), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert {"verb", "path", "action", "controller", "controller_path", "controller_line", "min_version",
            "max_version"} <= set(data[0])
    result = runner.invoke(cli, ["routes", str(tree), "--find", "live-migrate"])
    assert result.exit_code == 0 and "MigrateServerController._migrate_live" in result.output
    result = runner.invoke(cli, ["routes", str(tree), "--find", "rebot"])
    assert result.exit_code == 1 and "reboot" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli, ["routes", str(tree), "--find", "rebot", "--json"])
    assert result.exit_code == 1 and json.loads(result.stdout)["error"] == "unknown"


# -- shell completion of OPERATION: the names of the tree -C PATH names --------------------------------

def _complete(args: list[str], incomplete: str) -> list[str]:
    from click.shell_completion import ShellComplete

    completion = ShellComplete(cli, {}, "stackread", "_STACKREAD_COMPLETE")
    return [item.value for item in completion.get_completions(args, incomplete)]


def test_operation_completes_from_the_tree_given_with_C(make_tree, tmp_path):
    tree, cache = str(make_tree(WORDY)), str(tmp_path / "cache")
    names = _complete(["trace", "--cache-dir", cache, "-C", tree], "")
    # One name per operation, each one `trace` finds; the reboot that ends at 2.102 is `reboot`'s.
    assert names == sorted(["create_backup", "create_server", "force_reboot", "index_server", "migrate_live",
                            "reboot", "stop", "trigger_crash_dump"])
    assert _complete(["breakpoints", "--cache-dir", cache, "-C", tree], "Re") == ["reboot"]
    assert _complete(["trace", "--cache-dir", cache], "re") == []  # no -C on the line: no tree to read


def test_operation_completion_reads_the_warm_cache(make_tree, tmp_path, monkeypatch):
    from stackread.frameworks.rest import routes_mapper

    line = ["trace", "--cache-dir", str(tmp_path / "cache"), "-C", str(make_tree(WORDY))]
    assert _complete(line, "reb") == ["reboot"]

    def unread(*_args):
        raise AssertionError("the routes were read again")

    monkeypatch.setattr(routes_mapper, "routes_of_project", unread)
    assert _complete(line, "reb") == ["reboot"]
    assert _complete(line + ["--no-cache"], "reb") == []  # read again, which fails: nothing, no traceback


@pytest.mark.parametrize("files", [None, {"nova/api/openstack/compute/routes.py": "ROUTE_LIST = (\n"},
                                   {"setup.cfg": b"\xff\xfe[metadata\n"}])
def test_operation_completion_never_fails_the_shell(make_tree, tmp_path, capsys, files):
    where = str(make_tree({**CURRENT, **files}) if files else tmp_path / "no-such-tree")
    names = _complete(["trace", "--cache-dir", str(tmp_path / "cache"), "-C", where], "")
    assert isinstance(names, list)
    assert capsys.readouterr() == ("", "")


def test_bash_completion_through_the_console_script(make_tree, tmp_path):
    import os
    import pathlib
    import subprocess
    import sys

    tree = str(make_tree(WORDY))
    words = ["stackread", "trace", "--cache-dir", str(tmp_path / "cache"), "-C", tree, "cr"]
    src = str(pathlib.Path(__file__).resolve().parent.parent / "src")
    env = {**os.environ, "_STACKREAD_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(words),
           "COMP_CWORD": str(len(words) - 1), "PYTHONPATH": src}
    done = subprocess.run([sys.executable, "-m", "stackread"], env=env, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == ["plain,create_backup", "plain,create_server"]
