"""`trace` across projects on real releases (issue 17): Nova 34's calls of nova/volume/cinder.py read
through python-cinderclient 9.10.0 (as source, beside Nova) to the request each sends, into Cinder 29's
route for it and on through cinder-api's RPC to cinder-volume. Every hop checked by hand:
- nova/compute/api.py:5235 attach_volume calls volume_api.get -> cinderclient VolumeManager.get ->
  `self._get("/volumes/%s" % volume_id)` (cinderclient/base.py:297) -> cinder/api/v3/volumes.py:97 show;
- nova/compute/api.py:5424 (swap volume, new-style attachment) volume_api.attachment_create ->
  VolumeAttachmentManager.create -> `self._create('/attachments', body)` (base.py:306) ->
  cinder/api/v3/attachments.py:113 create -> volume/api.py:2498 `if connector:` ->
  volume/rpcapi.py:486 attachment_update, a call to vref.service_topic_queue;
- nova/compute/manager.py:8047 swap_volume's volume_api.attachment_update -> PUT /attachments/{id}
  (base.py:318) -> attachments.py:215 update -> volume/api.py:2580 -> rpcapi attachment_update;
- manager.py:8091 attachment_complete -> POST /attachments/{id}/action {'os-complete': ...}
  (v3/attachments.py:97) -> attachments.py:289 complete."""

import pytest

from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

pytestmark = pytest.mark.real

SWAP = "PUT /servers/{server_id}/os-volume_attachments/{id}"


def hops(trace):
    return [(h.source, h.kind, h.target, h.method, h.endpoint) for h in trace.hops
            if h.default_path and not h.error_path]


def across(real_release, operation):
    nova = Reading(real_release("nova-current"), libraries=(str(real_release("cinderclient-current")),))
    return trace_operation(nova, operation, servers=(Reading(real_release("cinder-current")),))


def test_server_add_volume_reads_the_volume_from_cinder_api(real_release):
    trace = across(real_release, "server add volume")
    assert hops(trace)[0] == ("nova-api", "rest", "cinder-api", "GET /volumes/{id}",
                              "cinder.api.v3.volumes.VolumeController.show")
    rest = trace.hops[0]
    assert (rest.client, rest.client_path, rest.client_line) == ("nova.volume.cinder.API.get", "cinderclient/base.py", 297)
    assert ("nova-api", "cast", "nova-conductor", "attach_volume",
            "nova.conductor.manager.ComputeTaskManager.attach_volume") in hops(trace)  # Nova's own hops stay


def test_swap_volume_crosses_into_cinder_api_and_on_to_cinder_volume(real_release):
    found = hops(across(real_release, SWAP))
    attachment_create = found.index(("nova-api", "rest", "cinder-api", "POST /attachments",
                                     "cinder.api.v3.attachments.AttachmentsController.create"))
    assert found[attachment_create + 1] == ("cinder-api", "call", "cinder-volume", "attachment_update",
                                            "cinder.volume.manager.VolumeManager.attachment_update")
    update = found.index(("nova-compute", "rest", "cinder-api", "PUT /attachments/{id}",
                          "cinder.api.v3.attachments.AttachmentsController.update"))
    assert found[update + 1] == found[attachment_create + 1]
    assert ("nova-compute", "rest", "cinder-api", "POST /attachments/{id}/action (os-complete)",
            "cinder.api.v3.attachments.AttachmentsController.complete") in found[update:]
    assert found.index(("nova-api", "cast", "nova-compute", "swap_volume",
                        "nova.compute.manager.ComputeManager.swap_volume")) < update


def test_without_cinder_the_calls_stay_leaves(real_release):
    nova = Reading(real_release("nova-current"), libraries=(str(real_release("cinderclient-current")),))
    trace = trace_operation(nova, SWAP)
    assert {h.kind for h in trace.hops} == {"cast"} and all(h.target.startswith("nova-") for h in trace.hops)
