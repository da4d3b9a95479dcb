"""`trace OPERATION -C caller -C server` (issue 17, across projects): a call into another service's
client library, read as source beside the calling tree, is the HTTP request it sends; the serving
tree's route for it is where the flow goes on, through that tree's own RPC hops, below a hop of
kind "rest". Three five-line packages: a calling project, a client library, a serving project."""

import json
import textwrap

from click.testing import CliRunner

from stackread.cli import cli
from stackread.flows import crossing
from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

ROUTER = textwrap.dedent("""
    class Resource(object):
        def __init__(self, controller):
            self.controller = controller


    class APIRouter(object):
        def __init__(self):
            for path, methods in ROUTE_LIST:
                for method, controller_info in methods.items():
                    controller = Resource(controller_info[0]())
                    self.map.create_route(path, method, controller, controller_info[1])
    """)

CALLER = {
    "setup.cfg": "[metadata]\nname = comp\n",
    "requirements.txt": "python-cinderclient>=1.0.0 # Apache-2.0\n",
    "comp/__init__.py": "",
    "comp/volume/__init__.py": "",
    "comp/volume/cinder.py": """
        from cinderclient import client as cinder_client


        def cinderclient(context):
            return cinder_client.Client(context)


        class API(object):
            def attachment_create(self, context, volume_id):
                return cinderclient(context).attachments.create(volume_id)
        """,
    "comp/api.py": textwrap.dedent("""
        from comp.volume import cinder


        class Controller(object):
            pass


        class VolumeAttachmentsController(Controller):
            def __init__(self):
                self.volume_api = cinder.API()

            def create(self, req, body):
                self.volume_api.attachment_create(req, body['volume_id'])


        ROUTE_LIST = (('/volume_attachments', {'POST': [VolumeAttachmentsController, 'create']}),)
        """) + ROUTER,
}

CLIENT = {
    "setup.cfg": "[metadata]\nname = python-cinderclient\n",
    "cinderclient/__init__.py": "",
    "cinderclient/client.py": """
        from keystoneauth1 import adapter


        class SessionClient(adapter.Adapter):
            def request(self, *args, **kwargs):
                return super().request(*args, **kwargs)

            def post(self, url, **kwargs):
                return self.request(url, 'POST', **kwargs)


        class AttachmentManager(object):
            def __init__(self, api):
                self.api = api

            def create(self, volume_id):
                return self.api.client.post('/attachments', body={'attachment': {'volume_uuid': volume_id}})


        class Client(object):
            def __init__(self, session):
                self.client = SessionClient(session=session)
                self.attachments = AttachmentManager(self)
        """,
}

SERVER = {
    "setup.cfg": "[metadata]\nname = cinder\n[entry_points]\nconsole_scripts =\n"
                 "    cinder-volume = cinder.cmd:run_volume\n",
    "cinder/__init__.py": "",
    "cinder/api.py": textwrap.dedent("""
        import oslo_messaging as messaging


        class Controller(object):
            pass


        class AttachmentsController(Controller):
            def __init__(self):
                self.volume_rpcapi = VolumeAPI()

            def create(self, req, body):
                self.volume_rpcapi.attachment_update(req)


        class VolumeAPI(object):
            def __init__(self):
                self.client = messaging.get_rpc_client(None, messaging.Target(topic='volume'))

            def attachment_update(self, ctxt):
                return self.client.call(ctxt, 'attachment_update')


        ROUTE_LIST = (('/attachments', {'POST': [AttachmentsController, 'create']}),)
        """) + ROUTER,
    "cinder/volume.py": """
        import oslo_messaging as messaging


        class VolumeManager(object):
            def start(self):
                target = messaging.Target(topic='volume')
                self.server = messaging.get_rpc_server(None, target, [self])

            def attachment_update(self, ctxt):
                pass
        """,
    "cinder/cmd.py": """
        from cinder import volume


        def run_volume():
            volume.VolumeManager().start()
        """,
}


def hops(trace):
    return [(h.source, h.kind, h.target, h.method) for h in trace.hops]


def trees(make_tree):
    return make_tree(CALLER, "comp"), make_tree(CLIENT, "python-cinderclient-1.0.0"), make_tree(SERVER, "cinder")


def test_the_rest_call_goes_on_into_the_serving_tree_and_its_rpc(make_tree):
    caller, client, server = trees(make_tree)
    trace = trace_operation(Reading(caller, libraries=(str(client),), use_cache=False), "POST /volume_attachments",
                            servers=(Reading(server, use_cache=False),))
    assert hops(trace) == [("comp-api", "rest", "cinder-api", "POST /attachments"),
                           ("cinder-api", "call", "cinder-volume", "attachment_update")]
    rest = trace.hops[0]
    assert (rest.client, rest.endpoint) == ("comp.volume.cinder.API.attachment_create",
                                            "cinder.api.AttachmentsController.create")
    assert (rest.client_path, rest.endpoint_path) == ("cinderclient/client.py", "cinder/api.py")
    leaf = trace.root.children[0]  # the client call stays where it was, the hop below it
    assert (leaf.kind, leaf.service) == ("service", "cinder")
    assert [c.process for c in leaf.children] == ["cinder-api"]


