"""A client library's function read to the HTTP requests it sends (frameworks.rest_clients): each
shape is a mini client library whose transport is keystoneauth1 or requests, never imported."""

import pytest

from stackread.diagnostics import Diagnostics
from stackread.flows.callgraph import build_program
from stackread.frameworks.rest.route import Route
from stackread.frameworks.rest_clients import matching_route, normal_url, requests_of
from stackread.index.cache import SummaryCache
from stackread.source.libraries import with_libraries
from stackread.source.trees import open_tree


def program_of(root, libraries=()):
    tree = with_libraries(open_tree(root), tuple(str(library) for library in libraries))
    with SummaryCache(None, stackread_version="test", warn=lambda message: None) as cache:
        program, _indexed = build_program(tree, cache, Diagnostics(), include_tests=False)
    return program


def sent(program, function):
    return [(r.verb, r.url, r.action, f"{r.path}:{r.line}") for r in requests_of(program, function)]


# A manager over an HTTP client deriving from keystoneauth1's Adapter (python-cinderclient's shape).
MANAGERS = {
    "volclient/__init__.py": "",
    "volclient/http.py": """
        from keystoneauth1 import adapter

        class SessionClient(adapter.LegacyJsonAdapter):
            def request(self, *args, **kwargs):
                return super().request(*args, **kwargs)

            def _cs_request(self, url, method, **kwargs):
                return self.request(url, method, **kwargs)

            def get(self, url, **kwargs):
                return self._cs_request(url, 'GET', **kwargs)

            def post(self, url, **kwargs):
                return self._cs_request(url, 'POST', **kwargs)

            def put(self, url, **kwargs):
                return self._cs_request(url, 'PUT', **kwargs)
        """,
    "volclient/base.py": """
        def getid(obj):
            return getattr(obj, 'id', obj)

        class Manager:
            def __init__(self, api):
                self.api = api

            def _list(self, url, body=None):
                if body:
                    return self.api.client.post(url, body=body)
                else:
                    return self.api.client.get(url)

            def _create(self, url, body, response_key):
                resp, body = self.api.client.post(url, body=body)
                return body[response_key]

            def _update(self, url, body):
                return self.api.client.put(url, body=body)
        """,
    "volclient/volumes.py": """
        from volclient import base

        class VolumeManager(base.Manager):
            def create(self, size):
                return self._create('/volumes', {'volume': {'size': size}}, 'volume')

            def update(self, volume, name):
                return self._update('/volumes/%s' % base.getid(volume), {'volume': {'name': name}})

            def list(self, detailed=True):
                detail = ''
                if detailed:
                    detail = '/detail'
                return self._list('/%(kind)s%(detail)s?limit=5' % {'kind': 'volumes', 'detail': detail})

            def _action(self, action, volume, info=None):
                body = {action: info}
                url = f'/volumes/{base.getid(volume)}/action'
                resp, body = self.api.client.post(url, body=body)
                return body

            def attach(self, volume, instance_uuid):
                return self._action('os-attach', volume, {'instance_uuid': instance_uuid})
        """,
    "volclient/client.py": """
        from volclient import http, volumes

        class Client:
            def __init__(self, session=None, service_type='volumev3'):
                self.volumes = volumes.VolumeManager(self)
                self.client = http.SessionClient(session=session, service_type=service_type)
        """,
}


def test_a_manager_method_sends_the_verb_its_client_method_writes_to_the_url_it_names(make_tree):
    program = program_of(make_tree(MANAGERS))
    assert sent(program, "volclient.volumes.VolumeManager.create") == [
        ("POST", "/volumes", None, "volclient/base.py:15")]
    assert sent(program, "volclient.volumes.VolumeManager.update") == [
        ("PUT", "/volumes/{id}", None, "volclient/base.py:19")]
    (request,) = requests_of(program, "volclient.volumes.VolumeManager.create")
    assert request.service_type == "volumev3"  # the client's constructor default


def test_a_url_built_on_branches_gives_each_and_drops_the_query_and_an_untaken_branch(make_tree):
    program = program_of(make_tree(MANAGERS))
    # `_list` posts only `if body:`; list passes no body, so only the GET is sent.
    assert sent(program, "volclient.volumes.VolumeManager.list") == [
        ("GET", "/volumes", None, "volclient/base.py:12"), ("GET", "/volumes/detail", None, "volclient/base.py:12")]


def test_an_action_is_the_key_of_the_body_its_caller_names(make_tree):
    program = program_of(make_tree(MANAGERS))
    assert sent(program, "volclient.volumes.VolumeManager.attach") == [
        ("POST", "/volumes/{id}/action", "os-attach", "volclient/volumes.py:19")]


