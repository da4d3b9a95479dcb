"""Resources served by a generic controller that calls its plugin by name, as Neutron's are
(frameworks/rest/plugin_resources.py), with their attribute maps in a library read beside the
tree (source/libraries.py, `-L`). One small tree (and one small library) per rule."""

from click.testing import CliRunner

from stackread.cli import cli
from stackread.errors import UsageError
from stackread.flows.operations import find_operation
from stackread.flows.reading import Reading
from stackread.flows.routes import find_routes
from stackread.flows.trace import trace_operation
from stackread.source.libraries import WithLibraries, packages_of
from stackread.source.trees import open_tree

# A neutron-lib in miniature: an API definition, the service types, the plugin directory.
LIBRARY = {
    "setup.cfg": "[metadata]\nname = netlib\n",
    "netlib/__init__.py": "",
    "netlib/api/__init__.py": "",
    "netlib/api/definitions/__init__.py": "",
    "netlib/api/definitions/widget.py": """
        COLLECTION_NAME = 'widgets'
        RESOURCE_ATTRIBUTE_MAP = {COLLECTION_NAME: {'id': {}, 'name': {}}}
        ACTION_MAP = {'widget': {'spin': 'PUT'}}
    """,
    "netlib/plugins/__init__.py": "",
    "netlib/plugins/constants.py": "CORE = 'CORE'\nWIDGET = 'WIDGET'\n",
    "netlib/plugins/directory.py": """
        from netlib.plugins import constants

        def get_plugin(alias=constants.CORE):
            return _directory().get_plugin(alias)
    """,
}

# A Neutron in miniature: the generic controller, the helper that makes resources from a map, an
# extension, the start-up code of the core resources, and the plugins its entry points name.
TREE = {
    "setup.cfg": """
        [metadata]
        name = netproj

        [entry_points]
        netproj.core_plugins =
            core = netproj.plugin:CorePlugin
        netproj.service_plugins =
            widget = netproj.widget_plugin:WidgetPlugin
    """,
    "requirements.txt": "netlib>=1.0  # the API definitions\n",
    "netproj/__init__.py": "",
    "netproj/base.py": """
        class Controller:
            def __init__(self, plugin, collection, resource, member_actions=None, parent=None):
                self._plugin = plugin
                self._plugin_handlers = {'list': 'get_%s' % collection, 'show': 'get_%s' % resource}
                for action in ['create', 'update', 'delete']:
                    self._plugin_handlers[action] = '%s_%s' % (action, resource)

            def index(self, request): return getattr(self._plugin, self._plugin_handlers['list'])()
            def create(self, request, body): return getattr(self._plugin, self._plugin_handlers['create'])(body)
            def show(self, request, id): ...
    """,
    "netproj/helper.py": """
        from netlib.plugins import directory
        from netproj import base

        class ResourceExtension:
            def __init__(self, collection, controller, member_actions=None): ...

        def build_resource_info(resource_map, which_service, action_map=None):
            if action_map is None:
                action_map = {}
            plugin = directory.get_plugin(which_service)
            resources = []
            for collection in resource_map:
                resource = collection[:-1]
                controller = base.Controller(plugin, collection, resource,
                                             member_actions=action_map.get(resource, {}))
                resources.append(ResourceExtension(collection, controller))
            return resources
    """,
    "netproj/extensions/__init__.py": "",
    "netproj/extensions/widget.py": """
        from netlib.api.definitions import widget as widget_def
        from netlib.plugins import constants
        from netproj import helper

        class Widget:
            @classmethod
            def get_resources(cls):
                return helper.build_resource_info(widget_def.RESOURCE_ATTRIBUTE_MAP, constants.WIDGET,
                                                  action_map=widget_def.ACTION_MAP)
    """,
    "netproj/startup.py": """
        from netlib.plugins import directory
        from netproj import base

        RESOURCES = {'port': 'ports'}

        class CollectionsController(base.Controller):
            def create(self, request, body): ...

        def initialize_all(extension_resources):
            plugin = directory.get_plugin()
            for resource, collection in RESOURCES.items():
                CollectionsController(plugin, collection, resource)
            for ext in extension_resources:  # each extension's resource, rebuilt as this class
                CollectionsController(ext.plugin, ext.collection, ext.resource)
    """,
    "netproj/plugin.py": """
        class DbMixin:
            def get_ports(self, context): ...
            def create_port(self, context, port): return 'db'

        class CorePlugin(DbMixin):
            def create_port(self, context, port): return super().create_port(context, port)
    """,
    "netproj/widget_plugin.py": """
        from netlib.plugins import constants

        class WidgetPlugin:
            @classmethod
            def get_plugin_type(cls):
                return constants.WIDGET

            def create_widget(self, context, widget): ...
            def get_widgets(self, context): ...
            def spin(self, context, id, body): ...
    """,
}


def _project(make_tree):
    return make_tree(TREE, "netproj"), make_tree(LIBRARY, "netlib")


def _rows(report) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    return {(r.verb, r.path): (r.controller, r.via) for r in report.routes}