def test_without_the_serving_tree_the_client_call_stays_a_leaf(make_tree):
    caller, client, _server = trees(make_tree)
    trace = trace_operation(Reading(caller, libraries=(str(client),), use_cache=False), "POST /volume_attachments")
    assert hops(trace) == []
    assert trace.root.children[0].kind == "service" and trace.root.children[0].children == []


def test_the_client_library_is_the_cached_release_the_requirements_ask_for(make_tree, tmp_path):
    caller, _client, server = trees(make_tree)
    cache = tmp_path / "cache"
    for version in ("1.0.0", "1.10.0", "1.9.0"):
        make_tree(CLIENT, f"cache/releases/python-cinderclient-{version}")
    reading, servers = crossing.readings((str(caller), str(server)), None, cache, False, ())
    assert reading.libraries == (str(cache / "releases" / "python-cinderclient-1.10.0"),)
    assert [s.path for s in servers] == [str(server)]
    given, _servers = crossing.readings((str(caller), str(server)), None, cache, False, ("/src/python-cinderclient",))
    assert given.libraries == ("/src/python-cinderclient",)  # -L names it: not found again


def test_the_cli_takes_several_trees_and_prints_the_rest_hop(make_tree, tmp_path):
    caller, client, server = trees(make_tree)
    args = ["trace", "POST /volume_attachments", "-C", str(caller), "-C", str(server), "-L", str(client),
            "--cache-dir", str(tmp_path / "c")]
    result = CliRunner().invoke(cli, args + ["--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(h["kind"], h["from"], h["to"], h["method"]) for h in data["hops"]] == [
        ("rest", "comp-api", "cinder-api", "POST /attachments"),
        ("call", "cinder-api", "cinder-volume", "attachment_update")]
    text = CliRunner().invoke(cli, args, env={"COLUMNS": "100"})
    assert "comp-api =rest=> cinder-api  POST /attachments" in text.output
    assert "==rest==> cinder-api  POST /attachments  -> AttachmentsController.create" in text.output


def test_the_hops_and_story_levels_keep_the_rest_hop_below_the_client_call(make_tree, tmp_path):
    caller, client, server = trees(make_tree)
    args = ["trace", "POST /volume_attachments", "-C", str(caller), "-C", str(server), "-L", str(client), "--no-cache"]
    for level in ("hops", "story"):
        data = json.loads(CliRunner().invoke(cli, args + ["--detail", level, "--json"]).output)
        kept, todo = [], list(data["steps"])
        while todo:
            step = todo.pop()
            kept.append((step["kind"], step["process"], step["function"]))
            todo += step["children"]
        assert ("hop", "cinder-api", "cinder.api.AttachmentsController.create") in kept, level
        assert ("hop", "cinder-volume", "cinder.volume.VolumeManager.attachment_update") in kept, level


def test_a_tree_is_a_path_or_a_release_spec_read_from_the_cache(make_tree, tmp_path):
    cached = make_tree(SERVER, "cache/releases/cinder-29.0.0")
    assert crossing.tree_path("cinder==29.0.0", tmp_path / "cache") == str(cached)
    assert crossing.tree_path(str(cached), tmp_path / "elsewhere") == str(cached)


def test_a_drawing_links_each_step_into_the_tree_that_holds_it(make_tree):
    from stackread.render.trace_graph import to_dot

    caller, client, server = trees(make_tree)
    trace = trace_operation(Reading(caller, libraries=(str(client),), use_cache=False), "POST /volume_attachments",
                            servers=(Reading(server, use_cache=False),))
    dot = to_dot(trace)
    assert f"file://{caller.resolve()}/comp/api.py#L" in dot
    assert f"file://{server.resolve()}/cinder/api.py#L" in dot and f"{caller.resolve()}/cinder/" not in dot


def test_the_rest_hop_carries_the_conditions_on_the_way_in_its_process(make_tree):
    call = "        self.volume_api.attachment_create(req, body['volume_id'])"
    assert call in CALLER["comp/api.py"]
    guarded = {**CALLER, "comp/api.py": CALLER["comp/api.py"].replace(call, (
        "        if body:\n"
        "            self._attach(req, body)\n\n"
        "    def _attach(self, req, body):\n"
        "        if body['volume_id']:\n"
        "    " + call))}
    _caller, client, server = trees(make_tree)
    trace = trace_operation(Reading(make_tree(guarded, "guarded"), libraries=(str(client),), use_cache=False),
                            "POST /volume_attachments", servers=(Reading(server, use_cache=False),))
    assert [(h.kind, h.condition) for h in trace.hops] == [("rest", "body and body['volume_id']"), ("call", None)]


WRAPPED = """
    from cinderclient import client as cinder_client


    class ClientWrapper(object):
        def __init__(self, base_client):
            self.base_client = base_client

        def __getattr__(self, name):
            base_attr = getattr(self.base_client, name)
            if callable(base_attr):
                return self.proxy(base_attr)
            return base_attr

        def proxy(self, obj):
            def wrapper(*args, **kwargs):
                return obj(*args, **kwargs)
            return wrapper


    def cinderclient(context):
        return ClientWrapper(cinder_client.Client(context))


    class API(object):
        def attachment_create(self, context, volume_id):
            return cinderclient(context).attachments.create(volume_id)
    """


def test_a_client_behind_a_forwarding_wrapper_is_followed_into_the_serving_tree(make_tree):
    # nova/network/neutron.py's shape: get_client() returns ClientWrapper(clientv20.Client(...)), whose
    # `__getattr__` hands every name to the client it holds (program.forwarding).
    _caller, client, server = trees(make_tree)
    caller = make_tree({**CALLER, "comp/volume/cinder.py": WRAPPED}, "wrapped")
    trace = trace_operation(Reading(caller, libraries=(str(client),), use_cache=False), "POST /volume_attachments",
                            servers=(Reading(server, use_cache=False),))
    assert hops(trace) == [("comp-api", "rest", "cinder-api", "POST /attachments"),
                           ("cinder-api", "call", "cinder-volume", "attachment_update")]
    alone = trace_operation(Reading(caller, libraries=(str(client),), use_cache=False), "POST /volume_attachments")
    assert hops(alone) == [] and alone.root.children[0].kind == "service"


def test_a_serving_tree_reads_the_libraries_its_own_requirements_ask_for(make_tree, tmp_path):
    caller, client, server = trees(make_tree)
    (server / "requirements.txt").write_text("cinder-lib>=5.0.0 # Apache-2.0\n")
    lib = make_tree({"setup.cfg": "[metadata]\nname = cinder-lib\n", "cinder_lib/__init__.py": ""}, "cinder-lib-5.0.1")
    given = (str(lib), str(client))
    reading, servers = crossing.readings((str(caller), str(server)), None, tmp_path / "c", False, given)
    assert reading.libraries == given  # the calling tree reads every -L, as before
    assert servers[0].libraries == (str(lib),)  # the serving tree the one its requirements.txt asks for


# A tree's own REST client (Nova's Placement report client): no client library, an openstacksdk
# proxy made for the service type the tree names; the serving tree declares a table of handlers.
REPORTING = {
    "setup.cfg": "[metadata]\nname = comp\n",
    "comp/__init__.py": "",
    "comp/utils.py": """
        from openstack import connection


        def get_sdk_adapter(service_type):
            conn = connection.Connection(service_types={service_type})
            return getattr(conn, service_type.replace('-', '_'))
        """,
    "comp/report.py": """
        from comp import utils


        class SchedulerReportClient(object):
            def __init__(self):
                self._client = utils.get_sdk_adapter('placement')

            def put(self, url, data):
                return self._client.put(url, json=data)

            def claim_resources(self, consumer_uuid, payload):
                return self.put('/allocations/%s' % consumer_uuid, payload)
        """,
    "comp/api.py": textwrap.dedent("""
        from comp import report


        class Controller(object):
            pass


        class ClaimsController(Controller):
            def __init__(self):
                self.reportclient = report.SchedulerReportClient()

            def create(self, req, body):
                self.reportclient.claim_resources(body['uuid'], body)


        ROUTE_LIST = (('/claims', {'POST': [ClaimsController, 'create']}),)
        """) + ROUTER,
}

PLACEMENT = {
    "setup.cfg": "[metadata]\nname = openstack-placement\n[entry_points]\nconsole_scripts =\n"
                 "    placement-manage = placement.manage:main\n",
    "placement/__init__.py": "",
    "placement/manage.py": "def main():\n    pass\n",
    "placement/allocation.py": """
        def list_for_consumer(req):
            pass


        def set_allocations_for_consumer(req):
            return _set(req)


        def _set(req):
            pass
        """,
    "placement/handler.py": """
        from placement import allocation

        ROUTE_DECLARATIONS = {
            '/allocations/{consumer_uuid}': {
                'GET': allocation.list_for_consumer,
                'PUT': allocation.set_allocations_for_consumer,
            },
        }
        """,
}


def test_a_trees_own_rest_client_on_an_sdk_proxy_goes_on_into_placement(make_tree):
    caller, server = make_tree(REPORTING, "comp"), make_tree(PLACEMENT, "placement")
    trace = trace_operation(Reading(caller, use_cache=False), "POST /claims", servers=(Reading(server, use_cache=False),))
    assert hops(trace) == [("comp-api", "rest", "placement-api", "PUT /allocations/{id}")]
    rest = trace.hops[0]
    assert (rest.client, rest.endpoint) == ("comp.report.SchedulerReportClient.claim_resources",
                                            "placement.allocation.set_allocations_for_consumer")
    leaf = trace.root.children[0]
    assert (leaf.kind, leaf.service) == ("service", "placement")
    served = leaf.children[0]
    assert (served.process, served.function) == ("placement-api", "placement.allocation.set_allocations_for_consumer")


def test_without_placement_the_report_client_call_stays_a_leaf(make_tree):
    trace = trace_operation(Reading(make_tree(REPORTING, "comp"), use_cache=False), "POST /claims")
    assert hops(trace) == []
    assert trace.root.children[0].kind == "service" and trace.root.children[0].children == []
