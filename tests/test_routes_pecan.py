"""pecan applications' routes (frameworks/rest/pecan.py) and operation names by the openstack CLI's
words (flows/operations.py): one rule, one small package each."""

from click.testing import CliRunner

from stackread.cli import cli
from stackread.flows.operations import find_operation
from stackread.flows.routes import find_routes

APP = """
    import pecan

    def setup_app(config):
        return pecan.make_app(config.app.root)
"""


SETUP_CFG = "[metadata]\nname = api\n\n[files]\npackages =\n    api\n"


def rows(path) -> set[tuple[str, str, str]]:
    return {(r.verb, r.path, r.controller.rsplit(".", 2)[-2] + "." + r.controller.rsplit(".", 1)[-1])
            for r in find_routes(path).routes}


def test_rest_controller_conventions_from_the_configured_root(make_tree):
    tree = make_tree({"setup.cfg": SETUP_CFG, "api/__init__.py": "", "api/app.py": APP,
                      "api/config.py": "app = {'root': 'api.root.RootController'}\n",
                      "api/root.py": """
        from pecan import expose, rest

        class NodesController(rest.RestController):
            @expose()
            def get_all(self): ...
            @expose()
            def get_one(self, node_ident, fields=None): ...
            @expose()
            def post(self, node): ...
            @expose()
            def patch(self, node_ident, patch): ...
            def delete(self, node_ident): ...  # not exposed: pecan does not route to it

        class RootController(rest.RestController):
            v1 = NodesController()
    """})
    assert rows(tree) == {("GET", "/v1", "NodesController.get_all"),
                          ("GET", "/v1/{node_ident}", "NodesController.get_one"),
                          ("POST", "/v1", "NodesController.post"),
                          ("PATCH", "/v1/{node_ident}", "NodesController.patch")}
    node = next(r for r in find_routes(tree).routes if r.verb == "POST")
    # Declared where the controller is mounted: `v1 = NodesController()`.
    assert (node.controller_path, node.controller_line, node.declared_line) == ("api/root.py", 9, 15)


def test_children_of_a_rest_controller_sit_after_its_id_and_inherit_it(make_tree):
    tree = make_tree({"setup.cfg": SETUP_CFG, "api/__init__.py": "", "api/app.py": APP, "api/root.py": """
        import pecan
        from pecan import rest

        class StatesController(rest.RestController):
            _custom_actions = {'power': ['PUT']}
            @pecan.expose()
            def get(self, node_ident): ...
            @pecan.expose()
            def power(self, node_ident, target): ...

        class NodesController(rest.RestController):
            states = StatesController()
            @pecan.expose()
            def get_one(self, node_ident): ...

        class Root:
            def __init__(self):
                self.nodes = NodesController()

        def app():
            return pecan.make_app(Root())
    """})
    assert rows(tree) == {("GET", "/nodes/{node_ident}", "NodesController.get_one"),
                          ("GET", "/nodes/{node_ident}/states", "StatesController.get"),
                          ("PUT", "/nodes/{node_ident}/states/power", "StatesController.power")}


def test_lookup_mounts_by_compared_literal_and_by_subcontroller_map(make_tree):
    tree = make_tree({"setup.cfg": SETUP_CFG, "api/__init__.py": "", "api/app.py": APP,
                      "api/config.py": "app = {'root': 'api.root.Root'}\n", "api/root.py": """
        import pecan
        from pecan import rest

        class Ports(rest.RestController):
            @pecan.expose()
            def get_all(self): ...

        class Status(rest.RestController):
            @pecan.expose()
            def get(self): ...

        class V1(rest.RestController):
            _subcontroller_map = {'ports': Ports()}
            @pecan.expose()
            def _lookup(self, key, *remainder):
                controller = remainder[0]
                if controller in ('status', 'statuses'):
                    return Status(key), remainder[1:]
                found = self._subcontroller_map.get(key)
                return found, remainder

        class Root:
            @pecan.expose()
            def _lookup(self, version, *remainder):
                if version != 'v1':
                    pecan.abort(404)
                return V1(), remainder
    """})
    assert rows(tree) == {("GET", "/v1/ports", "Ports.get_all"), ("GET", "/v1/{key}/status", "Status.get"),
                          ("GET", "/v1/{key}/statuses", "Status.get")}