def test_each_request_goes_to_the_plugin_method_the_generic_controller_names(make_tree):
    tree, library = _project(make_tree)
    rows = _rows(find_routes(tree, None, (str(library),)))
    # The extension's resource is served by the class the start-up code rebuilds it as.
    assert rows[("POST", "/widgets")] == ("netproj.widget_plugin.WidgetPlugin.create_widget",
                                          "netproj.startup.CollectionsController.create")
    assert rows[("GET", "/widgets")] == ("netproj.widget_plugin.WidgetPlugin.get_widgets",
                                         "netproj.base.Controller.index")
    assert rows[("PUT", "/widgets/{id}/spin")] == ("netproj.widget_plugin.WidgetPlugin.spin", None)
    # The core plugin serves the core resources the start-up code makes; its own create_port wins.
    assert rows[("POST", "/ports")] == ("netproj.plugin.CorePlugin.create_port",
                                        "netproj.startup.CollectionsController.create")
    assert rows[("GET", "/ports")][0] == "netproj.plugin.DbMixin.get_ports"
    # What the plugin does not define is not served: no PUT /widgets/{id} (no update_widget).
    assert ("PUT", "/widgets/{id}") not in rows and ("DELETE", "/ports/{id}") not in rows


def test_operation_names_come_from_the_resource_and_the_plugin_method(make_tree):
    tree, library = _project(make_tree)
    routes = find_routes(tree, None, (str(library),)).routes
    assert find_operation(routes, "widget create").found.route.path == "/widgets"
    assert find_operation(routes, "port create").found.route.controller == "netproj.plugin.CorePlugin.create_port"
    assert find_operation(routes, "widget list").found.route.verb == "GET"


def test_without_the_library_a_warning_names_the_option_and_the_requirement(make_tree):
    tree, _library = _project(make_tree)
    report = find_routes(tree)
    assert ("POST", "/widgets") not in _rows(report)
    [hint] = [d for d in report.diagnostics if "--library" in d.message]
    assert (hint.path, hint.line) == ("netproj/extensions/widget.py", 7)
    assert "netlib, which is not read" in hint.message and "--library netlib" in hint.message
    assert "netlib>=1.0" in hint.message


def test_a_trace_starts_at_the_generic_controller_and_steps_into_the_plugin_method(make_tree):
    tree, library = _project(make_tree)
    trace = trace_operation(Reading(tree, use_cache=False, libraries=(str(library),)), "widget create")
    assert trace.root.function == "netproj.startup.CollectionsController.create"
    assert [c.function for c in trace.root.children] == ["netproj.widget_plugin.WidgetPlugin.create_widget"]


def test_the_cli_reads_a_library_given_with_dash_l(make_tree):
    tree, library = _project(make_tree)
    result = CliRunner().invoke(cli, ["routes", str(tree), "-L", str(library), "--find", "widget create"])
    assert result.exit_code == 0, result.output
    assert "WidgetPlugin.create_widget" in result.output


def test_a_plugin_method_is_found_by_c3_order_not_depth_first(make_tree):
    tree, library = _project(make_tree)
    (tree / "netproj/plugin.py").write_text(
        "class Base:\n    def create_port(self, context, port): ...\n"
        "class Db(Base): pass\n"
        "class Ha(Base):\n    def create_port(self, context, port): ...\n"
        "class CorePlugin(Db, Ha): pass\n")
    rows = _rows(find_routes(tree, None, (str(library),)))
    # Python looks in Ha before Base (C3); depth first would stop at Base through Db.
    assert rows[("POST", "/ports")][0] == "netproj.plugin.Ha.create_port"


def test_paste_mounts_the_resources_under_the_prefix_of_the_app_that_makes_them(make_tree):
    tree, library = _project(make_tree)
    (tree / "netproj/app.py").write_text(
        "from netproj import startup\n\ndef factory(global_config, **local):\n    startup.initialize_all([])\n")
    (tree / "etc").mkdir()
    (tree / "etc/api-paste.ini").write_text(
        "[composite:api]\nuse = egg:Paste#urlmap\n/v2.0: apiapp\n\n[app:apiapp]\npaste.app_factory = netproj.app:factory\n")
    routes = {(r.verb, r.path): r for r in find_routes(tree, None, (str(library),)).routes}
    assert routes[("POST", "/v2.0/ports")].mounts == ("/v2.0",)
    assert ("POST", "/v2.0/widgets") in routes and ("POST", "/widgets") not in routes


def test_a_library_shows_its_packages_beside_the_tree_and_the_tree_wins_a_name(make_tree):
    tree = make_tree({"own/__init__.py": "", "shared/__init__.py": "X = 'tree'\n"}, "tree")
    library = make_tree({"src/libpkg/__init__.py": "", "src/libpkg/mod.py": "Y = 1\n",
                         "src/shared/__init__.py": "X = 'library'\n", "setup.py": ""}, "lib")
    assert packages_of(open_tree(library)) == {"libpkg": "src/libpkg", "shared": "src/shared"}
    both = WithLibraries(open_tree(tree), (open_tree(library),))
    assert both.read_bytes("libpkg/mod.py") == b"Y = 1\n"
    assert both.read_bytes("shared/__init__.py") == b"X = 'tree'\n"
    assert sorted(both.walk_files("", ".py")) == ["libpkg/__init__.py", "libpkg/mod.py", "own/__init__.py",
                                                  "shared/__init__.py"]
    assert both.list_dir("") == ["libpkg", "own", "shared"]


def test_a_library_that_is_neither_a_directory_nor_a_release_name_is_a_usage_error(make_tree):
    tree, _library = _project(make_tree)
    result = CliRunner().invoke(cli, ["routes", str(tree), "-L", "not a release!"])
    assert isinstance(result.exception, UsageError) and "--library not a release!" in str(result.exception)
