"""`trace` of Cinder 29.0.0's volume lifecycle (issue 17), each hop checked by hand against the api,
rpcapi and manager lines named beside it."""

import pytest

from stackread.flows.trace import trace_operation

pytestmark = pytest.mark.real


def hops(trace):
    return [(h.source, h.kind, h.target, h.method, h.endpoint.rpartition(".")[2], h.route, h.condition)
            for h in trace.hops]


@pytest.fixture(scope="module")
def cinder(real_release):
    return real_release("cinder-current")


def test_volume_delete_casts_to_the_volume_host_which_reports_its_capabilities(cinder):
    # volume/api.py:426 `if not volume.host` deletes in the API, else :563 volume_rpcapi.delete_volume:
    # rpcapi.py:196 _get_cctxt(volume.service_topic_queue), :202 cast. The manager then (manager.py:1062,
    # under `if volume.use_quota`) publishes its capabilities: cinder/manager.py:218 `if
    # self.last_capabilities`, :220 update_service_capabilities (a fanout cast), :227 notify_service_capabilities.
    trace = trace_operation(cinder, "volume delete")
    assert trace.root.function == "cinder.api.v3.volumes.VolumeController.delete"
    assert hops(trace) == [
        ("cinder-api", "cast", "cinder-volume", "delete_volume", "delete_volume", "volume.service_topic_queue",
         "volume.host"),
        ("cinder-volume", "cast", "cinder-scheduler", "update_service_capabilities", "update_service_capabilities",
         None, "volume.use_quota and self.last_capabilities"),
        ("cinder-volume", "cast", "cinder-scheduler", "notify_service_capabilities", "notify_service_capabilities",
         None, "volume.use_quota and self.last_capabilities"),
    ]
    assert [h.fanout for h in trace.hops] == [False, True, False]


def test_os_attach_calls_the_volume_host(cinder):
    # contrib/volume_actions.py:55 _attach -> volume/api.py:853 volume_rpcapi.attach_volume ->
    # rpcapi.py:225 _get_cctxt(volume.service_topic_queue), :228 call: the API waits for the answer.
    trace = trace_operation(cinder, "POST /volumes/{id}/action os-attach")
    assert trace.root.function == "cinder.api.contrib.volume_actions.VolumeActionsController._attach"
    assert hops(trace) == [("cinder-api", "call", "cinder-volume", "attach_volume", "attach_volume",
                            "volume.service_topic_queue", None)]
    # manager.py:1399 attach_volume -> volume_utils.py:1614 require_driver_initialized -> :1631
    # log_unsupported_driver_warning: `if not driver.supported:` is driver.py:625 `return self.SUPPORTED`,
    # True on BaseVD (:459) and so on LVM: the warning's get_version is off the default path.
    found, todo = [], [trace.root]
    while todo:
        step = todo.pop()
        found += [step] if step.function == "cinder.volume.driver.BaseVD.get_version" else []
        todo += step.children
    assert found and not any(s.default_path for s in found)
    assert found[0].assumed == ["LVMVolumeDriver.SUPPORTED = True"]


def test_attachments_create_and_update_call_attachment_update_and_complete_stays_in_the_api(cinder):
    # create: volume/api.py:2498 `if connector:` :2500 attachment_update; update: :2580, always.
    # rpcapi.py:485 _get_cctxt(vref.service_topic_queue), :486 call. complete (attachments.py:289) only
    # updates the attachment's record: no message leaves cinder-api.
    create = trace_operation(cinder, "attachment create")
    assert hops(create) == [("cinder-api", "call", "cinder-volume", "attachment_update", "attachment_update",
                             "vref.service_topic_queue", "connector")]
    # rpcapi.py:163 _get_cctxt sends to topic cinder-volume.<host> (host@backend); the host as the
    # caller names it (vref.service_topic_queue), as the text says after the route.
    assert create.hops[0].host_topic == "cinder-volume.<vref.service_topic_queue>"
    update = trace_operation(cinder, "attachment update")
    assert hops(update) == [("cinder-api", "call", "cinder-volume", "attachment_update", "attachment_update",
                             "vref.service_topic_queue", None)]
    complete = trace_operation(cinder, "attachment complete")
    assert complete.root.function == "cinder.api.v3.attachments.AttachmentsController.complete"
    assert complete.hops == []


