"""`stackread trace OPERATION --diff OTHER`: one operation's flow compared between two versions."""

import json
import shutil
import subprocess
import sys

import git
import pytest
from click.testing import CliRunner

from conftest import write_tree
from stackread.cli import cli
from stackread.flows.flowdiff import diff_traces
from stackread.frameworks.rest.routes_mapper import Route
from stackread.flows.flow import Hop, Step, Trace

# -- hand-made traces: the matching rules ----------------------------------------------------------


def hop(source, target, method, kind="cast", *, endpoint=None, client=None, line=10, default=True, error=False,
        condition=None):
    cls = {"nova-conductor": "nova.conductor.manager.ComputeTaskManager",
           "nova-compute": "nova.compute.manager.ComputeManager",
           "nova-scheduler": "nova.scheduler.manager.SchedulerManager"}.get(target, f"nova.{target}.Manager")
    return Hop(source, target, method, kind, False, client or f"nova.{target}.rpcapi.API.{method}", "rpcapi.py",
               line, endpoint or f"{cls}.{method}", "manager.py", line, None, condition, default, error)


def trace_of(*hops, steps=()):
    """A trace whose tree is the entry, then each hop's endpoint step (with its condition) in turn."""
    root = Step("nova.api.openstack.compute.servers.ServersController.create", "servers.py", 1, "nova-api", "entry")
    root.children = list(steps)
    for h in hops:
        step = Step(h.endpoint, "manager.py", h.endpoint_line, h.target, "hop", condition=h.condition,
                    error_path=h.error_path, default_path=h.default_path, hop=h)
        root.children.append(step)
    entry = Route("POST", "/servers", None, root.function, "servers.py", 1, None, None, "routes.py", 1)
    return Trace("create_server", entry, "tree", None, root, list(hops), {})


def summary(diff):
    return [(c.status, c.hop.source, c.hop.target, c.hop.method) for c in diff.hops]


def test_cast_becoming_call_is_a_change_and_a_moved_endpoint_only_moved():
    old = trace_of(hop("nova-compute", "nova-compute", "post_live_migration_at_destination", "cast"),
                   hop("nova-conductor", "nova-compute", "live_migration", line=10))
    new = trace_of(hop("nova-compute", "nova-compute", "post_live_migration_at_destination", "call"),
                   hop("nova-conductor", "nova-compute", "live_migration", line=99))
    diff = diff_traces(old, new)
    assert summary(diff) == [("changed", "nova-compute", "nova-compute", "post_live_migration_at_destination"),
                             ("moved", "nova-conductor", "nova-compute", "live_migration")]
    kind = diff.hops[0].changed("kind")
    assert (kind.old, kind.new) == ("cast", "call")
    moved = diff.hops[1].changed("endpoint_line")
    assert (moved.old, moved.new) == (10, 99) and diff.hops[1].changed("kind") is None


def test_a_replaced_method_of_the_same_endpoint_class_is_a_rename():
    old = trace_of(hop("nova-api", "nova-conductor", "build_instances"),
                   hop("nova-conductor", "nova-compute", "build_and_run_instance"))
    new = trace_of(hop("nova-api", "nova-conductor", "schedule_and_build_instances"),
                   hop("nova-conductor", "nova-scheduler", "select_destinations", "call"),
                   hop("nova-conductor", "nova-compute", "build_and_run_instance"))
    diff = diff_traces(old, new)
    assert summary(diff) == [("renamed", "nova-api", "nova-conductor", "schedule_and_build_instances"),
                             ("added", "nova-conductor", "nova-scheduler", "select_destinations"),
                             ("same", "nova-conductor", "nova-compute", "build_and_run_instance")]
    assert diff.hops[0].old.method == "build_instances"
    # Another endpoint class between the same processes is no rename: removed and added.
    other = trace_of(hop("nova-api", "nova-conductor", "schedule_and_build_instances",
                         endpoint="nova.conductor.manager.ConductorManager.schedule_and_build_instances"))
    statuses = sorted(c.status for c in diff_traces(old, other).hops)
    assert statuses == ["added", "removed", "removed"]