def test_each_request_of_a_function_is_read_through_the_one_method_all_requests_go_through(make_tree):
    # python-neutronclient's shape: create_port and create_network both `self.post(path)`, and post
    # is `self.do_request("POST", action)`: the same call site on two call paths, each with its URL.
    program = program_of(make_tree({
        "netclient/__init__.py": "",
        "netclient/client.py": """
            from keystoneauth1 import adapter

            class Client:
                ports_path = "/ports"
                networks_path = "/networks"

                def __init__(self, session):
                    self.httpclient = adapter.Adapter(session)

                def do_request(self, method, action):
                    return self.httpclient.request(action, method)

                def post(self, action):
                    return self.do_request("POST", action)

                def create_port(self):
                    return self.post(self.ports_path)

                def create_network(self):
                    return self.post(self.networks_path)
            """,
        "netclient/api.py": """
            from netclient import client

            def allocate(session):
                neutron = client.Client(session)
                neutron.create_network()
                neutron.create_port()
            """}))
    # the send is the call into the function writing the verb: `self.post(...)` at :20 and :17
    assert sent(program, "netclient.api.allocate") == [("POST", "/networks", None, "netclient/client.py:20"),
                                                       ("POST", "/ports", None, "netclient/client.py:17")]


def test_a_request_sent_only_from_an_except_block_is_on_the_error_path_and_branches_are_kept(make_tree):
    # nova/network/neutron.py's _create_ports_for_instance: `except Exception:` ... `self._delete_ports(...)`.
    program = program_of(make_tree({
        "netclient/__init__.py": "",
        "netclient/client.py": """
            from keystoneauth1 import adapter

            class Client:
                def __init__(self, session):
                    self.httpclient = adapter.Adapter(session)

                def create_port(self):
                    return self.httpclient.post("/ports")

                def delete_port(self, port):
                    return self.httpclient.delete("/ports/%s" % port)
            """,
        "netclient/api.py": """
            from netclient import client

            def _delete(neutron, port):
                neutron.delete_port(port)

            def allocate(session, port):
                neutron = client.Client(session)
                try:
                    neutron.create_port()
                except Exception:
                    _delete(neutron, port)

            def deallocate(session, port):
                _delete(client.Client(session), port)

            def replace(session, port):
                neutron = client.Client(session)
                if not port:
                    return
                if port.startswith("x"):
                    _delete(neutron, port)
                neutron.create_port()
            """}))
    assert [(r.verb, r.url, r.error_path) for r in requests_of(program, "netclient.api.allocate")] == [
        ("POST", "/ports", False), ("DELETE", "/ports/{id}", True)]
    assert [(r.verb, r.error_path) for r in requests_of(program, "netclient.api.deallocate")] == [("DELETE", False)]
    # the branches the function asked about takes on the way (its own package's), for the REST hop's condition
    assert [(r.verb, r.branches) for r in requests_of(program, "netclient.api.replace")] == [
        ("POST", (("else", "not port"),)), ("DELETE", (("else", "not port"), ("if", 'port.startswith("x")')))]


@pytest.mark.xfail(strict=True, reason="a keystoneauth1 Adapter subclass met only as ext (keystoneauth1 not read): "
                   "the real neutronclient, read with -L keystoneauth1, resolves (test below)")
def test_a_client_with_path_attributes_over_a_keystoneauth_adapter(make_tree):
    # python-neutronclient's shape: `self.post(self.ports_path)` -> do_request("POST", prefix + action)
    # -> its SessionClient, a keystoneauth1 Adapter: `self.request(url, method)`.
    program = program_of(make_tree({
        "netclient/__init__.py": "",
        "netclient/client.py": """
            from keystoneauth1 import adapter

            class SessionClient(adapter.Adapter):
                def do_request(self, url, method, **kwargs):
                    return self.request(url, method, **kwargs)

            class Client:
                ports_path = "/ports"
                port_path = "/ports/%s"

                def __init__(self):
                    self.action_prefix = "/v2.0"
                    self.httpclient = SessionClient()

                def do_request(self, method, action, body=None, params=None):
                    action = self.action_prefix + action
                    if params:
                        action += '?' + str(params)
                    return self.httpclient.do_request(action, method, body=body)

                def post(self, action, body=None):
                    return self.do_request("POST", action, body=body)

                def delete(self, action):
                    return self.do_request("DELETE", action)

                def create_port(self, body=None):
                    return self.post(self.ports_path, body=body)

                def delete_port(self, port):
                    return self.delete(self.port_path % (port))
            """,
    }))
    assert sent(program, "netclient.client.Client.create_port") == [
        ("POST", "/v2.0/ports", None, "netclient/client.py:29")]
    assert sent(program, "netclient.client.Client.delete_port") == [
        ("DELETE", "/v2.0/ports/{id}", None, "netclient/client.py:32")]