def test_snapshot_create_goes_through_the_scheduler_to_the_volume_host(cinder):
    # volume/api.py:975 scheduler_rpcapi.create_snapshot (rpcapi.py:129 cast); scheduler/manager.py:253
    # VolumeAPI().create_snapshot -> volume/rpcapi.py:209 _get_cctxt(volume.service_topic_queue), :210 cast.
    trace = trace_operation(cinder, "snapshot create")
    assert [h[:5] for h in hops(trace)] == [
        ("cinder-api", "cast", "cinder-scheduler", "create_snapshot", "create_snapshot"),
        ("cinder-scheduler", "cast", "cinder-volume", "create_snapshot", "create_snapshot"),
    ]
    assert trace.hops[1].route == "volume.service_topic_queue"
    # snapshots.py:194-198 `force` stays False unless the body carries it (the plain request does not),
    # so :225 create_snapshot sends the cast on the default path, not :215 create_snapshot_force.
    assert (trace.hops[0].condition, trace.hops[0].assumed) == ("not (force)", ["'force' absent from the request body"])


def test_migrate_goes_scheduler_then_source_host_which_creates_the_new_volume_on_the_destination(cinder):
    # volume/api.py:1810 scheduler_rpcapi.migrate_volume (cast); scheduler/manager.py:311
    # VolumeAPI().migrate_volume -> rpcapi.py:299-300 cast to volume.service_topic_queue; the source's
    # manager.py:2730 `if not moved` (the driver did not move it itself) -> _migrate_volume_generic,
    # :2397 rpcapi.create_volume(new_volume), cast to the new volume's host.
    trace = trace_operation(cinder, "os-migrate_volume")
    assert trace.root.function == "cinder.api.contrib.admin_actions.VolumeAdminController._migrate_volume"
    assert hops(trace)[:3] == [
        ("cinder-api", "cast", "cinder-scheduler", "migrate_volume", "migrate_volume", None, None),
        ("cinder-scheduler", "cast", "cinder-volume", "migrate_volume", "migrate_volume",
         "volume.service_topic_queue", None),
        ("cinder-volume", "cast", "cinder-volume", "create_volume", "create_volume", "volume.service_topic_queue",
         "not moved"),
    ]


def test_queens_deletes_attaches_and_routes_attachments_by_the_host_of_its_day(real_release):
    # Cinder 12.0.10: volume/api.py:396 `if not volume.host`, :530 delete_volume -> rpcapi.py:178
    # service_topic_queue, :184 cast; manager.py:887 `if not skip_quota` -> :898 publish (manager.py:193
    # `if self.last_capabilities`). os-attach: api.py:774 -> rpcapi.py:204, :207 call. Attachments were
    # routed by the volume's host then: api.py:2145 `if connector` -> rpcapi.py:437 _get_cctxt(vref.host).
    queens = real_release("cinder-queens")
    delete = trace_operation(queens, "volume delete")
    assert hops(delete) == [
        ("cinder-api", "cast", "cinder-volume", "delete_volume", "delete_volume", "volume.service_topic_queue",
         "volume.host"),
        ("cinder-volume", "cast", "cinder-scheduler", "update_service_capabilities", "update_service_capabilities",
         None, "not skip_quota and self.last_capabilities"),
        ("cinder-volume", "cast", "cinder-scheduler", "notify_service_capabilities", "notify_service_capabilities",
         None, "not skip_quota and self.last_capabilities"),
    ]
    attach = trace_operation(queens, "POST /volumes/{id}/action os-attach")
    assert hops(attach) == [("cinder-api", "call", "cinder-volume", "attach_volume", "attach_volume",
                            "volume.service_topic_queue", None)]
    create = trace_operation(queens, "attachment create")
    assert hops(create) == [("cinder-api", "call", "cinder-volume", "attachment_update", "attachment_update",
                             "vref.host", "connector")]


def test_the_plain_volume_is_on_a_backend_and_made_from_nothing(cinder):
    # volume/api.py:426 `if not volume.host:` deletes in the API: the plain volume is on a backend. And
    # create: the controller fills `kwargs` by literal keys (api/v3/volumes.py), so API.create's
    # `cgsnapshot=None` ... keep their defaults; `sched_rpcapi = (self.scheduler_rpcapi if (not cgsnapshot
    # and ...) else None)` (volume/api.py) is the scheduler client __init__ made, and the create flow's
    # `if scheduler_rpcapi and volume_rpcapi:` (flows/api/create_volume.py) casts: decided, not a branch.
    delete = trace_operation(cinder, "volume delete").hops[0]
    assert delete.method == "delete_volume" and delete.default_path and not delete.open
    assert delete.assumed == ["volume.host is set: the volume is on the backend the scheduler placed it on"]
    create = trace_operation(cinder, "volume create").hops
    assert [(h.source, h.target, h.method, h.open) for h in create[:2]] == [
        ("cinder-api", "cinder-scheduler", "create_volume", False),
        ("cinder-scheduler", "cinder-volume", "create_volume", False)]
