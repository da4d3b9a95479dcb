"""`trace` on the storage services' real releases (issue 17), each hop checked by hand against the
rpcapi and manager lines named beside it."""

import pytest

from stackread.flows.question import Question
from stackread.flows.trace import trace_operation

pytestmark = pytest.mark.real


def hops(trace):
    return [(h.source, h.kind, h.target, h.method, h.endpoint) for h in trace.hops]


def test_manila_share_delete_and_snapshot_create_cast_to_the_share_host(real_release):
    # Both v2 ShareController and v1's inherit ShareMixin.delete; the v2 one (mounted /v2) runs it,
    # its share_api reaching share/api.py:1606 -> rpcapi.py:173 prepare(server=host), cast. Snapshots
    # go straight to the share's host (api.py:1801/1805 -> rpcapi.py:292/274), no scheduler.
    manila = real_release("manila-current")
    trace = trace_operation(manila, "share delete")
    assert trace.entry.receiver == "manila.api.v2.shares.ShareController"
    assert hops(trace) == [("manila-api", "cast", "manila-share", "delete_share_instance",
                            "manila.share.manager.ShareManager.delete_share_instance")]
    assert [h.route for h in trace.hops] == ["host"]
    trace = trace_operation(manila, "snapshot create")
    assert [(h.method, h.target) for h in trace.hops] == [("create_replicated_snapshot", "manila-share"),
                                                          ("create_snapshot", "manila-share")]


def test_manila_share_create_goes_through_the_scheduler(real_release):
    # The v2 API (not the deprecated /v1 ShareMixin.create): api.py:759 casts the scheduler without a
    # host; scheduler/drivers/filter.py:106 casts create_share_instance to the chosen host.
    trace = trace_operation(real_release("manila-current"), "share create")
    assert trace.root.function.startswith("manila.api.v2.shares.ShareController.")
    assert ("manila-api", "cast", "manila-scheduler", "create_share_instance",
            "manila.scheduler.manager.SchedulerManager.create_share_instance") in hops(trace)
    assert ("manila-scheduler", "cast", "manila-share", "create_share_instance",
            "manila.share.manager.ShareManager.create_share_instance") in hops(trace)


def test_cinder_volume_create_goes_api_scheduler_volume(real_release):
    # api flow VolumeCastTask -> scheduler/rpcapi.py:110 cast; scheduler flow -> FilterScheduler
    # -> volume/rpcapi.py:177 cast, routed by _get_cctxt(host=volume.service_topic_queue).
    trace = trace_operation(real_release("cinder-current"), "volume create")
    assert hops(trace)[:2] == [
        ("cinder-api", "cast", "cinder-scheduler", "create_volume", "cinder.scheduler.manager.SchedulerManager.create_volume"),
        ("cinder-scheduler", "cast", "cinder-volume", "create_volume", "cinder.volume.manager.VolumeManager.create_volume"),
    ]
    assert trace.hops[1].route == "volume.service_topic_queue"


def test_cinder_backup_create_goes_through_the_scheduler_to_cinder_backup(real_release):
    # scheduler/rpcapi.py:269 cast; the scheduler picks a backup host: backup/rpcapi.py:62 cast.
    trace = trace_operation(real_release("cinder-current"), "backup create")
    assert hops(trace)[:2] == [
        ("cinder-api", "cast", "cinder-scheduler", "create_backup", "cinder.scheduler.manager.SchedulerManager.create_backup"),
        ("cinder-scheduler", "cast", "cinder-backup", "create_backup", "cinder.backup.manager.BackupManager.create_backup"),
    ]


def test_a_driver_method_reached_once_per_driver_class_is_drawn_once(real_release):
    # manager.py:4708-4710: `self.driver.allocate_network(...)` in a loop over the subnets, then
    # `self.driver.allocate_admin_network(...)`; `self.driver` may be any of several ShareDriver
    # subclasses that inherit both (driver.py:943, :954), each once drawn alike.
    trace = trace_operation(real_release("manila-current"), "share create")

    def under(step, name):
        if step.function.endswith(name):
            return step
        return next((found for child in step.children if (found := under(child, name))), None)

    setup = under(trace.root, "ShareManager._setup_server")
    calls = [c.function.rpartition(".")[2] for c in setup.children]
    assert calls.count("allocate_network") == 1 and calls.count("allocate_admin_network") == 1
    allocate = next(c for c in setup.children if c.function.endswith(".allocate_network"))
    assert allocate.call_line == 4708 and allocate.loop == "for share_network_subnet in subnets"


def driver_calls(trace):
    found, todo = [], [trace.root]
    while todo:
        step = todo.pop()
        found += [(step.function, step.receiver)] if step.kind == "driver" else []
        todo += step.children
    return found


def test_the_storage_driver_is_the_one_the_option_default_names(real_release):
    # Cinder's volume manager makes its driver from CONF.volume_driver (manager.py:144, default
    # cinder.volume.drivers.lvm.LVMVolumeDriver; import_object at :312). The raw create calls
    # self.driver.create_volume (flows/manager/create_volume.py:1217): lvm.py:396 by default, nfs.py:587
    # with --driver nfs (NfsDriver is no VolumeDriver, but has BaseVD's method), each driver with all.
    cinder = real_release("cinder-current")
    default = driver_calls(trace_operation(cinder, "volume create"))
    assert ("cinder.volume.drivers.lvm.LVMVolumeDriver.create_volume", None) in default
    # An inherited method says which implementation runs it.
    assert ("cinder.volume.driver.BaseVD.get_volume_stats", "cinder.volume.drivers.lvm.LVMVolumeDriver") in default
    # One driver per interface: and a volume from a backup reads it with the backup_driver default.
    assert {receiver or function.rpartition(".")[0] for function, receiver in default} == {
        "cinder.volume.drivers.lvm.LVMVolumeDriver", "cinder.backup.drivers.swift.SwiftBackupDriver"}
    nfs = driver_calls(trace_operation(cinder, Question("volume create", driver="nfs")))
    assert ("cinder.volume.drivers.nfs.NfsDriver.create_volume", None) in nfs
    every = driver_calls(trace_operation(cinder, Question("volume create", driver="all")))
    assert len({receiver or function.rpartition(".")[0] for function, receiver in every}) > 5
    # Manila's share_driver defaults to GenericShareDriver (share/manager.py:66): its create_share
    # (drivers/generic.py:222) from manager.py:2342; CephFS's with --driver cephfs.
    manila = real_release("manila-current")
    assert ("manila.share.drivers.generic.GenericShareDriver.create_share", None) in \
        driver_calls(trace_operation(manila, "share create"))
    assert ("manila.share.drivers.cephfs.driver.CephFSDriver.create_share", None) in \
        driver_calls(trace_operation(manila, Question("share create", driver="cephfs")))