def test_removed_hops_stay_where_the_old_flow_had_them():
    a, b, c = (hop("nova-api", "nova-conductor", "one"), hop("nova-conductor", "nova-network", "two", "call"),
               hop("nova-conductor", "nova-compute", "three"))
    diff = diff_traces(trace_of(a, b, c), trace_of(hop("nova-api", "nova-conductor", "one"),
                                                    hop("nova-conductor", "nova-compute", "three")))
    assert [(s, m) for s, _f, _t, m in summary(diff)] == [("same", "one"), ("removed", "two"), ("same", "three")]


def test_a_method_sent_both_ways_pairs_by_kind():
    old = trace_of(hop("nova-api", "nova-conductor", "migrate_server", "call", condition="not async"))
    new = trace_of(hop("nova-api", "nova-conductor", "migrate_server", "cast", condition="do_cast"),
                   hop("nova-api", "nova-conductor", "migrate_server", "call", condition="not async"))
    assert [(c.status, c.hop.kind) for c in diff_traces(old, new).hops] == [("added", "cast"), ("same", "call")]


def test_conditions_and_the_error_path():
    old = trace_of(hop("nova-api", "nova-conductor", "build_instances"),
                   hop("nova-compute", "nova-conductor", "reschedule", error=True),
                   hop("nova-compute", "nova-scheduler", "update_instance_info", error=True))
    new = trace_of(hop("nova-api", "nova-conductor", "build_instances", default=False, condition="CONF.cells.enable"),
                   hop("nova-compute", "nova-conductor", "reschedule", error=True, line=50))
    diff = diff_traces(old, new)
    # Error-path hops are left out, unless they come onto or leave the error path.
    assert summary(diff) == [("changed", "nova-api", "nova-conductor", "build_instances")]
    change = diff.hops[0]
    assert change.changed("default_path").new is False
    assert (change.changed("condition").old, change.changed("condition").new) == (None, "CONF.cells.enable")
    with_errors = diff_traces(old, new, errors=True)
    assert [c.status for c in with_errors.hops] == ["changed", "moved", "removed"]


def test_steps_moved_renamed_module_added_and_removed():
    def step(function, path, line, kind="call", **kw):
        return Step(function, path, line, "nova-api", kind, **kw)

    old = trace_of(steps=[step("nova.compute.api.API.create", "nova/compute/api.py", 1584),
                          step("nova.network.neutronv2.api.API.validate_networks", "nova/network/neutronv2/api.py", 1660),
                          step("nova.compute.cells_api.ComputeCellsAPI.create", "nova/compute/cells_api.py", 194),
                          step("nova.compute.api.API._cleanup", "nova/compute/api.py", 9, error_path=True)])
    new = trace_of(steps=[step("nova.compute.api.API.create", "nova/compute/api.py", 2246),
                          step("nova.network.neutron.API.validate_networks", "nova/network/neutron.py", 2680),
                          step("nova.limit.placement.enforce_num_instances_and_resources", "nova/limit/placement.py", 152)])
    diff = diff_traces(old, new)
    found = {(c.status, c.step.function): c for c in diff.steps}
    assert set(found) == {("removed", "nova.compute.cells_api.ComputeCellsAPI.create"),
                          ("added", "nova.limit.placement.enforce_num_instances_and_resources"),
                          ("moved", "nova.compute.api.API.create"),
                          ("moved", "nova.network.neutron.API.validate_networks")}
    moved = found[("moved", "nova.network.neutron.API.validate_networks")]
    assert (moved.old.path, moved.old.line, moved.new.path, moved.new.line) == (
        "nova/network/neutronv2/api.py", 1660, "nova/network/neutron.py", 2680)
    assert ("removed", "nova.compute.api.API._cleanup") in {(c.status, c.step.function)
                                                           for c in diff_traces(old, new, errors=True).steps}


# -- a small git repository: both sides read from the object store ----------------------------------

