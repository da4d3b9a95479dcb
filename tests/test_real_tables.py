"""Tables of real releases read at 100 and 80 columns: no name or path from the data is cut in two.

A line break inside `add_fixed_ip_to_instance` or `nova/compute/manager.py:6923` leaves a
reader nothing to copy; every such string must appear whole on one line of the output.
"""

import io

import pytest
from rich.console import Console

from stackread.flows.operations import find_operation
from stackread.flows.routes import find_routes
from stackread.render import routes as routes_view
from stackread.render import rpc as rpc_view

pytestmark = pytest.mark.real

WIDTHS = (100, 80)


def rendered(renderables, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, highlight=False, soft_wrap=False, color_system=None)
    for renderable in renderables:
        console.print(renderable)
    return console.file.getvalue()


def split(text: str, words) -> list[str]:
    """The words that appear on no single line of `text`, of those a line of it could hold (one
    of Cinder's plugin targets is 82 characters long: at 80 columns it has to fold)."""
    lines = text.splitlines()
    width = max(map(len, lines))
    return sorted({w for w in words if w and len(w) <= width and not any(w in line for line in lines)})


@pytest.fixture(scope="module", params=["nova-current", "cinder-current"])
def key(request):
    return request.param


@pytest.fixture(scope="module")
def release(key, real_release):
    return real_release(key)


# Each report is worked out once and rendered at every width: the tests are about the rendering.
@pytest.fixture(scope="module")
def rpc_report(key, real_rpc):
    return real_rpc(key)


@pytest.fixture(scope="module")
def routes_report(release):
    return find_routes(str(release), None)


@pytest.fixture(scope="module")
def entrypoints_report(release):
    from stackread.flows.entrypoints import find_entrypoints

    return find_entrypoints(str(release), None)


@pytest.fixture(scope="module")
def nova_traces(real_release):
    from stackread.flows.trace import trace_operation

    return {op: trace_operation(real_release("nova-current"), op) for op in ("create_server", "resize", "live-migrate")}


@pytest.mark.parametrize("width", WIDTHS)
def test_rpc_methods_and_locations_stay_whole(rpc_report, width):
    report = rpc_report
    text = rendered(rpc_view.render(report), width)
    words = {s.method for s in report.sends}
    words |= {f"{s.client_path}:{s.client_line}" for s in report.matched}
    words |= {f"{s.endpoint_path}:{s.endpoint_line}" for s in report.matched}
    words |= {f"{path}:{line}" for _e, _m, path, line in report.unsent}
    assert len(words) > 20
    assert split(text, words) == []
    assert max(map(len, text.splitlines())) <= width


def test_a_per_host_topic_reads_as_where_the_route_leads_at_100_columns(real_rpc):
    # Ironic's hash ring: the route and the per-host topic it leads to, stacked on one line.
    text = rendered(rpc_view.render(real_rpc("ironic-current")), 100)
    line = next(line for line in text.splitlines() if line.startswith("create_node "))
    assert line.split(None, 2)[2] == "host in topic → topic ironic.conductor_manager.<host>"


@pytest.mark.parametrize("width", WIDTHS)
def test_route_paths_and_controllers_stay_whole(routes_report, width):
    report = routes_report
    text = rendered(routes_view.render(report), width)
    words = {r.path for r in report.routes} | {r.controller.rpartition(".")[2] for r in report.routes if r.controller}
    assert len(words) > 20
    assert split(text, words) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_routes_find_keeps_the_full_controller_path_whole(real_release, width):
    report = find_routes(str(real_release("nova-current")), None)
    lookup = find_operation(report.routes, "attach volume")
    text = rendered(routes_view.render_lookup(lookup), width)
    assert split(text, {"/servers/{server_id}/os-volume_attachments", "VolumeAttachmentController.create",
                        "nova/api/openstack/compute/volume_attachments.py:205"}) == []


def test_a_table_too_narrow_for_its_words_is_stacked_and_a_wide_one_is_kept():
    from stackread.render.tables import Fitted

    fitted = Fitted(("method", "where"), (("add_fixed_ip_to_instance", "nova/compute/manager.py:6923"),
                                          ("reboot", "nova/compute/manager.py:11722")), ((0,), (1,)))
    wide = rendered([fitted], 100)
    assert "method" in wide.splitlines()[0] and "add_fixed_ip_to_instance   nova/compute/manager.py:6923" in wide
    narrow = rendered([fitted], 42)
    assert "add_fixed_ip_to_instance" in narrow.splitlines()
    assert "    where   nova/compute/manager.py:11722" in narrow.splitlines()
    assert max(map(len, narrow.splitlines())) <= 42


def test_a_stacked_line_too_long_goes_on_under_its_value_not_at_column_zero():
    from stackread.render.tables import Fitted

    sender = "DhcpAgentNotifyAPI._schedule_network neutron/api/rpc/agentnotifiers/dhcp_rpc_agent_api.py:135"
    fitted = Fitted(("method", "sent from"), (("network_create_end", sender),), ((0,), (1,)))
    lines = rendered([fitted], 72).splitlines()
    assert lines[1] == "    sent from  DhcpAgentNotifyAPI._schedule_network"
    assert lines[2] == "               neutron/api/rpc/agentnotifiers/dhcp_rpc_agent_api.py:135"


@pytest.mark.parametrize("width", WIDTHS)
def test_entrypoint_plugins_targets_and_files_stay_whole(entrypoints_report, width):
    from stackread.render import entrypoints as view

    report = entrypoints_report
    text = rendered(view.render(report, show_plugins=True), width)
    words = {ep.target for ep in report.entrypoints if ep.kind == "plugin"}
    words |= {f"{ep.path}:{ep.line}" for ep in report.entrypoints if ep.path}
    assert len(words) > 10
    assert split(text, words) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_trace_trees_keep_every_identifier_whole(nova_traces, width):
    """Deep in a trace at 80 columns a name has little room: the guides narrow and lines break
    between words or after a dot, never inside an identifier (`get_usages_counts_for_limits`)."""
    from stackread.render import trace as trace_view

    for operation, trace in nova_traces.items():
        text = rendered(trace_view.render(trace), width)
        words: set[str] = set()
        stack = [trace.root]
        while stack:
            step = stack.pop()
            stack += [c for c in step.children if not c.error_path]  # the error path is shown on demand
            words |= set(step.function.split(".")[-2:]) | {f"{step.path.rpartition('/')[2]}:{step.line}"}
        words |= {h.method for h in trace.hops if not h.error_path}
        assert len(words) > 40
        assert split(text, words) == [], operation
        assert max(map(len, text.splitlines())) <= width, operation
