"""Routers beyond Routes' own calls: Placement's table, Heat's and Trove's mapper helpers, Flask-RESTful
(Keystone's APIBase), and paste deploy saying which router is mounted. One small tree per rule."""

from stackread.flows.operations import find_operation
from stackread.flows.routes import find_routes

SETUP_CFG = """
[metadata]
name = {name}
"""


def _tree(make_tree, name: str, files: dict[str, str]):
    return make_tree({"setup.cfg": SETUP_CFG.format(name=name), f"{name}/__init__.py": "", **files})


def _rows(root):
    return {(r.verb, r.path): r for r in find_routes(root).routes}


def test_a_dict_of_paths_to_verbs_to_handler_functions_is_a_route_table(make_tree):
    root = _tree(make_tree, "placement", {
        "placement/handlers.py": """
            def version_handler(low, high=None):
                return lambda f: f

            def list_providers(req): pass

            @version_handler('1.0', '1.7')
            def put_allocations(req): pass

            @version_handler('1.8')
            def put_allocations(req): pass
        """,
        "placement/handler.py": """
            from placement import handlers

            ROUTE_DECLARATIONS = {
                '/resource_providers': {'GET': handlers.list_providers},
                '/allocations/{consumer_uuid}': {'PUT': handlers.put_allocations},
            }
        """})
    routes = find_routes(root).routes
    assert [(r.verb, r.path, r.controller, r.controller_line, r.min_version, r.max_version) for r in routes] == [
        ("PUT", "/allocations/{consumer_uuid}", "placement.handlers.put_allocations", 7, "1.0", "1.7"),
        ("PUT", "/allocations/{consumer_uuid}", "placement.handlers.put_allocations", 10, "1.8", None),
        ("GET", "/resource_providers", "placement.handlers.list_providers", 4, None, None)]
    assert routes[-1].declared_path == "placement/handler.py" and routes[-1].declared_line == 4


def test_a_dict_of_verbs_to_anything_but_functions_is_no_route_table(make_tree):
    root = _tree(make_tree, "nova", {"nova/conf.py": """
        class Opt: pass

        TABLE = {
            '/x': {'GET': Opt},
        }
    """})
    assert find_routes(root).routes == []


def test_a_local_helper_fed_lists_of_route_dicts_maps_each_with_its_verbs(make_tree):
    # Heat's v1 API: connect() defined in __init__ sees the mapper; methods may be a list; a colon
    # inside braces is a requirement, not a variable.
    root = _tree(make_tree, "heat", {"heat/api.py": """
        import routes

        class StackController:
            def create(self, req): pass
            def show(self, req, stack_id): pass

        class API:
            def __init__(self, conf):
                mapper = routes.Mapper()

                def connect(controller, path_prefix, routes):
                    for r in routes:
                        methods = r['method']
                        if isinstance(methods, str):
                            methods = [methods]
                        mapper.connect(r['name'], path_prefix + r['url'], controller=controller,
                                       action=r['action'], conditions={'method': ','.join(methods)})
                        # 405s for the other verbs and OPTIONS answers: no operation of the API.
                        missing = [m for m in ['GET', 'PUT'] if m not in methods]
                        mapper.connect(path_prefix + r['url'], controller=controller, action='create',
                                       conditions={'method': missing})
                        mapper.connect(path_prefix + r['url'], controller=controller, action='create',
                                       conditions={'method': 'OPTIONS'})

                connect(controller=StackController(), path_prefix='/{tenant_id}', routes=[
                    {'name': 'create', 'url': '/stacks', 'action': 'create', 'method': 'POST'},
                    {'name': 'show', 'url': '/stacks/{stack_id:arn.*}', 'action': 'show',
                     'method': ['GET', 'HEAD']},
                ])
    """})
    found = {(v, p): r.controller.rsplit(".", 2)[-2:] for (v, p), r in _rows(root).items()}
    assert found == {("POST", "/{tenant_id}/stacks"): ["StackController", "create"],
                     ("GET", "/{tenant_id}/stacks/{stack_id:arn.*}"): ["StackController", "show"],
                     ("HEAD", "/{tenant_id}/stacks/{stack_id:arn.*}"): ["StackController", "show"]}