def test_barbican_style_generic_index_and_setattr_children(make_tree):
    tree = make_tree({"setup.cfg": SETUP_CFG, "api/__init__.py": "", "api/app.py": """
        import pecan
        from api import root

        def build(controller=None):
            return pecan.Pecan(controller)

        def main(conf):
            return build(root.V1())
    """, "api/root.py": """
        import pecan

        class Secrets:
            @pecan.expose(generic=True)
            def index(self): ...
            @index.when(method='POST')
            def on_post(self): ...
            @pecan.expose()
            def payload(self): ...

        class V1:
            def __init__(self):
                setattr(self, 'secret-stores', Secrets())
                self.repo = dict()  # not a controller
    """})
    assert rows(tree) == {("POST", "/secret-stores", "Secrets.on_post"),
                          ("GET", "/secret-stores/payload", "Secrets.payload")}


CLI_TREE = {"setup.cfg": SETUP_CFG, "api/__init__.py": "", "api/app.py": APP, "api/config.py": "app = {'root': 'api.root.Root'}\n",
            "api/root.py": """
    import pecan
    from pecan import rest

    class Secrets(rest.RestController):
        @pecan.expose()
        def post(self): ...

    class ClusterSecrets(rest.RestController):
        @pecan.expose()
        def post(self): ...

    class Templates(rest.RestController):
        @pecan.expose()
        def post(self): ...

    class Clusters(rest.RestController):
        _custom_actions = {'resize': ['POST']}
        secrets = ClusterSecrets()
        @pecan.expose()
        def get_one(self, cluster_ident): ...
        @pecan.expose()
        def post(self, cluster): ...
        @pecan.expose()
        def resize(self, cluster_ident): ...

    class Root(rest.RestController):
        clusters = Clusters()
        clustertemplates = Templates()
        secrets = Secrets()
"""}


def test_operation_names_by_the_openstack_cli(make_tree):
    routes = find_routes(make_tree(CLI_TREE)).routes

    def found(name):
        lookup = find_operation(routes, name)
        return lookup.found and f"{lookup.found.route.verb} {lookup.found.route.path}"

    assert found("cluster create") == "POST /clusters"  # <resource> <verb>
    assert found("coe cluster create") == "POST /clusters"  # a project word in front
    assert found("appcluster create") == "POST /clusters"  # ... or glued to the resource
    assert found("coe cluster template create") == "POST /clustertemplates"  # words run together
    assert found("cluster resize") == "POST /clusters/{cluster_ident}/resize"  # <owner> <method>
    assert found("cluster show") == "GET /clusters/{cluster_ident}"
    assert found("cluster secret create") == "POST /clusters/{cluster_ident}/secrets"  # <parent> <resource> <verb>
    assert found("secret create") == "POST /secrets"  # the top-level resource before the nested one


def test_trace_list_and_routes_list_operations_print_names_that_find_them(make_tree):
    tree = make_tree(CLI_TREE)
    listed = CliRunner().invoke(cli, ["trace", "--list", "-C", str(tree)])
    assert listed.exit_code == 0, listed.output
    names = listed.output.split()
    assert "create_cluster" in names and "show_cluster" in names
    routes = find_routes(tree).routes
    assert all(find_operation(routes, name).found for name in names)
    assert CliRunner().invoke(cli, ["routes", "--list-operations", str(tree)]).output.split() == names
    missing = CliRunner().invoke(cli, ["trace", "-C", str(tree)])
    assert missing.exit_code == 2 and "OPERATION" in missing.output


