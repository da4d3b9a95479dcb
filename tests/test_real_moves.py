"""A move's two hosts on real Nova (flows/hosts.py): each hop checked by hand against
nova/compute/rpcapi.py and its callers in 15.1.5 and 34.0.0."""

import pytest

from stackread.flows.gallery import TreeTracer
from stackread.flows.question import Question
from stackread.flows.reading import Reading

pytestmark = pytest.mark.real

API, CONDUCTOR, COMPUTE = "nova-api", "nova-conductor", "nova-compute"
SOURCE, DEST = "nova-compute (source)", "nova-compute (dest)"
_TRACERS: dict = {}


@pytest.fixture(scope="module", autouse=True)
def _tracers():
    yield
    for tracer in _TRACERS.values():
        tracer.__exit__(None, None, None)
    _TRACERS.clear()


def default_hops(path, operation):
    if str(path) not in _TRACERS:
        _TRACERS[str(path)] = TreeTracer(Reading(path), Question(""))
    trace = _TRACERS[str(path)].trace_named(operation)
    return [(h.source, h.target, h.method, h.role) for h in trace.hops if h.default_path], trace


# (operation, default hops to compute with their role). Where the route comes from, by hand:
# prep_resize: prepare(server=host), the conductor's host chosen by the scheduler: another host
# than the instance's in a move, the destination; resize_instance: _compute_host(None, instance),
# the instance's host, still the source; finish_resize: host, passed migration.dest_compute;
# check_can_live_migrate_destination: server=destination; check_can_live_migrate_source:
# source = _compute_host(None, instance); live_migration: server=host, passed host=self.source;
# pre_live_migration and post_live_migration_at_destination: host, passed dest; confirm_resize:
# _compute_host(host, instance), passed migration.source_compute; revert_resize: passed
# migration.dest_compute; check_instance_shared_storage: _compute_host(host, instance), passed
# host=migration.source_compute by _is_instance_storage_shared; finish_revert_resize:
# migration.source_compute.
MOVES = {
    "resize": [(CONDUCTOR, DEST, "prep_resize", "dest"), (DEST, SOURCE, "resize_instance", "source"),
               (SOURCE, DEST, "finish_resize", "dest")],
    "migrate": [(CONDUCTOR, DEST, "prep_resize", "dest"), (DEST, SOURCE, "resize_instance", "source"),
                (SOURCE, DEST, "finish_resize", "dest")],
    "live-migrate": [(CONDUCTOR, DEST, "check_can_live_migrate_destination", "dest"),
                     (DEST, SOURCE, "check_can_live_migrate_source", "source"),
                     (CONDUCTOR, SOURCE, "live_migration", "source"),
                     (SOURCE, DEST, "pre_live_migration", "dest"),
                     (SOURCE, DEST, "post_live_migration_at_destination", "dest")],
    "confirm-resize": [(API, SOURCE, "confirm_resize", "source")],
    "revert-resize": [(API, DEST, "revert_resize", "dest"),
                      (DEST, SOURCE, "check_instance_shared_storage", "source"),
                      (DEST, SOURCE, "finish_revert_resize", "source")],
    # No move: the plain name.
    "create_server": [(CONDUCTOR, COMPUTE, "build_and_run_instance", None)],
    "delete": [(API, COMPUTE, "terminate_instance", None)],
}


@pytest.mark.parametrize("release", ["nova-ocata", "nova-current"])
@pytest.mark.parametrize("operation", list(MOVES))
def test_a_move_reaches_its_source_and_its_destination(real_release, release, operation):
    hops, _trace = default_hops(real_release(release), operation)
    # Ocata's _delete calls its callback in two places (first in a cells v1 API cell, `if self.cell_type ==
    # 'api':`, then on the plain path): the same hop from each; which one runs the scenario leaves open.
    compute = list(dict.fromkeys(h for h in hops if h[1].startswith(COMPUTE)))
    assert compute == MOVES[operation], hops


def test_each_host_is_a_lifeline_and_a_cluster_of_its_own(real_release):
    from stackread.render.flow import sequence
    from stackread.render.sequence_text import to_mermaid
    from stackread.render.trace_graph import to_dot

    _hops, trace = default_hops(real_release("nova-current"), "resize")
    text = to_mermaid(sequence(trace))
    assert "as nova-compute (dest)" in text and "as nova-compute (source)" in text
    dot = to_dot(trace)
    assert 'label="nova-compute (dest)"' in dot and 'label="nova-compute (source)"' in dot
    steps = [trace.root]
    processes = set()
    while steps:
        step = steps.pop()
        processes.add(step.process)
        steps.extend(step.children)
    assert {SOURCE, DEST} <= processes and COMPUTE not in processes


def find(step, suffix):
    todo = [step]
    while todo:
        step = todo.pop()
        if step.function.endswith(suffix) and not step.seen_above:
            return step
        todo += step.children
    return None


# Live migration hands the driver what to run when the migration is done (post_method) and when it
# fails (recover_method); LibvirtDriver calls them from its monitor (hand-checked lines).
CALLBACKS = {
    "nova-current": ("ComputeManager._post_live_migration_update_host", "driver.py:11855",
                     "driver.py:11863"),
    "nova-ocata": ("ComputeManager._post_live_migration", "driver.py:6615", "driver.py:6624"),
}


@pytest.mark.parametrize("release", list(CALLBACKS))
def test_live_migration_cleans_up_where_the_driver_calls_it_back(real_release, release):
    post, post_line, recover_line = CALLBACKS[release]
    _hops, trace = default_hops(real_release(release), "live-migrate")
    do = find(trace.root, "ComputeManager._do_live_migration")
    driver = next(c for c in do.children if c.function.endswith(".LibvirtDriver.live_migration"))
    assert driver.kind == "driver"
    assert not any(c.function.endswith(post) for c in do.children)  # not where it is made or handed over
    called = {c.function.rpartition(".")[2]: c for c in driver.children}
    cleanup = called[post.rpartition(".")[2]]
    assert cleanup.callback == f"called back as post_method at nova/virt/libvirt/{post_line}"
    assert cleanup.default_path
    assert find(cleanup, "ComputeAPI.post_live_migration_at_destination") is not None
    rollback = called["_rollback_live_migration"]
    assert rollback.error_path
    assert rollback.callback == f"called back as recover_method at nova/virt/libvirt/{recover_line}"