MINI = {
    "setup.cfg": "[metadata]\nname = nova\n[entry_points]\nconsole_scripts =\n"
                 "    nova-api = nova.cmd.api:main\n"
                 "    nova-compute = nova.cmd.compute:main\n    nova-conductor = nova.cmd.conductor:main\n",
    "nova/__init__.py": "",
    "nova/service.py": """
        SERVICE_MANAGERS = {
            'nova-compute': 'nova.compute.manager.ComputeManager',
            'nova-conductor': 'nova.conductor.manager.ConductorManager',
        }


        class Service(object):
            @classmethod
            def create(cls, binary=None, topic=None, manager=None):
                if not manager:
                    manager = SERVICE_MANAGERS.get(binary)
                return cls(binary, topic, manager)
        """,
    "nova/rpc.py": """
        import oslo_messaging as messaging

        def get_client(target, version_cap=None):
            return messaging.get_rpc_client(None, target, version_cap=version_cap)
        """,
    "nova/manager.py": """
        class Manager(object):
            def __init__(self):
                self.additional_endpoints = []
        """,
    "nova/cmd/__init__.py": "",
    "nova/cmd/api.py": "def main():\n    pass\n",
    "nova/cmd/compute.py": """
        from nova.compute import rpcapi
        from nova import service

        def main():
            service.Service.create(binary='nova-compute', topic=rpcapi.RPC_TOPIC)
        """,
    "nova/cmd/conductor.py": """
        from nova.conductor import rpcapi
        from nova import service

        def main():
            service.Service.create(binary='nova-conductor', topic=rpcapi.RPC_TOPIC)
        """,
    "nova/api/__init__.py": "",
    "nova/api/openstack/__init__.py": "",
    "nova/api/openstack/wsgi.py": """
        class Controller(object):
            pass


        class Resource(object):
            def __init__(self, controller):
                self.controller = controller
        """,
    "nova/api/openstack/compute/__init__.py": "",
    "nova/api/openstack/compute/servers.py": """
        from nova.api.openstack import wsgi
        from nova.conductor import rpcapi as conductor_rpcapi


        class ServersController(wsgi.Controller):
            def __init__(self):
                self.compute_task_api = conductor_rpcapi.ComputeTaskAPI()

            def create(self, req, body):
                self.compute_task_api.build_instances(req, body=body)
        """,
    "nova/api/openstack/compute/routes.py": """
        import functools

        from nova.api.openstack.compute import servers
        from nova.api.openstack import wsgi


        def _create_controller(main_controller):
            return wsgi.Resource(main_controller())


        server_controller = functools.partial(_create_controller, servers.ServersController)

        ROUTE_LIST = (
            ('/servers', {
                'POST': [server_controller, 'create'],
            }),
        )


        class APIRouterV21(object):
            def __init__(self):
                for path, methods in ROUTE_LIST:
                    for method, controller_info in methods.items():
                        controller = controller_info[0]()
                        action = controller_info[1]
                        self.map.create_route(path, method, controller, action)
        """,
    "nova/conductor/__init__.py": "",
    "nova/conductor/rpcapi.py": """
        import oslo_messaging as messaging
        from nova import rpc

        RPC_TOPIC = 'conductor'

        class ComputeTaskAPI(object):
            def __init__(self):
                target = messaging.Target(topic=RPC_TOPIC, namespace='compute_task', version='1.0')
                self.client = rpc.get_client(target)

            def build_instances(self, ctxt, **kw):
                cctxt = self.client.prepare(version='1.10')
                cctxt.cast(ctxt, 'build_instances', **kw)
        """,
    "nova/conductor/manager.py": """
        import oslo_messaging as messaging
        from nova import manager
        from nova.compute import rpcapi as compute_rpcapi

        class ConductorManager(manager.Manager):
            target = messaging.Target(version='3.0')

            def __init__(self):
                super().__init__()
                self.compute_task_mgr = ComputeTaskManager()
                self.additional_endpoints.append(self.compute_task_mgr)

        class ComputeTaskManager(object):
            target = messaging.Target(namespace='compute_task', version='1.20')

            def __init__(self):
                self.compute_rpcapi = compute_rpcapi.ComputeAPI()

            def build_instances(self, ctxt, **kw):
                self.compute_rpcapi.build_and_run_instance(ctxt, None, 'host')
        """,
    "nova/compute/__init__.py": "",
    "nova/compute/rpcapi.py": """
        import oslo_messaging as messaging
        from nova import rpc

        RPC_TOPIC = 'compute'

        class ComputeAPI(object):
            def __init__(self):
                target = messaging.Target(topic=RPC_TOPIC, version='6.0')
                self.client = rpc.get_client(target)

            def build_and_run_instance(self, ctxt, instance, host):
                cctxt = self.client.prepare(server=host, version='6.0')
                cctxt.cast(ctxt, 'build_and_run_instance', instance=instance)
        """,
    "nova/compute/manager.py": """
        import oslo_messaging as messaging
        from nova import manager

        class ComputeManager(manager.Manager):
            target = messaging.Target(version='6.5')

            def build_and_run_instance(self, ctxt, instance):
                pass
        """,
}


