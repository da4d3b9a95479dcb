"""`trace -C caller -C glance` (issue 17): Nova's image API reaches glanceclient through a wrapper that
names the client's method with a string (nova/image/glance.py `GlanceClientWrapper.call(context, 2,
'get', args=(image_id,))` -> `getattr(getattr(client, controller or 'images'), method)(*args)`), and a
client made by version (`glanceclient.Client(2, ...)` -> `import_versioned_module('glanceclient',
int(version), 'client')`). Each request is the one the caller's path names: the v2 client's, the
method the caller passed. Three small packages of that shape: a calling project, a client library
with two API versions, a serving project."""

import textwrap

from test_trace_across import ROUTER  # the Cinder crossing's nova-like API router

from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation


CALLER = {
    "setup.cfg": "[metadata]\nname = comp\n",
    "comp/__init__.py": "",
    "comp/image/__init__.py": "",
    "comp/image/glance.py": """
        import glanceclient


        def _glanceclient_from_endpoint(context, version):
            return glanceclient.Client(version, session=context)


        class GlanceClientWrapper(object):
            def call(self, context, version, method, controller=None, args=None):
                args = args or []
                controller_name = controller or 'images'
                client = _glanceclient_from_endpoint(context, version)
                controller = getattr(client, controller_name)
                return getattr(controller, method)(*args)


        class GlanceImageService(object):
            def __init__(self):
                self._client = GlanceClientWrapper()

            def show(self, context, image_id):
                return self._client.call(context, 2, 'get', args=(image_id,))

            def delete(self, context, image_id):
                return self._client.call(context, 2, 'delete', args=(image_id,))


        class API(object):
            def get(self, context, image_id):
                return GlanceImageService().show(context, image_id)

            def delete(self, context, image_id):
                return GlanceImageService().delete(context, image_id)
        """,
    "comp/api.py": textwrap.dedent("""
        from comp.image import glance


        class Controller(object):
            pass


        class ServersController(Controller):
            def __init__(self):
                self.image_api = glance.API()

            def create(self, req, body):
                self.image_api.get(req, body['image_ref'])


        ROUTE_LIST = (('/servers', {'POST': [ServersController, 'create']}),)
        """) + ROUTER,
}

IMAGES = """
    class {name}(object):
        def __init__(self, http_client):
            self.http_client = http_client

        def get(self, image_id):
            return self.http_client.{get}('/{version}/images/%s' % image_id)

        def delete(self, image_id):
            return self.http_client.delete('/{version}/images/%s' % image_id)
    """

VERSION_CLIENT = """
    from glanceclient.common import http
    from glanceclient.{version} import images


    class Client(object):
        def __init__(self, session=None):
            self.http_client = http.get_http_client(session=session)
            self.images = images.{name}(self.http_client)
    """

CLIENT = {
    "setup.cfg": "[metadata]\nname = python-glanceclient\n",
    "glanceclient/__init__.py": "from glanceclient.client import Client\n",
    "glanceclient/client.py": """
        from oslo_utils import importutils


        def Client(version=None, session=None):
            if not version:
                version = float(session.api_version)  # glanceclient: the version in the endpoint's URL
            module = importutils.import_versioned_module('glanceclient', int(version), 'client')
            client_class = getattr(module, 'Client')
            return client_class(session=session)
        """,
    "glanceclient/common/__init__.py": "",
    "glanceclient/common/http.py": """
        from keystoneauth1 import adapter


        class SessionClient(adapter.Adapter):
            def request(self, url, method, **kwargs):
                return super().request(url, method, **kwargs)

            def get(self, url, **kwargs):
                return self.request(url, 'GET', **kwargs)

            def head(self, url, **kwargs):
                return self.request(url, 'HEAD', **kwargs)

            def delete(self, url, **kwargs):
                return self.request(url, 'DELETE', **kwargs)


        def get_http_client(session=None):
            return SessionClient(session=session)
        """,
    "glanceclient/v1/__init__.py": "",
    "glanceclient/v1/client.py": VERSION_CLIENT.format(version="v1", name="ImageManager"),
    "glanceclient/v1/images.py": IMAGES.format(name="ImageManager", get="head", version="v1"),
    "glanceclient/v2/__init__.py": "",
    "glanceclient/v2/client.py": VERSION_CLIENT.format(version="v2", name="Controller"),
    "glanceclient/v2/images.py": IMAGES.format(name="Controller", get="get", version="v2"),
}

SERVER = {
    "setup.cfg": "[metadata]\nname = glance\n[entry_points]\nconsole_scripts =\n    glance-api = glance.cmd:main\n",
    "glance/__init__.py": "",
    "glance/cmd.py": "def main():\n    pass\n",
    "glance/api.py": textwrap.dedent("""
        class Controller(object):
            pass


        class ImagesController(Controller):
            def show(self, req, image_id):
                pass

            def delete(self, req, image_id):
                pass


        ROUTE_LIST = (('/v2/images/{image_id}', {'GET': [ImagesController, 'show'],
                                                 'DELETE': [ImagesController, 'delete']}),)
        """) + ROUTER,
}


def trace(make_tree, servers=True):
    caller = Reading(make_tree(CALLER, "comp"), libraries=(str(make_tree(CLIENT, "python-glanceclient-1.0.0")),),
                     use_cache=False)
    serving = (Reading(make_tree(SERVER, "glance"), use_cache=False),) if servers else ()
    return trace_operation(caller, "POST /servers", servers=serving)


def test_the_method_the_caller_names_on_the_client_the_version_makes_is_the_request_sent(make_tree):
    found = trace(make_tree)
    assert [(h.source, h.kind, h.target, h.method, h.endpoint) for h in found.hops] == [
        ("comp-api", "rest", "glance-api", "GET /v2/images/{id}", "glance.api.ImagesController.show")]
    rest = found.hops[0]
    assert (rest.client, rest.client_path, rest.client_line) == ("comp.image.glance.API.get", "glanceclient/v2/images.py", 6)
    assert not [n for n in found.notes if "no route" in n]  # no HEAD /v1/images/{id} of the v1 client


def test_without_the_glance_tree_the_image_call_stays_a_leaf(make_tree):
    found = trace(make_tree, servers=False)
    assert found.hops == []
    leaf = found.root.children[0]
    assert (leaf.kind, leaf.service, leaf.children) == ("service", "glance", [])


def test_a_tree_or_library_is_also_named_as_get_stores_the_release(make_tree, tmp_path):
    # `trace "server create" -C nova-34.0.0 -C glance-33.0.0 -L python-glanceclient-4.13.0`
    from stackread.flows import crossing
    from stackread.source.libraries import library_tree

    cached = make_tree(SERVER, "cache/releases/glance-33.0.0")
    make_tree(CLIENT, "cache/releases/python-glanceclient-1.0.0")
    assert crossing.tree_path("glance-33.0.0", tmp_path / "cache") == str(cached)
    assert library_tree("python-glanceclient-1.0.0", tmp_path / "cache").is_file("glanceclient/client.py")