def test_a_controller_made_by_a_method_of_an_instance_serves_its_routes(make_tree):
    # Trove: `InstanceController().create_resource()` wraps the controller in a Resource.
    root = _tree(make_tree, "trove", {"trove/api.py": """
        import routes

        class Resource:
            def __init__(self, controller):
                self.controller = controller

        class Controller:
            def create_resource(self):
                return Resource(self)

        class InstanceController(Controller):
            def create(self, req, tenant_id): pass

        class API:
            def _instance_router(self, mapper):
                instance_resource = InstanceController().create_resource()
                mapper.connect("/{tenant_id}/instances", controller=instance_resource, action="create",
                               conditions={'method': ['POST']})
    """})
    route = find_operation(find_routes(root).routes, "POST /instances").found.route
    assert (route.path, route.controller) == ("/{tenant_id}/instances", "trove.api.InstanceController.create")


def test_flask_restful_methods_serve_the_urls_whose_variables_they_take(make_tree):
    root = _tree(make_tree, "keystone", {"keystone/api.py": """
        import flask_restful

        class APIBase:
            _api_url_prefix = ''

            @staticmethod
            def _build_bp_url_prefix(prefix):
                parts = ['/v3']
                if prefix:
                    parts.append(prefix.lstrip('/'))
                return '/'.join(parts).rstrip('/')

        def construct_resource_map(resource, url, resource_kwargs, alternate_urls=None):
            pass

        class UsersResource(flask_restful.Resource):
            collection_key = 'users'
            member_key = 'user'

            def get(self, user_id=None): pass
            def post(self): pass

        class AuthTokenResource(flask_restful.Resource):
            def post(self): pass

        class AuthAPI(APIBase):
            resources = [UsersResource]
            resource_mapping = [construct_resource_map(resource=AuthTokenResource, url='/auth/tokens',
                                                       resource_kwargs={})]
    """})
    found = {(v, p): r.controller.rsplit(".", 2)[-2:] for (v, p), r in _rows(root).items()}
    assert found == {("POST", "/v3/auth/tokens"): ["AuthTokenResource", "post"],
                     ("GET", "/v3/users"): ["UsersResource", "get"],
                     ("POST", "/v3/users"): ["UsersResource", "post"],
                     ("GET", "/v3/users/{user_id}"): ["UsersResource", "get"]}


def test_plain_add_resource_calls_are_routes(make_tree):
    root = _tree(make_tree, "app", {"app/api.py": """
        import flask_restful

        class Things(flask_restful.Resource):
            def get(self, thing_id): pass

        api = flask_restful.Api()
        api.add_resource(Things, '/things/<int:thing_id>')
    """})
    assert [(r.verb, r.path, r.controller_line) for r in find_routes(root).routes] == [
        ("GET", "/things/{thing_id}", 4)]


NOVA_MITAKA = {
    "nova/api/openstack/__init__.py": """
        class Router:
            @classmethod
            def factory(cls, global_config, **local_config):
                return cls()
    """,
    "nova/api/openstack/compute/__init__.py": """
        from nova.api.openstack import Router
        from nova.api.openstack.compute import legacy, servers

        class APIRouter(Router):
            def __init__(self):
                self._setup_routes(None)

            def _setup_routes(self, mapper):
                mapper.resource("server", "servers", controller=legacy.Controller())

        class APIRouterV21(Router):
            def __init__(self):
                mapper.resource("server", "servers", controller=servers.ServersController())
    """,
    "nova/api/openstack/compute/legacy.py": "class Controller:\n    def create(self, req, body): pass\n",
    "nova/api/openstack/compute/servers.py": "class ServersController:\n    def create(self, req, body): pass\n",
    "etc/nova/api-paste.ini": """
        [composite:osapi_compute]
        use = call:nova.api.openstack.urlmap:urlmap_factory
        /v2: openstack_compute_api_v21
        /v2.1: openstack_compute_api_v21

        [composite:openstack_compute_api_v21]
        use = call:nova.api.auth:pipeline_factory_v21
        keystone = faultwrap authtoken osapi_compute_app_v21

        [app:osapi_compute_app_legacy_v2]
        paste.app_factory = nova.api.openstack.compute:APIRouter.factory

        [app:osapi_compute_app_v21]
        paste.app_factory = nova.api.openstack.compute:APIRouterV21.factory
    """,
}


def test_paste_deploy_says_which_router_is_mounted_and_a_name_means_the_mounted_one(make_tree):
    root = _tree(make_tree, "nova", {"nova/api/__init__.py": "", **NOVA_MITAKA})
    routes = find_routes(root).routes
    mounts = {r.controller.rsplit(".", 2)[-2]: r.mounts for r in routes if r.verb == "POST"}
    assert mounts == {"Controller": (), "ServersController": ("/v2", "/v2.1")}
    lookup = find_operation(routes, "create_server")
    assert lookup.found.route.controller == "nova.api.openstack.compute.servers.ServersController.create"
    assert [o.route.controller for o in lookup.candidates] == ["nova.api.openstack.compute.legacy.Controller.create"]


