"""RPC tables of real Nova releases: each client method matched to the exact endpoint method."""

import pytest


pytestmark = pytest.mark.real

EXPECTED = {
    # method: (kind, topic, namespace, endpoint class)
    "schedule_and_build_instances": ("cast", "conductor", "compute_task", "nova.conductor.manager.ComputeTaskManager"),
    "build_instances": ("cast", "conductor", "compute_task", "nova.conductor.manager.ComputeTaskManager"),
    "migrate_server": ("call", "conductor", "compute_task", "nova.conductor.manager.ComputeTaskManager"),
    "select_destinations": ("call", "scheduler", None, "nova.scheduler.manager.SchedulerManager"),
    "update_instance_info": ("cast", "scheduler", None, "nova.scheduler.manager.SchedulerManager"),
    "build_and_run_instance": ("cast", "compute", None, "nova.compute.manager.ComputeManager"),
    "prep_resize": ("cast", "compute", None, "nova.compute.manager.ComputeManager"),
    "resize_instance": ("cast", "compute", None, "nova.compute.manager.ComputeManager"),
    "finish_resize": ("cast", "compute", None, "nova.compute.manager.ComputeManager"),
    "live_migration": ("cast", "compute", None, "nova.compute.manager.ComputeManager"),
    "pre_live_migration": ("call", "compute", None, "nova.compute.manager.ComputeManager"),
    "check_can_live_migrate_destination": ("call", "compute", None, "nova.compute.manager.ComputeManager"),
    "reboot_instance": ("cast", "compute", None, "nova.compute.manager.ComputeManager"),
    "object_class_action_versions": ("call", "conductor", None, "nova.conductor.manager.ConductorManager"),
}


@pytest.fixture(scope="module", params=["nova-ocata", "nova-current"])
def report(request, real_rpc):
    return real_rpc(request.param)


def test_a_dozen_client_methods_reach_the_right_endpoint(report):
    for method, (kind, topic, namespace, endpoint_class) in EXPECTED.items():
        sends = [s for s in report.sends if s.method == method and s.topic == topic]
        assert sends, method
        assert any(s.kind == kind for s in sends), method
        for s in sends:
            assert (s.namespace, s.endpoint) == (namespace, f"{endpoint_class}.{method}"), method


def test_update_instance_info_is_a_fanout_and_builds_are_routed_to_a_host(report):
    assert all(s.fanout for s in report.sends if s.method == "update_instance_info")
    build = [s for s in report.sends if s.method == "build_and_run_instance"]
    assert build and all(s.server_route for s in build)


def test_almost_every_send_is_matched(report):
    assert len(report.matched) / len(report.sends) > 0.95


def test_cinder_topic_decides_between_same_named_methods(real_rpc):
    # create_volume exists on SchedulerManager and VolumeManager; the client's topic decides.
    report = real_rpc("cinder-current")
    pairs = {(s.client.rsplit(".", 2)[-2], s.endpoint) for s in report.sends if s.method == "create_volume"}
    assert pairs == {("SchedulerAPI", "cinder.scheduler.manager.SchedulerManager.create_volume"),
                     ("VolumeAPI", "cinder.volume.manager.VolumeManager.create_volume")}
    assert len(report.matched) / len(report.sends) > 0.95
