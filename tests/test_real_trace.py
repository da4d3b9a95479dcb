"""`stackread trace` on real Nova: the create-server flow across processes."""

import json

import pytest
from click.testing import CliRunner

from stackread.cli import cli
from stackread.flows.question import Question
from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

pytestmark = pytest.mark.real


def default_hops(trace):
    return [(h.source, h.kind, h.target, h.method) for h in trace.hops if h.default_path and not h.error_path]


def test_create_server_on_current_nova(real_release):
    trace = trace_operation(real_release("nova-current"), "create_server")
    assert trace.entry.controller.endswith("ServersController.create")
    assert default_hops(trace) == [
        ("nova-api", "cast", "nova-conductor", "schedule_and_build_instances"),
        ("nova-conductor", "call", "nova-scheduler", "select_destinations"),
        ("nova-conductor", "cast", "nova-compute", "build_and_run_instance"),
        ("nova-compute", "cast", "nova-scheduler", "update_instance_info"),
    ]
    hops = {h.method: h for h in trace.hops}
    assert hops["build_and_run_instance"].endpoint == "nova.compute.manager.ComputeManager.build_and_run_instance"
    assert hops["schedule_and_build_instances"].endpoint.endswith("ComputeTaskManager.schedule_and_build_instances")
    assert hops["update_instance_info"].fanout
    assert hops["build_and_run_instance"].route == "host.service_host"  # the host the scheduler chose
    # The reschedule after a failed build goes back to the conductor, on the error path only.
    assert hops["build_instances"].error_path
    drivers = []
    todo = [trace.root]
    while todo:
        step = todo.pop()
        drivers += [step.function] if step.kind == "driver" else []
        todo += step.children
    assert "nova.virt.libvirt.driver.LibvirtDriver.spawn" in drivers


def test_create_server_on_ocata_marks_the_cells_branch(real_release):
    assert default_hops(trace_operation(real_release("nova-ocata"), "create_server")) == [
        ("nova-api", "cast", "nova-conductor", "schedule_and_build_instances"),
        ("nova-conductor", "call", "nova-scheduler", "select_destinations"),
        ("nova-conductor", "cast", "nova-compute", "build_and_run_instance"),
        ("nova-compute", "cast", "nova-scheduler", "update_instance_info"),
    ]
    path = real_release("nova-ocata")
    trace = trace_operation(path, "create_server")
    hops = {h.method: h for h in trace.hops if h.source == "nova-api"}
    assert hops["schedule_and_build_instances"].default_path
    assert not hops["build_instances"].default_path and "CONF.cells.enable" in hops["build_instances"].condition
    assert ("nova-conductor", "cast", "nova-compute", "build_and_run_instance") in default_hops(trace)
    cells = trace_operation(path, Question("create_server", settings={"cells.enable": True}))
    hops = {h.method: h for h in cells.hops if h.source == "nova-api"}
    assert hops["build_instances"].default_path and not hops["schedule_and_build_instances"].default_path