def _second_version(root):
    """Ocata's rename (build_instances -> schedule_and_build_instances, the conductor code moved
    down) and Liberty -> Ocata's cast becoming a call (here build_and_run_instance)."""
    servers = root / "nova/api/openstack/compute/servers.py"
    servers.write_text(servers.read_text().replace("build_instances", "schedule_and_build_instances"))
    rpcapi = root / "nova/conductor/rpcapi.py"
    rpcapi.write_text(rpcapi.read_text().replace("build_instances", "schedule_and_build_instances"))
    manager = root / "nova/conductor/manager.py"
    manager.write_text(manager.read_text().replace("    def build_instances",
                                                   "    def ping(self, ctxt):\n        pass\n\n"
                                                   "    def schedule_and_build_instances"))
    compute = root / "nova/compute/rpcapi.py"
    compute.write_text(compute.read_text().replace("cctxt.cast(ctxt, 'build_and_run_instance'",
                                                   "return cctxt.call(ctxt, 'build_and_run_instance'"))


@pytest.fixture(scope="module")
def two_commits(tmp_path_factory):
    """A repository with tags v1 and v2, and nothing but .git left in the working tree."""
    root = write_tree(tmp_path_factory.mktemp("flowdiff") / "nova", MINI)
    repo = git.Repo.init(root)
    with repo.config_writer() as config:
        config.set_value("user", "name", "t").set_value("user", "email", "t@example.com")
    repo.git.add(A=True)
    repo.index.commit("one")
    repo.create_tag("v1")
    _second_version(root)
    repo.git.add(A=True)
    repo.index.commit("two")
    repo.create_tag("v2")
    for child in root.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    return root


