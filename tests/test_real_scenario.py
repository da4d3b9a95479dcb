"""The default scenario on real Nova (flows/scenario.py): the newest microversion, the policy defaults
in code and the plain instance decide branches a reader decides, on Ocata (15.1.5) and current Nova."""

import pytest

from stackread.flows.gallery import TreeTracer
from stackread.flows.question import Question
from stackread.flows.reading import Reading

pytestmark = pytest.mark.real


@pytest.fixture(scope="module", autouse=True)
def _tracers():
    yield
    for tracer in _TRACERS.values():
        tracer.__exit__(None, None, None)
    _TRACERS.clear()


_TRACERS: dict = {}


def hops(path, operation, **scenario):
    """The hops of an operation (one program per tree and scenario, as the gallery builds it)."""
    key = (str(path), tuple(sorted(scenario.items())))
    if key not in _TRACERS:
        _TRACERS[key] = TreeTracer(Reading(path), Question("", scenario=scenario))
    trace = _TRACERS[key].trace_named(operation)
    return {(h.source, h.target, h.method): h for h in trace.hops if not h.error_path}, trace


def default(found):
    return {key for key, hop in found.items() if hop.default_path}


@pytest.mark.parametrize("release, newest", [("nova-current", "2.104"), ("nova-ocata", "2.42")])
def test_live_migration_is_async_at_the_newest_microversion(real_release, release, newest):
    path = real_release(release)
    found, trace = hops(path, "live-migrate")
    cast, call = ("nova-api", "nova-conductor", "live_migrate_instance"), ("nova-api", "nova-conductor", "migrate_server")
    assert cast in default(found) and call in found and call not in default(found)
    assert found[cast].assumed == [f"microversion {newest} (the newest)"]
    assert f"microversion {newest} (the newest)" in trace.notes[-1]
    older, _trace = hops(path, "live-migrate", microversion="2.25")
    assert call in default(older) and cast not in default(older)


def test_cross_cell_resize_is_refused_by_its_policy_default(real_release):
    path = real_release("nova-current")
    cross = {"prep_snapshot_based_resize_at_dest", "prep_snapshot_based_resize_at_source",
             "finish_snapshot_based_resize_at_dest"}
    for operation in ("resize", "migrate"):
        found, _trace = hops(path, operation)
        assert cross <= {m for _s, _t, m in found} and not cross & {m for _s, _t, m in default(found)}
        assert ("nova-conductor", "nova-compute (dest)", "prep_resize") in default(found)
    for operation, method in (("confirm-resize", "confirm_snapshot_based_resize"),
                              ("revert-resize", "revert_snapshot_based_resize")):
        found, _trace = hops(path, operation)
        assert ("nova-api", "nova-conductor", method) in found
        assert ("nova-api", "nova-conductor", method) not in default(found)
        assert "policy compute:servers:resize:cross_cell = '!'" in found["nova-api", "nova-conductor", method].assumed[0]
    allowed, _trace = hops(path, "resize", **{"policy.compute:servers:resize:cross_cell": "@"})
    assert cross <= {m for _s, _t, m in default(allowed)}


@pytest.mark.parametrize("release", ["nova-current", "nova-ocata"])
def test_the_plain_instance_is_image_backed_active_with_no_pending_resize(real_release, release):
    path = real_release(release)
    off = {"snapshot": ("nova-api", "nova-compute", "quiesce_instance"),
           "shelve": ("nova-api", "nova-compute", "shelve_offload_instance"),
           "unshelve": ("nova-conductor", "nova-compute", "start_instance"),
           # a pending resize is confirmed on its source: confirm_resize(..., migration.source_compute)
           "delete": ("nova-api", "nova-compute (source)", "confirm_resize")}
    on = {"snapshot": ("nova-api", "nova-compute", "snapshot_instance"),
          "shelve": ("nova-api", "nova-compute", "shelve_instance"),
          "unshelve": ("nova-conductor", "nova-compute", "unshelve_instance"),
          "delete": ("nova-api", "nova-compute", "terminate_instance")}
    for operation in off:
        found, _trace = hops(path, operation)
        assert off[operation] in found and off[operation] not in default(found), operation
        assert on[operation] in default(found), operation
    volume, _trace = hops(path, "snapshot", **{"assume.is_volume_backed_instance": "true"})
    assert ("nova-api", "nova-compute", "quiesce_instance") in default(volume)


@pytest.mark.parametrize("release", ["nova-current", "nova-ocata"])
def test_what_the_scenario_decides_and_what_it_leaves_open(real_release, release):
    path = real_release(release)
    # conductor migrate_server's `elif not live and not rebuild and flavor:` (compute/api.py resize passes
    # the new flavor, or the instance's own for a migrate): decided, so the resize is not a branch.
    for operation in ("resize", "migrate"):
        found, _trace = hops(path, operation)
        prep = found["nova-conductor", "nova-compute (dest)", "prep_resize"]
        assert prep.default_path and not prep.open, operation
        assert "flavor is set: the request's flavor, or the instance's own" in prep.assumed
        assert not found["nova-compute (dest)", "nova-compute (source)", "resize_instance"].open
    # rebuild passes host=instance.host, or None when the image changes (compute/api.py): the scheduler
    # is asked only on that branch, which the scenario cannot decide.
    found, trace = hops(path, "rebuild")
    select = found["nova-conductor", "nova-scheduler", "select_destinations"]
    assert select.default_path and select.open
    assert not found["nova-conductor", "nova-compute", "rebuild_instance"].open
    # restore casts only `if instance.host:`; the plain instance runs on a host.
    found, _trace = hops(path, "restore")
    restore = found["nova-api", "nova-compute", "restore_instance"]
    assert restore.default_path and not restore.open
    assert restore.assumed == ["instance.host is set: the instance runs on a compute host"]


def test_the_plain_delete_is_decided_on_current_nova(real_release):
    # compute/api.py _delete: `is_local_delete = True`, then (instance.host set) `not service_is_up(service)`,
    # `original_task_state in (task_states.DELETING, ...)` with no task under way, and _do_delete's
    # `if local:` with local=False: terminate_instance is the default, not a branch; the local delete is off.
    found, trace = hops(real_release("nova-current"), "delete")
    terminate = found["nova-api", "nova-compute", "terminate_instance"]
    assert terminate.default_path and not terminate.open
    assert {"service_is_up = True: the compute service the instance is on is up",
            "instance.task_state = None: no task is under way on the instance"} <= set(terminate.assumed)
    assert not found["nova-compute", "nova-scheduler", "delete_instance_info"].open
    assert "is set: the instance runs on a compute host" in trace.notes[-1]


@pytest.mark.parametrize("release", ["nova-current", "nova-ocata"])
def test_the_plain_reboot_is_soft(real_release, release):
    # servers.py `reboot_type = body['reboot']['type'].upper()` (the request must say which), then
    # compute/api.py reboot: `if reboot_type == 'SOFT': self._soft_reboot(...)` else _hard_reboot; both
    # cast reboot_instance. The plain reboot is the clients' default, a soft one.
    _found, trace = hops(real_release(release), "reboot")
    sends = [h for h in trace.hops if h.method == "reboot_instance"]
    assert [(h.default_path, h.open) for h in sends] == [(True, False), (False, False)]
    assert sends[0].assumed == ["reboot_type = 'SOFT': a soft reboot, as the clients ask by default"]
    hard, _trace = hops(real_release(release), "reboot", **{"assume.reboot_type": "HARD"})
    assert [h.default_path for h in _trace.hops if h.method == "reboot_instance"] == [False, True]