def test_cli_trace_json_and_bad_names(real_release):
    path = str(real_release("nova-current"))
    runner = CliRunner()
    result = runner.invoke(cli, ["trace", "lock", "-C", path, "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["hops"] == [] and "reaches no other process" in data["notes"][0]
    result = runner.invoke(cli, ["trace", "rebot", "-C", path])
    assert result.exit_code == 1 and "reboot" in result.output and "Traceback" not in result.output


def driver_calls(trace):
    found, todo = set(), [trace.root]
    while todo:
        step = todo.pop()
        if step.kind == "driver" and step.default_path and not step.error_path:
            found.add(step.function.rpartition(".")[0].rpartition(".")[2] + "." + step.function.rpartition(".")[2])
        todo += step.children
    return found


def in_order(hops, expected):
    """The expected hops appear in the default flow, in this order (other hops may come between)."""
    position = 0
    for hop in hops:
        if position < len(expected) and hop == expected[position]:
            position += 1
    return position == len(expected)


API, CONDUCTOR, SCHEDULER, COMPUTE = "nova-api", "nova-conductor", "nova-scheduler", "nova-compute"
# A move's two hosts (flows/hosts.py): prepare(server=host) called with migration.dest_compute, ...
SOURCE, DEST = "nova-compute (source)", "nova-compute (dest)"
# The flows as Nova's code draws them (and doc/source/_static/images for resize and live migration):
# (operation, expected default hops in flow order, methods that must not show, a libvirt driver call).
FLOWS = [
    ("delete", [(API, "cast", COMPUTE, "terminate_instance")], {"build_and_run_instance"}, "LibvirtDriver.destroy"),
    ("reboot", [(API, "cast", COMPUTE, "reboot_instance")], set(), "LibvirtDriver.reboot"),
    ("stop", [(API, "cast", COMPUTE, "stop_instance")], set(), "LibvirtDriver.power_off"),
    ("start", [(API, "cast", COMPUTE, "start_instance")], set(), "LibvirtDriver.power_on"),
    ("pause", [(API, "cast", COMPUTE, "pause_instance")], set(), "LibvirtDriver.pause"),
    ("suspend", [(API, "cast", COMPUTE, "suspend_instance")], set(), "LibvirtDriver.suspend"),
    # Libvirt does not implement rebuild: ComputeDriver.rebuild raises NotImplementedError, and the manager's
    # `except NotImplementedError: self._rebuild_default_impl(...)` destroys and spawns (flows/fallbacks.py).
    ("rebuild", [(API, "cast", CONDUCTOR, "rebuild_instance"), (CONDUCTOR, "call", SCHEDULER, "select_destinations"),
                 (CONDUCTOR, "cast", COMPUTE, "rebuild_instance")], set(), "LibvirtDriver.spawn"),
    # Evacuate without a host (the body's optional key absent): the scheduler picks one; the same rebuild there.
    ("evacuate", [(API, "cast", CONDUCTOR, "rebuild_instance"), (CONDUCTOR, "call", SCHEDULER, "select_destinations"),
                  (CONDUCTOR, "cast", COMPUTE, "rebuild_instance")], {"prep_resize"}, "LibvirtDriver.spawn"),
    ("resize", [(CONDUCTOR, "call", SCHEDULER, "select_destinations"), (CONDUCTOR, "cast", DEST, "prep_resize"),
                (DEST, "cast", SOURCE, "resize_instance"), (SOURCE, "cast", DEST, "finish_resize")],
     {"live_migration", "check_can_live_migrate_destination", "pre_live_migration"}, "LibvirtDriver.finish_migration"),
    ("live-migrate", [(API, "cast", CONDUCTOR, "live_migrate_instance"),
                      (CONDUCTOR, "call", DEST, "check_can_live_migrate_destination"),
                      (DEST, "call", SOURCE, "check_can_live_migrate_source"),
                      (CONDUCTOR, "cast", SOURCE, "live_migration"), (SOURCE, "call", DEST, "pre_live_migration"),
                      (SOURCE, "call", DEST, "post_live_migration_at_destination")],
     # The rollback is a recovery callback handed to the driver: the error path, as Nova's docs draw it.
     {"prep_resize", "resize_instance", "finish_resize", "rollback_live_migration_at_destination",
      "remove_volume_connection"}, "LibvirtDriver.live_migration"),
    ("shelve", [(API, "cast", COMPUTE, "shelve_instance")], set(), "LibvirtDriver.snapshot"),
    ("unshelve", [(API, "cast", CONDUCTOR, "unshelve_instance"), (CONDUCTOR, "call", SCHEDULER, "select_destinations"),
                  (CONDUCTOR, "cast", COMPUTE, "unshelve_instance")], set(), "LibvirtDriver.spawn"),
    ("snapshot", [(API, "cast", COMPUTE, "snapshot_instance")], set(), "LibvirtDriver.snapshot"),
    ("rescue", [(API, "cast", COMPUTE, "rescue_instance")], set(), "LibvirtDriver.rescue"),
    ("unrescue", [(API, "cast", COMPUTE, "unrescue_instance")], set(), "LibvirtDriver.unrescue"),
    ("resume", [(API, "cast", COMPUTE, "resume_instance")], set(), "LibvirtDriver.resume"),
    # compute/api.py confirm_resize casts to migration.source_compute; the cross-cell branch is refused by
    # its policy default (34.0.0; Ocata has none). Ocata's manager tells the schedulers nothing there.
    ("confirmResize", [(API, "cast", SOURCE, "confirm_resize")],
     {"confirm_snapshot_based_resize", "confirm_snapshot_based_resize_at_source"}, "LibvirtDriver.confirm_migration"),
    # revert_resize casts to migration.dest_compute, which casts finish_revert_resize back to the source.
    ("revertResize", [(API, "cast", DEST, "revert_resize"), (DEST, "cast", SOURCE, "finish_revert_resize")],
     {"revert_snapshot_based_resize", "revert_snapshot_based_resize_at_dest"}, "LibvirtDriver.finish_revert_migration"),
    # A resize to the same flavor: Ocata's migrate_server is a call, 34.0.0's a cast (do_cast=True).
    ("migrate", [(CONDUCTOR, "call", SCHEDULER, "select_destinations"), (CONDUCTOR, "cast", DEST, "prep_resize"),
                 (DEST, "cast", SOURCE, "resize_instance"), (SOURCE, "cast", DEST, "finish_resize")],
     {"live_migration", "prep_snapshot_based_resize_at_dest"}, "LibvirtDriver.migrate_disk_and_power_off"),
    ("shelveOffload", [(API, "cast", COMPUTE, "shelve_offload_instance"),
                       (COMPUTE, "cast", SCHEDULER, "delete_instance_info")], set(), "LibvirtDriver.destroy"),
    ("volume detach", [(API, "cast", COMPUTE, "detach_volume")], set(), "LibvirtDriver.detach_volume"),
    ("interface attach", [(API, "call", COMPUTE, "attach_interface")], set(), "LibvirtDriver.attach_interface"),
    ("interface detach", [(API, "cast", COMPUTE, "detach_interface")], set(), "LibvirtDriver.detach_interface"),
]


@pytest.fixture(scope="module")
def readings(real_release):
    """One Reading per release for the whole table, as the gallery reads every operation of a tree."""
    made = {}
    return lambda release: made.setdefault(release, Reading(real_release(release)))


@pytest.mark.parametrize("release", ["nova-ocata", "nova-current"])
@pytest.mark.parametrize("operation,expected,absent,driver", FLOWS, ids=[f[0] for f in FLOWS])
def test_operation_flows(readings, release, operation, expected, absent, driver):
    trace = trace_operation(readings(release), operation)
    hops = default_hops(trace)
    assert in_order(hops, expected), hops
    assert not absent & {method for _s, _k, _t, method in hops}
    # Cells v1 (Ocata) is off by default: no step of the default flow goes through it.
    assert not [h for h in hops if h[2] == "nova-cells"]
    if driver:
        assert driver in driver_calls(trace)


def test_volume_attach_moved_to_the_conductor(real_release):
    ocata = default_hops(trace_operation(real_release("nova-ocata"), "volume attach"))
    assert in_order(ocata, [(API, "call", COMPUTE, "reserve_block_device_name"), (API, "cast", COMPUTE, "attach_volume")])
    current = default_hops(trace_operation(real_release("nova-current"), "volume attach"))
    assert in_order(current, [(API, "cast", CONDUCTOR, "attach_volume"),
                              (CONDUCTOR, "call", COMPUTE, "reserve_block_device_name"),
                              (CONDUCTOR, "cast", COMPUTE, "attach_volume")])


def test_ocata_network_api_follows_use_neutron(real_release):
    path = real_release("nova-ocata")
    assert not [h for h in default_hops(trace_operation(path, "create_server")) if h[2] == "nova-network"]
    legacy = default_hops(trace_operation(path, Question("create_server", settings={"use_neutron": False})))
    assert (API, "call", "nova-network", "validate_networks") in legacy
    assert (COMPUTE, "call", "nova-network", "allocate_for_instance") in legacy


def test_resize_arguments_rule_out_the_live_branch(real_release):
    trace = trace_operation(real_release("nova-current"), "resize")
    hops = {h.method: h for h in trace.hops if h.default_path}
    # compute.api passes live=False, rebuild=False: only `flavor` is left of the conductor's test.
    assert hops["prep_resize"].condition == "flavor"
    assert hops["migrate_server"].kind == "cast"  # do_cast=True


def steps_of(trace):
    found, todo = [], [trace.root]
    while todo:
        step = todo.pop()
        found.append(step.function)
        todo += step.children
    return found


def test_depth_and_all_calls_widen_the_tree_not_the_flow(real_release):
    path = real_release("nova-current")
    pruned, wider, every = (trace_operation(path, Question("pause", depth=d)) for d in (0, 1, 12))
    assert "nova.compute.manager.ComputeManager._notify_about_instance_usage" not in steps_of(pruned)
    assert "nova.compute.manager.ComputeManager._notify_about_instance_usage" in steps_of(wider)
    assert len(steps_of(pruned)) < len(steps_of(wider)) < len(steps_of(every))
    assert default_hops(pruned) == default_hops(wider) == default_hops(every)


def test_hops_route_to_what_the_caller_passed(real_release):
    trace = trace_operation(real_release("nova-current"), "live-migrate")
    routes = {h.method: h.route for h in trace.hops}
    # LiveMigrationTask casts live_migration(host=self.source): the source compute host.
    assert routes["live_migration"] == "self.source"
    assert routes["pre_live_migration"] == "dest"


def test_cinder_volume_create_through_its_taskflow(real_release):
    # cinder-api builds a taskflow flow whose VolumeCastTask got the rpcapi clients as constructor
    # arguments from get_flow's caller: the cast to the scheduler is found through both.
    hops = default_hops(trace_operation(real_release("cinder-current"), "volume create"))
    assert in_order(hops, [("cinder-api", "cast", "cinder-scheduler", "create_volume"),
                           ("cinder-scheduler", "cast", "cinder-volume", "create_volume")])


def test_a_flow_read_back_from_the_cache_prints_as_worked_out(real_release, monkeypatch):
    from test_trace_cache import assert_cold_and_warm_print_the_same

    assert_cold_and_warm_print_the_same(real_release("nova-current"), None, monkeypatch)
