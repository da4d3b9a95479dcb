"""`trace` across projects on real releases (issue 17): Nova 34's calls of nova/image/glance.py read
through python-glanceclient 4.13.0 and keystoneauth1 5.18.1 (as source, beside Nova) into Glance 33's
glance-api. Every hop checked by hand:
- server create: nova/compute/api.py:1074 `_get_image` -> `self.image_api.get(context, image_href)` ->
  nova/image/glance.py:1142 API.get -> `session.show(...)` on the GlanceImageServiceV2 that
  `_get_session_and_image_id` returns -> :269 `self._client.call(context, 2, 'get', args=(image_id,))`
  -> :144 GlanceClientWrapper.call: `controller_name = controller or 'images'` (:168), the client
  `glanceclient.Client(version, ...)` (:67) -> glanceclient/client.py:61
  `import_versioned_module('glanceclient', int(version), 'client')` with the 2 Nova passes ->
  glanceclient/v2/client.py Client: `self.images = images.Controller(self.http_client, ...)`, and
  `getattr(controller, method)(*args, **kwargs)` (:175) with 'get' -> glanceclient/v2/images.py:196
  get -> :187 `_get`: `url = '/v2/images/%s' % image_id`, `self.http_client.get(url, ...)` (:190) on
  glanceclient/common/http.py:340 SessionClient (a keystoneauth1 Adapter) -> glance/api/v2/router.py:411
  `mapper.connect('/images/{image_id}', ..., action='show', conditions={'method': ['GET']})`, mounted at
  /v2 -> glance/api/v2/images.py:587 ImagesController.show;
- server image create (createImage): nova/api/openstack/compute/servers.py:1463 compute_api.snapshot ->
  nova/compute/api.py:3456 compute_utils.create_image -> nova/compute/utils.py:1283
  `image_api.create(context, image_meta)` -> nova/image/glance.py:1147 API.create -> :522 create ->
  :654 `self._client.call(context, 2, 'create', kwargs=...)` -> glanceclient/v2/images.py:414 create:
  `url = '/v2/images'`, `self.http_client.post(url, ...)` (:429) -> router.py:402 POST /images ->
  images.py:94 ImagesController.create. The image data is uploaded (`PUT /v2/images/{id}/file`) in
  nova-compute by LibvirtDriver.snapshot, a driver the walk stops at: not reached.
The serving process is glance-api, as `stackread entrypoints` names Glance's API (glance/cmd/api.py)."""

import pytest

from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

pytestmark = pytest.mark.real

OPERATIONS = ("server create", "server image create")


@pytest.fixture(scope="module")
def traces(real_release):
    libraries = (str(real_release("glanceclient-current")), str(real_release("keystoneauth1-current")))
    nova = Reading(real_release("nova-current"), libraries=libraries)
    glance = Reading(real_release("glance-current"))
    return {operation: trace_operation(nova, operation, servers=(glance,)) for operation in OPERATIONS}


def rest(trace):
    return [(h.source, h.target, h.method, h.endpoint, h.client, h.client_path, h.client_line)
            for h in trace.hops if h.kind == "rest" and h.default_path and not h.error_path]


def test_server_create_reads_the_image_from_glance_api(traces):
    found = rest(traces["server create"])
    assert found[0] == ("nova-api", "glance-api", "GET /v2/images/{id}", "glance.api.v2.images.ImagesController.show",
                        "nova.image.glance.API.get", "glanceclient/v2/images.py", 190)
    sent = {(h[2], h[3]) for h in found}
    assert not [h for h in traces["server create"].hops if "/v1/" in h.method]  # the v2 client Nova asks for
    assert ("DELETE /v2/images/{id}", "glance.api.v2.images.ImagesController.delete") not in sent  # 'get' only
    assert ("nova-api", "cast", "nova-conductor", "schedule_and_build_instances") in [
        (h.source, h.kind, h.target, h.method) for h in traces["server create"].hops]  # Nova's own hops stay


def test_server_image_create_makes_the_image_record_in_glance_api(traces):
    found = rest(traces["server image create"])
    assert ("nova-api", "glance-api", "POST /v2/images", "glance.api.v2.images.ImagesController.create",
            "nova.image.glance.API.create", "glanceclient/v2/images.py", 429) in found
    hops = [(h.source, h.kind, h.target, h.method) for h in traces["server image create"].hops
            if h.default_path and not h.error_path]
    create = hops.index(("nova-api", "rest", "glance-api", "POST /v2/images"))
    assert hops.index(("nova-api", "cast", "nova-compute", "snapshot_instance")) > create  # made before the cast