def test_without_the_paste_file_both_routers_stay_ambiguous(make_tree):
    files = {k: v for k, v in NOVA_MITAKA.items() if not k.endswith(".ini")}
    routes = find_routes(_tree(make_tree, "nova", {"nova/api/__init__.py": "", **files})).routes
    assert {r.mounts for r in routes} == {None}
    assert find_operation(routes, "create_server").ambiguous


def test_a_paste_file_that_does_not_parse_is_a_warning_and_the_routes_still_come(make_tree):
    files = {**NOVA_MITAKA, "etc/nova/api-paste.ini": "[composite:x\nuse = egg:Paste#urlmap\n"}
    report = find_routes(_tree(make_tree, "nova", {"nova/api/__init__.py": "", **files}))
    assert len(report.routes) == 2
    assert [(d.path, d.line) for d in report.diagnostics] == [("etc/nova/api-paste.ini", 1)]


def test_cli_words_mean_the_rest_operation_over_a_query_api_that_has_the_name(make_tree):
    # Heat: the native API's POST /stacks and the CFN API's `/?Action=CreateStack`, whose router also
    # maps POST /stacks; `openstack stack create` means the native one, the CFN one is kept as `also`.
    root = _tree(make_tree, "heat", {
        "heat/native.py": "class StackController:\n    def create(self, req, body): pass\n",
        "heat/cfn.py": "class StackController:\n    def create(self, req): pass\n",
        "heat/routers.py": """
            from heat import cfn, native

            class API:
                def __init__(self, mapper):
                    mapper.resource("stack", "stacks", controller=native.StackController())

            class CfnAPI:
                _actions = {'create': 'CreateStack'}

                def __init__(self, mapper):
                    controller = cfn.StackController()
                    mapper.resource("stack", "stacks", controller=controller)
                    for action in self._actions:
                        mapper.connect("/", controller=controller, action=action)
        """})
    routes = find_routes(root).routes
    assert ("*", "/", "heat.cfn.StackController.create") in {(r.verb, r.path, r.controller) for r in routes}
    lookup = find_operation(routes, "openstack stack create")
    assert lookup.found.route.controller == "heat.native.StackController.create"
    assert [o.route.controller for o in lookup.candidates] == ["heat.cfn.StackController.create"]


MANILA_LIKE = {
    "manila/api/__init__.py": """
        import paste.urlmap

        def root_app_factory(loader, global_conf, **local_conf):
            return paste.urlmap.urlmap_factory(loader, global_conf, **local_conf)
    """,
    "manila/api/router.py": """
        class Router:
            @classmethod
            def factory(cls, global_config, **local_config):
                return cls()
    """,
    "manila/api/v1/shares.py": """
        class ShareMixin:
            def delete(self, req, id):
                self.share_api.delete(id)

        class ShareController(ShareMixin):
            def __init__(self):
                self.share_api = None
    """,
    "manila/api/v2/shares.py": """
        from manila.api.v1 import shares

        class ShareController(shares.ShareMixin):
            def __init__(self):
                self.share_api = None
    """,
    "manila/api/routers.py": """
        from manila.api.router import Router
        from manila.api.v1 import shares as v1
        from manila.api.v2 import shares as v2

        class APIRouter(Router):
            def __init__(self):
                mapper.resource("share", "shares", controller=v1.ShareController())

        class APIRouterV2(Router):
            def __init__(self):
                mapper.resource("share", "shares", controller=v2.ShareController())
    """,
    "etc/manila/api-paste.ini": """
        [composite:osapi_share]
        use = call:manila.api:root_app_factory
        /v1: api
        /v2: apiv2

        [app:api]
        paste.app_factory = manila.api.routers:APIRouter.factory

        [app:apiv2]
        paste.app_factory = manila.api.routers:APIRouterV2.factory
    """,
}


def test_a_mixin_method_two_routers_serve_is_the_newest_apis_controller(make_tree):
    # Manila: `call:manila.api:root_app_factory` hands its /v1 and /v2 keys to urlmap_factory; both
    # ShareControllers inherit ShareMixin.delete, and `share delete` runs as the /v2 one.
    routes = find_routes(_tree(make_tree, "manila", MANILA_LIKE)).routes
    deletes = [(r.mounts, r.receiver) for r in routes if r.verb == "DELETE"]
    assert sorted(deletes) == [(("/v1",), "manila.api.v1.shares.ShareController"),
                               (("/v2",), "manila.api.v2.shares.ShareController")]
    lookup = find_operation(routes, "share delete")
    assert lookup.found.route.receiver == "manila.api.v2.shares.ShareController"