def test_a_tree_calling_a_keystoneauth_adapter_directly(make_tree):
    # Nova's Placement report client: `self._client.post(url, json=...)` on a keystoneauth1 Adapter.
    program = program_of(make_tree({
        "sched/__init__.py": "",
        "sched/report.py": """
            from keystoneauth1 import adapter

            class ReportClient:
                def __init__(self, session):
                    self._client = adapter.Adapter(session, service_type='placement')

                def put(self, url, data, version=None):
                    return self._client.put(url, json=data, microversion=version)

                def put_allocations(self, consumer_uuid, data):
                    url = f'/allocations/{consumer_uuid}'
                    return self.put(url, data, version='1.28')

                def delete_allocation(self, consumer_uuid):
                    return self._client.delete('/allocations/%s' % consumer_uuid)
            """,
    }))
    assert sent(program, "sched.report.ReportClient.put_allocations") == [
        ("PUT", "/allocations/{id}", None, "sched/report.py:8")]
    assert sent(program, "sched.report.ReportClient.delete_allocation") == [
        ("DELETE", "/allocations/{id}", None, "sched/report.py:15")]


def test_a_function_that_sends_nothing_has_no_request(make_tree):
    program = program_of(make_tree({"lib/__init__.py": "", "lib/mod.py": """
        def get(d):
            return d.get('x')
        """}))
    assert requests_of(program, "lib.mod.get") == []


def route(verb, path, action=None, mounts=None, controller="c"):
    return Route(verb, path, action, controller, None, None, None, None, "api.py", 1, mounts)


def test_a_request_matches_its_route_by_verb_segments_action_and_mount():
    routes = [route("POST", "/volumes"), route("POST", "/volumes/{id}/action", "os-attach", controller="attach"),
              route("POST", "/volumes/{id}/action", "os-detach"), route("GET", "/v2.0/ports/{id}", mounts=("/v2.0",)),
              route("*", "/", controller="versions")]
    assert matching_route(routes, "POST", "/volumes/{volume}/action", "os-attach").controller == "attach"
    assert matching_route(routes, "POST", "/volumes/{id}/action", "os-reserve") is None
    assert matching_route(routes, "GET", "/ports/{id}").path == "/v2.0/ports/{id}"  # openstacksdk: no /v2.0
    assert matching_route(routes, "GET", "/v2.0/ports/{id}").path == "/v2.0/ports/{id}"
    assert matching_route(routes, "DELETE", "/volumes") is None
    assert normal_url("/volumes/{volume_id}/detail?limit={limit}") == "/volumes/{id}/detail"


# -- the real libraries ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cinderclient(real_release):
    return program_of(real_release("cinderclient-current"), [real_release("keystoneauth1-current")])


def test_cinderclient_attachments_send_what_the_library_writes(cinderclient):
    # cinderclient/v3/attachments.py: create -> self._create('/attachments', ...) -> base.py:306
    # `self.api.client.post(url, body=body)`; update -> self._update('/attachments/%s' % id) -> base.py:318
    # `put`; complete -> _action_return_resp_and_body('os-complete', ...) posting {action: info} to
    # '/attachments/%s/action' at attachments.py:97.
    v3 = "cinderclient.v3.attachments.VolumeAttachmentManager"
    assert sent(cinderclient, f"{v3}.create") == [("POST", "/attachments", None, "cinderclient/base.py:306")]
    assert sent(cinderclient, f"{v3}.update") == [("PUT", "/attachments/{id}", None, "cinderclient/base.py:318")]
    assert sent(cinderclient, f"{v3}.complete") == [
        ("POST", "/attachments/{id}/action", "os-complete", "cinderclient/v3/attachments.py:97")]
    assert sent(cinderclient, "cinderclient.v3.volumes_base.VolumeManager.attach") == [
        ("POST", "/volumes/{id}/action", "os-attach", "cinderclient/v3/volumes_base.py:258")]
    assert {r.service_type for r in requests_of(cinderclient, f"{v3}.create")} == {"volumev3"}


