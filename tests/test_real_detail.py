"""The levels of detail on real Nova 34.0.0: what `hops` and `story` keep of create server, resize and
live migration (each hop checked against nova/*/rpcapi.py and the managers), and that the story's
sequence diagram fits a page: 1,200 px high when drawn 1,100 px wide."""

import re

import pytest

from stackread.flows.detail import at_level
from stackread.flows.flow import in_flow_order
from stackread.flows.trace import trace_operation
from stackread.render.diagram import Choice, render

pytestmark = pytest.mark.real

OPERATIONS = ("create_server", "resize", "live-migrate")


@pytest.fixture(scope="module")
def flows(real_release):
    nova = real_release("nova-current")
    return {op: trace_operation(nova, op) for op in OPERATIONS}


def tree(step, depth=0):
    """(depth, kind, what) of every step below, depth first: a hop by its method, else the method."""
    out = []
    for child in step.children:
        if child.error_path:
            continue
        what = child.hop.method if child.kind == "hop" else child.function.rsplit(".", 1)[-1]
        out.append((depth, child.kind, child.service or what))
        out += tree(child, depth + 1)
    return out


def hops_of(trace):
    return [(h.source, h.kind, h.target, h.method) for h in in_flow_order(trace.root) if not h.error_path]


CREATE_HOPS = [
    ("nova-api", "cast", "nova-conductor", "schedule_and_build_instances"),  # conductor/rpcapi.py:416
    ("nova-conductor", "call", "nova-scheduler", "select_destinations"),  # scheduler/rpcapi.py:160
    ("nova-conductor", "cast", "nova-compute", "build_and_run_instance"),  # compute/rpcapi.py:1704
    ("nova-compute", "cast", "nova-scheduler", "update_instance_info"),  # scheduler/rpcapi.py:174, fanout
]


def test_every_level_has_the_same_hops_in_the_same_order(flows):
    assert hops_of(flows["create_server"]) == CREATE_HOPS
    for trace in flows.values():
        for level in ("hops", "story"):
            assert hops_of(at_level(trace, level)) == hops_of(trace), (trace.operation, level)


def test_hops_of_create_server_nest_as_the_processes_send_them(flows):
    assert tree(at_level(flows["create_server"], "hops").root) == [
        (0, "hop", "schedule_and_build_instances"),  # -> ComputeTaskManager.schedule_and_build_instances manager.py:1675
        (1, "hop", "select_destinations"),  # -> SchedulerManager.select_destinations manager.py:188
        (1, "hop", "build_and_run_instance"),  # -> ComputeManager.build_and_run_instance manager.py:2396
        (2, "hop", "update_instance_info"),  # -> SchedulerManager.update_instance_info manager.py:819
    ]


def test_story_of_create_server(flows):
    assert tree(at_level(flows["create_server"], "story").root) == [
        # Cinder first at get_bdm_image_metadata(context, self.image_api, self.volume_api, ...) (compute/api.py:1747,
        # booting from a volume: no image_href), which calls the volume API it is handed (block_device.py:645).
        (0, "service", "glance"), (0, "service", "cinder"), (0, "service", "neutron"), (0, "service", "placement"),
        (0, "hop", "schedule_and_build_instances"),
        # The scheduler's request filters (process_reqspec iterates ALL_REQUEST_FILTERS): the
        # remote-managed ports filter asks Neutron (request_filter.py:408), then Placement.
        (1, "hop", "select_destinations"), (2, "service", "neutron"), (2, "service", "placement"),
        (1, "service", "placement"),  # the quota recheck
        (1, "hop", "build_and_run_instance"),
        (2, "service", "placement"), (2, "service", "neutron"), (2, "service", "cinder"),
        (2, "driver", "spawn"),  # through _do_build_and_run_instance and _build_and_run_instance
        (2, "hop", "update_instance_info"),
    ]


def drivers(trace):
    return [what for _depth, kind, what in tree(at_level(trace, "story").root) if kind == "driver"]


def test_story_drivers_of_resize_and_live_migration(flows):
    # resize_instance -> _resize_instance -> migrate_disk_and_power_off (manager.py:6331, 6346);
    # finish_resize -> _finish_resize_helper -> _finish_resize -> finish_migration (6646, 6680, 6509).
    assert drivers(flows["resize"]) == ["destroy", "spawn", "migrate_disk_and_power_off", "finish_migration"]
    assert drivers(flows["live-migrate"]) == [
        "check_can_live_migrate_destination", "check_can_live_migrate_source", "check_source_migrate_data_at_dest",
        "cleanup_live_migration_destination_check", "pre_live_migration",
        # The clean-up the driver calls back as post_method when the migration is done (handing.py).
        "live_migration", "post_live_migration", "post_live_migration_at_source", "cleanup",
        "post_live_migration_at_destination"]


def test_story_has_each_service_once_per_process(flows):
    for trace in flows.values():
        story = at_level(trace, "story")
        seen = [(s.process, s.service) for s in _steps(story.root) if s.kind == "service"]
        assert len(seen) == len(set(seen)), trace.operation
        steps = [s for s in _steps(trace.root) if s.kind == "service" and not s.error_path]
        assert sum(len(s.calls) for s in _steps(story.root) if s.kind == "service") == len(steps)


def _steps(step):
    for child in step.children:
        if not child.error_path:
            yield child
            yield from _steps(child)


def _size(svg: bytes) -> tuple[float, float, int]:
    text = svg.decode()
    width, height = (float(v) for v in re.search(r'<svg[^>]*width="([\d.]+)"[^>]*height="([\d.]+)"', text).groups())
    return width, height, len(re.findall(r'class="message ', text))


@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_story_diagram_fits_a_page_and_says_less_than_the_steps(flows, operation):
    trace = flows[operation]
    story = _size(render(at_level(trace, "story"), Choice("svg", "sequence")))
    steps = _size(render(trace, Choice("svg", "sequence")))
    assert story[1] * 1100 / story[0] <= 1200, story  # its height, drawn 1,100 px wide
    assert story[2] < steps[2] * 0.6, (story, steps)
