"""`stackread trace --diff` on real Nova: Ocata (15.1.5) against 34.0.0, each release traced once."""

import json

import pytest

from stackread.flows.flowdiff import diff_traces
from stackread.render import flowdiff as view
from stackread.flows.trace import trace_operation

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def diffs(real_release):
    old, new = real_release("nova-ocata"), real_release("nova-current")
    return {op: diff_traces(trace_operation(old, op), trace_operation(new, op))
            for op in ("create_server", "live-migrate")}


def changes(diff):
    """(status, source, target, method) -> the change; first one when a method is sent twice."""
    found = {}
    for c in diff.hops:
        found.setdefault((c.status, c.hop.source, c.hop.target, c.hop.method), c)
    return found


def test_create_server_loses_the_cells_v1_branch(diffs):
    diff = diffs["create_server"]
    found = changes(diff)
    # Ocata cast build_instances to the conductor under CONF.cells.enable; cells v1 is gone.
    removed = found[("removed", "nova-api", "nova-conductor", "build_instances")]
    assert not removed.old.default_path and "CONF.cells.enable" in removed.old.condition
    # schedule_and_build_instances is the same cast to the same endpoint, no longer guarded by cells.
    kept = found[("changed", "nova-api", "nova-conductor", "schedule_and_build_instances")]
    assert [f.field for f in kept.changes if f.field not in ("client_line", "endpoint_line")] == ["condition"]
    assert (kept.changed("condition").old, kept.changed("condition").new) == ("not (CONF.cells.enable)", None)
    assert kept.new.kind == "cast" and kept.new.endpoint.endswith("ComputeTaskManager.schedule_and_build_instances")
    # The build on the compute host: same cast, the code moved, and the chosen host is now a Selection.
    build = found[("changed", "nova-conductor", "nova-compute", "build_and_run_instance")]
    assert (build.changed("route").old, build.changed("route").new) == ("host['host']", "host.service_host")
    assert (build.old.endpoint_path, build.old.endpoint_line) == ("nova/compute/manager.py", 1705)
    assert (build.new.endpoint_path, build.new.endpoint_line) == ("nova/compute/manager.py", 2396)
    # The scheduler is asked on both sides (Ocata through its lazy-loading SchedulerClient).
    assert ("moved", "nova-conductor", "nova-scheduler", "select_destinations") in found
    assert not any(c.new is not None and c.new.target == "nova-network" for c in diff.hops)
    steps = {(c.status, c.step.function): c for c in diff.steps}
    entry = steps[("moved", "nova.api.openstack.compute.servers.ServersController.create")]
    assert (entry.old.line, entry.new.line) == (531, 717)


def test_live_migration_since_ocata(diffs):
    found = changes(diffs["live-migrate"])
    # post_live_migration_at_destination became a call in Ocata and stayed one.
    post = found[("moved", "nova-compute (source)", "nova-compute (dest)", "post_live_migration_at_destination")]
    assert post.old.kind == post.new.kind == "call"
    # The API still casts live_migrate_instance when async; the variable became async_ (Python 3.7).
    cast = found[("changed", "nova-api", "nova-conductor", "live_migrate_instance")]
    assert cast.new.kind == "cast" and (cast.changed("condition").old, cast.changed("condition").new) == (
        "async", "async_")
    assert ("moved", "nova-conductor", "nova-compute (source)", "live_migration") in found
    # nova-consoleauth was removed (Train): its token cleanup hop with it.
    assert ("removed", "nova-compute (source)", "nova-consoleauth", "delete_tokens_for_instance") in found
    migrate = [c for c in diffs["live-migrate"].hops if c.hop.method == "migrate_server" and c.old is not None]
    assert [(c.old.kind, c.new.kind) for c in migrate] == [("call", "call")]


def test_renderings_of_a_real_diff(diffs):
    diff = diffs["create_server"]
    text = "\n".join(str(r) for r in view.render(diff))
    assert "- nova-api =cast=> nova-conductor  build_instances" in text
    assert "nova/compute/manager.py:1705 -> nova/compute/manager.py:2396" in text
    data = json.loads(json.dumps(view.to_json(diff)))
    assert data["summary"]["hops"]["removed"] == sum(1 for h in data["hops"] if h["status"] == "removed") > 0
    mermaid = view.to_mermaid(diff).splitlines()
    removed = next(line for line in mermaid if "build_instances" in line and "schedule" not in line)
    assert "-x" in removed and mermaid[mermaid.index(removed) - 1] == "    rect rgb(250, 205, 205)"