def test_cinderclient_requests_reach_cinder_routes(cinderclient, real_release):
    from stackread.flows.routes import find_routes

    routes = find_routes(real_release("cinder-current")).routes
    v3 = "cinderclient.v3.attachments.VolumeAttachmentManager"
    reached = {}
    for function in (f"{v3}.create", f"{v3}.update", f"{v3}.complete", "cinderclient.v3.volumes_base.VolumeManager.attach"):
        (request,) = requests_of(cinderclient, function)
        reached[function.rpartition(".")[2]] = matching_route(routes, request.verb, request.url, request.action).controller
    assert reached == {
        "create": "cinder.api.v3.attachments.AttachmentsController.create",
        "update": "cinder.api.v3.attachments.AttachmentsController.update",
        "complete": "cinder.api.v3.attachments.AttachmentsController.complete",
        "attach": "cinder.api.contrib.volume_actions.VolumeActionsController._attach"}


def test_neutronclient_create_port_reaches_neutron_ml2(real_release):
    from stackread.flows.routes import find_routes

    program = program_of(real_release("neutronclient-current"), [real_release("keystoneauth1-current")])
    # neutronclient/v2_0/client.py:827 `return self.post(self.ports_path, body=body)`, ports_path = "/ports",
    # do_request prefixes action_prefix "/v2.0".
    assert sent(program, "neutronclient.v2_0.client.Client.create_port") == [
        ("POST", "/v2.0/ports", None, "neutronclient/v2_0/client.py:827")]
    routes = find_routes(real_release("neutron-current"), libraries=("neutron-lib==5.0.1",)).routes
    (request,) = requests_of(program, "neutronclient.v2_0.client.Client.create_port")
    assert request.service_type == "network"
    assert matching_route(routes, request.verb, request.url).controller == "neutron.plugins.ml2.plugin.Ml2Plugin.create_port"


# A tree's own REST client on an openstacksdk proxy, made for a service type (Nova's Placement report
# client: `utils.get_sdk_adapter('placement')` -> `getattr(conn, service_type.replace('-', '_'))`).
SDK_CLIENT = {
    "comp/__init__.py": "",
    "comp/utils.py": """
        from openstack import connection

        def get_sdk_adapter(service_type, admin):
            conn = connection.Connection(service_types={service_type})
            return getattr(conn, service_type.replace('-', '_'))
        """,
    "comp/report.py": """
        from comp import utils

        class ReportClient:
            def __init__(self, adapter=None):
                self._adapter = adapter
                self._client = self._create_client()

            def _create_client(self):
                client = self._adapter or utils.get_sdk_adapter('placement', admin=True)
                return client

            def get(self, url, version=None):
                return self._client.get(url, microversion=version)

            def put(self, url, data, version=None):
                return self._client.put(url, json=data, microversion=version)

            def delete(self, url):
                return self._client.delete(url)

            def claim(self, consumer_uuid, payload):
                url = '/allocations/%s' % consumer_uuid
                return self.put(url, payload, version='1.36')

            def candidates(self, qs):
                return self.get("/allocation_candidates?%s" % qs, version='1.36')

            def remove(self, uuid, force=False):
                url = '/allocations/%s' % uuid
                if force:
                    return self.delete(url)
                return self.get(url)
        """,
}


def test_an_openstacksdk_proxy_made_for_a_service_type_is_a_transport(make_tree):
    """`getattr(conn, service_type.replace('-', '_'))` of an openstacksdk Connection is the proxy of the
    service the caller names (a keystoneauth1 Adapter): its verb methods send, the URL read back."""
    program = program_of(make_tree(SDK_CLIENT, "sdkclient"))
    assert sent(program, "comp.report.ReportClient.claim") == [("PUT", "/allocations/{id}", None, "comp/report.py:16")]
    assert sent(program, "comp.report.ReportClient.candidates") == [
        ("GET", "/allocation_candidates", None, "comp/report.py:13")]
    assert {r.service_type for r in requests_of(program, "comp.report.ReportClient.claim")} == {"placement"}


def test_the_call_site_decides_a_branch_on_a_parameter_of_the_client_function(make_tree):
    """`remove(uuid, force=True)` sends DELETE (the `if force:` branch), not the default's GET; an
    argument that is not a literal may go either way."""
    program = program_of(make_tree(SDK_CLIENT, "sdkclient"))
    function = "comp.report.ReportClient.remove"
    site = lambda kwargs: ["x", ["a", ["n", "c"], "remove"], 1, 0, None, [["n", "uuid"]], kwargs]  # noqa: E731
    verbs = lambda found: sorted(r.verb for r in found)  # noqa: E731
    assert verbs(requests_of(program, function)) == ["GET"]
    assert verbs(requests_of(program, function, site({"force": ["k", True]}))) == ["DELETE"]
    assert verbs(requests_of(program, function, site({"force": ["n", "force"]}))) == ["DELETE", "GET"]