def test_controllers_that_mount_themselves_end_the_walk(make_tree):
    tree = make_tree({"setup.cfg": SETUP_CFG, "api/__init__.py": "", "api/app.py": APP,
                      "api/config.py": "app = {'root': 'api.root.Loop'}\n", "api/root.py": """
        import pecan
        from pecan import rest

        class Loop(rest.RestController):
            _custom_actions = 5
            @pecan.expose()
            def get_all(self): ...
            @pecan.expose()
            def _lookup(self, *remainder):
                return Loop(), remainder

        Loop.again = Loop()
    """})
    assert rows(tree) == {("GET", "/", "Loop.get_all")}


def test_list_means_the_plain_listing_and_list_long_the_detail_one(make_tree):
    tree = make_tree({"setup.cfg": SETUP_CFG, "api/__init__.py": "", "api/app.py": APP,
                      "api/config.py": "app = {'root': 'api.root.Root'}\n", "api/root.py": """
        import pecan
        from pecan import rest

        class Nodes(rest.RestController):
            _custom_actions = {'detail': ['GET']}
            @pecan.expose()
            def get_all(self): ...
            @pecan.expose()
            def detail(self): ...

        class Root(rest.RestController):
            nodes = Nodes()
    """})
    routes = find_routes(tree).routes
    assert find_operation(routes, "baremetal node list").found.route.path == "/nodes"
    assert find_operation(routes, "baremetal node list --long").found.route.path == "/nodes/detail"


def test_a_root_made_in_an_app_factory_takes_the_prefix_paste_deploy_mounts_it_under(make_tree):
    tree = make_tree({"setup.cfg": SETUP_CFG, "api/__init__.py": "", "api/app.py": """
        import pecan
        from api import root

        def build(controller):
            return pecan.make_app(controller)

        def create_main_app(global_config, **local_conf):
            return build(root.V1())

        def create_version_app(global_config, **local_conf):
            return pecan.make_app(root.Versions())
    """, "api/root.py": """
        import pecan

        class Versions:
            @pecan.expose()
            def index(self): ...

        class V1:
            @pecan.expose()
            def secrets(self): ...
    """, "etc/api/api-paste.ini": """
        [composite:main]
        use = egg:Paste#urlmap
        /: versionapp
        /v1: api-keystone

        [pipeline:api-keystone]
        pipeline = authtoken context apiapp

        [app:apiapp]
        paste.app_factory = api.app:create_main_app

        [app:versionapp]
        paste.app_factory = api.app:create_version_app
    """})
    routes = {(r.verb, r.path): r.mounts for r in find_routes(tree).routes}
    assert routes == {("GET", "/"): ("/",), ("GET", "/v1/secrets"): ("/v1",)}


def test_a_child_instance_its_parent_flags_serves_only_what_does_not_refuse_the_flag(make_tree):
    tree = make_tree({"setup.cfg": SETUP_CFG, "api/__init__.py": "", "api/app.py": APP,
                      "api/config.py": "app = {'root': 'api.root.Root'}\n", "api/root.py": """
        import pecan
        from pecan import rest

        class States(rest.RestController):
            @pecan.expose()
            def get_all(self, node_ident): ...

        class Nodes(rest.RestController):
            states = States()
            from_chassis = False
            @pecan.expose()
            def get_all(self, chassis_uuid=None): ...
            @pecan.expose()
            def post(self, node):
                '''Create a node.'''
                if self.from_chassis:
                    raise ValueError()

        class Chassis(rest.RestController):
            nodes = Nodes()
            nodes.from_chassis = True
            @pecan.expose()
            def get_one(self, chassis_uuid): ...

        class Root(rest.RestController):
            nodes = Nodes()
            chassis = Chassis()
    """})
    # Under /chassis: the listing only; not the refused post, nor the node's own children again.
    assert {(v, p) for v, p, _ in rows(tree)} == {
        ("GET", "/nodes"), ("POST", "/nodes"), ("GET", "/nodes/states"), ("GET", "/chassis/{chassis_uuid}"),
        ("GET", "/chassis/{chassis_uuid}/nodes")}