def test_rev_and_diff_read_both_revisions_from_the_object_store(two_commits):
    result = CliRunner().invoke(cli, ["trace", "create_server", "-C", str(two_commits), "--rev", "v1",
                                      "--diff", "v2", "--json", "--no-cache"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["old"]["revision"].startswith("v1") and data["new"]["revision"].startswith("v2")
    hops = [(h["status"], (h["old"] or {}).get("method"), (h["new"] or {}).get("method")) for h in data["hops"]]
    assert hops == [("renamed", "build_instances", "schedule_and_build_instances"),
                    ("changed", "build_and_run_instance", "build_and_run_instance")]
    kind = [c for c in data["hops"][1]["changes"] if c["field"] == "kind"]
    assert kind == [{"field": "kind", "old": "cast", "new": "call"}]
    endpoint = data["hops"][0]["new"]
    assert endpoint["endpoint"] == "nova.conductor.manager.ComputeTaskManager.schedule_and_build_instances"
    assert (data["hops"][0]["old"]["endpoint_line"], endpoint["endpoint_line"]) == (19, 22)
    assert data["summary"]["hops"]["renamed"] == 1 and data["summary"]["hops"]["changed"] == 1


def test_text_and_mermaid_output(two_commits):
    runner = CliRunner()
    base = ["trace", "create_server", "-C", str(two_commits), "--rev", "v1", "--diff", "v2", "--no-cache"]
    text = runner.invoke(cli, base)
    assert text.exit_code == 0, text.output
    assert "~ nova-api =cast=> nova-conductor  build_instances -> schedule_and_build_instances" in text.output
    assert "kind: cast -> call" in text.output
    assert "nova/conductor/manager.py:19 -> nova/conductor/manager.py:22" in text.output
    mermaid = runner.invoke(cli, [*base, "--format", "mermaid"])
    assert mermaid.exit_code == 0, mermaid.output
    lines = mermaid.stdout.splitlines()
    assert lines[0] == "sequenceDiagram"
    assert "    participant P0 as nova-api" in lines
    # The changed call is drawn as a call, in a colored block, with what changed in a note.
    at = lines.index("    P1->>P2: ~ build_and_run_instance")
    assert lines[at - 1].startswith("    rect rgb(") and lines[at + 1] == "    Note over P1,P2: kind cast -> call"
    assert "    P0-)P1: ~ build_instances -> schedule_and_build_instances" in lines


def test_diff_against_another_directory_and_usage_errors(two_commits, tmp_path):
    old = write_tree(tmp_path / "old", MINI)
    new = write_tree(tmp_path / "new", MINI)
    _second_version(new)
    runner = CliRunner()
    result = runner.invoke(cli, ["trace", "create_server", "-C", str(old), "--diff", str(new), "--json", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert [h["status"] for h in json.loads(result.stdout)["hops"]] == ["renamed", "changed"]
    # A diff is text, JSON or Mermaid; the drawings of one flow do not draw two.
    result = runner.invoke(cli, ["trace", "create_server", "-C", str(old), "--diff", str(new), "-o", "x.dot"])
    assert result.exit_code == 2 and "--diff" in result.output
    result = runner.invoke(cli, ["trace", "create_server", "-C", str(two_commits), "--rev", "v1", "--diff", "v9"])
    # An unknown revision is the user's mistake: the message names it (main() prints it, exit 2).
    assert result.exit_code != 0 and "unknown revision 'v9'" in str(result.exception)


def test_diff_drawn_as_a_sequence_svg(tmp_path):
    import xml.etree.ElementTree as ET

    old = write_tree(tmp_path / "old", MINI)
    new = write_tree(tmp_path / "new", MINI)
    _second_version(new)
    out = tmp_path / "diff.svg"
    result = CliRunner().invoke(cli, ["trace", "create_server", "-C", str(old), "--diff", str(new), "-o", str(out),
                                      "--no-cache"])
    assert result.exit_code == 0, result.output
    groups = [g for g in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}g")
              if g.get("data-from") and g.get("data-kind") != "return"]
    drawn = {(g.get("data-from"), g.get("data-to"), g.get("data-kind"), g.get("data-status")) for g in groups}
    # build_instances became schedule_and_build_instances (renamed); the build became a call (changed).
    assert drawn == {("nova-api", "nova-conductor", "cast", "renamed"),
                     ("nova-conductor", "nova-compute", "call", "changed")}
    texts = "".join(ET.parse(out).getroot().itertext())
    assert "build_instances -> schedule_and_build_instances" in texts and "cast -> call" in texts


def test_an_operation_a_tree_lacks_lists_the_close_ones_and_a_diff_names_that_tree(tmp_path):
    old = write_tree(tmp_path / "old", MINI)
    new = write_tree(tmp_path / "new", MINI)
    routes = new / "nova/api/openstack/compute/routes.py"
    routes.write_text(routes.read_text().replace("('/servers', {", "('/instances', {"))

    def run(*args):  # the console script: main() tells why on stderr, with the exit status
        return subprocess.run([sys.executable, "-m", "stackread", *args, "--no-cache"], capture_output=True, text=True,
                              timeout=120)

    alone = run("trace", "create_servers", "-C", str(old))
    assert alone.returncode == 1 and alone.stdout == ""
    assert alone.stderr.splitlines()[0] == "stackread: 'create_servers' is not an operation of this API; closest:"
    assert "ServersController.create" in alone.stderr
    assert run("--debug", "trace", "create_servers", "-C", str(old)).stderr == alone.stderr  # no traceback: no bug
    diff = run("trace", "create_server", "-C", str(old), "--diff", str(new))
    assert diff.returncode == 1 and diff.stdout == ""
    assert diff.stderr.splitlines()[:2] == [f"stackread: in {new}:",
                                            "stackread: 'create_server' is not an operation of this API; closest:"]
