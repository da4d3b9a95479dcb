"""Routes and entry points are kept by what they read of the tree (source/observed.py): an edit of
a file they never read keeps them; an edit of one they read, or one that now passes a scan they
made, is a new answer."""

import pytest

from conftest import write_tree
from test_flowdiff import MINI

import stackread.frameworks.rest.routes_mapper as routes_mapper
from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation
from stackread.program.modules import toplevel_line
from stackread.source.observed import ObservedTree, still_hold
from stackread.source.trees import open_tree

# A file that names a 'root' passes pecan's byte test, but in a tree without pecan it is never read.
ELSEWHERE = {"nova/utils.py": "PATHS = {'root': '/'}\n\n\ndef helper():\n    return 1\n"}


def hops(trace):
    return [(h.source, h.kind, h.target, h.method) for h in trace.hops]


def _never(*args, **kwargs):
    raise AssertionError("the routes were read again")


def test_an_edit_elsewhere_keeps_the_routes_and_an_edit_of_a_router_is_seen(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "nova", {**MINI, **ELSEWHERE})
    cache = tmp_path / "cache"
    first = trace_operation(Reading(root, cache_dir=cache), "create_server")

    (root / "nova/utils.py").write_text("PATHS = {'root': '/'}\n\n\ndef helper():\n    return 2\n")
    with monkeypatch.context() as patch:
        patch.setattr(routes_mapper, "routes_of_project", _never)
        edited = trace_operation(Reading(root, cache_dir=cache), "create_server")  # a new flow, the old routes
    assert hops(edited) == hops(first)

    # The router file is read by the routes: its edit is seen, and the new route is found.
    servers = root / "nova/api/openstack/compute/servers.py"
    servers.write_text(servers.read_text() + "\n    def delete(self, req, id):\n"
                       "        self.compute_task_api.build_instances(req)\n")
    router = root / "nova/api/openstack/compute/routes.py"
    router.write_text(router.read_text().replace(
        "    }),\n)", "    }),\n    ('/servers/{id}', {\n        'DELETE': [server_controller, 'delete'],\n    }),\n)"))
    with monkeypatch.context() as patch:
        patch.setattr(routes_mapper, "routes_of_project", _never)
        with pytest.raises(AssertionError, match="read again"):
            trace_operation(Reading(root, cache_dir=cache), "DELETE /servers/{id}")
    deleted = trace_operation(Reading(root, cache_dir=cache), "DELETE /servers/{id}")
    assert deleted.entry.controller.endswith("ServersController.delete")


def _binds_application(data: bytes) -> bool:
    return b"application =" in data


def test_a_file_that_now_passes_a_scan_is_a_change_and_one_that_still_fails_it_is_not(tmp_path):
    root = write_tree(tmp_path / "t", {"pkg/__init__.py": "", "pkg/a.py": "x = 1\n", "pkg/b.py": "y = 2\n"})
    tree = ObservedTree(open_tree(root))
    import stackread.flows.entrypoints as entrypoints

    found = tree.scan(["pkg/a.py", "pkg/b.py"], [entrypoints.binds_application])
    assert found[entrypoints.binds_application] == []
    seen = tree.observations()

    (root / "pkg/a.py").write_text("x = 3\n")  # still binds no application
    assert still_hold(seen, ObservedTree(open_tree(root)))
    (root / "pkg/a.py").write_text("application = make_app()\n")
    assert not still_hold(seen, ObservedTree(open_tree(root)))


def test_a_file_read_whole_a_new_file_and_a_moved_class_are_changes(tmp_path):
    root = write_tree(tmp_path / "t", {"pkg/__init__.py": "", "pkg/m.py": "class Manager:\n    pass\n"})
    tree = ObservedTree(open_tree(root))
    assert tree.derive("pkg/m.py", toplevel_line, "Manager") == 1
    list(tree.walk_files("pkg", ".py"))
    seen = tree.observations()

    (root / "pkg/m.py").write_text("class Manager:\n    pass\n\n\ndef later():\n    pass\n")
    assert still_hold(seen, ObservedTree(open_tree(root)))  # the class is where it was
    (root / "pkg/m.py").write_text("import os\n\n\nclass Manager:\n    pass\n")
    assert not still_hold(seen, ObservedTree(open_tree(root)))  # its line moved

    (root / "pkg/m.py").write_text("class Manager:\n    pass\n")
    assert still_hold(seen, ObservedTree(open_tree(root)))
    (root / "pkg/new.py").write_text("")
    assert not still_hold(seen, ObservedTree(open_tree(root)))  # the package's listing changed

    whole = ObservedTree(open_tree(root))
    whole.read_bytes("pkg/__init__.py")
    read = whole.observations()
    (root / "pkg/__init__.py").write_text("# a comment\n")
    assert not still_hold(read, ObservedTree(open_tree(root)))


def test_a_test_not_of_stackread_is_never_run_from_the_cache(tmp_path):
    root = write_tree(tmp_path / "t", {"pkg/__init__.py": "", "pkg/a.py": "x = 1\n"})
    tree = ObservedTree(open_tree(root))
    tree.scan(["pkg/a.py"], [_binds_application])  # a test module's function, not stackread's
    seen = tree.observations()
    assert seen.scans[0].test.startswith("test_kept_by_reads:")
    (root / "pkg/a.py").write_text("x = 2\n")  # the test would have to run again on it
    assert not still_hold(seen, ObservedTree(open_tree(root)))  # refused, so worked out again


# -- the policy rules, the objects' field defaults, the drivers options name: the same for every question

import stackread.flows.scenario as scenario_module  # noqa: E402
import stackread.frameworks.drivers as drivers_module  # noqa: E402
from stackread.flows.question import Question  # noqa: E402
from stackread.frameworks.oslo_policy import PolicyIndex  # noqa: E402

_RULES = ("from oslo_policy import policy\n\nrules = [\n"
          "    policy.RuleDefault('compute:servers:create', '@'),\n]\n")
_OBJECTS = ("from oslo_versionedobjects import fields\n\n\nclass Instance(object):\n"
            "    fields = {'disable_terminate': fields.BooleanField(default=False)}\n")
_SCENARIO_FILES = {"nova/policies/__init__.py": "", "nova/policies/servers.py": _RULES,
                   "nova/objects/__init__.py": "", "nova/objects/instance.py": _OBJECTS}


def test_a_new_question_reads_the_policy_rules_field_and_driver_defaults_back_until_their_files_change(
        tmp_path, monkeypatch):
    root = write_tree(tmp_path / "nova", {**MINI, **ELSEWHERE, **_SCENARIO_FILES})
    cache = tmp_path / "cache"
    read = []
    declared, defaults = PolicyIndex.declared, scenario_module.field_defaults
    monkeypatch.setattr(PolicyIndex, "declared", lambda self: read.append("policies") or declared(self))
    monkeypatch.setattr(scenario_module, "field_defaults", lambda *args: read.append("fields") or defaults(*args))
    dotted = drivers_module.dotted_defaults
    monkeypatch.setattr(drivers_module, "dotted_defaults", lambda *args: read.append("drivers") or dotted(*args))
    trace_operation(Reading(root, cache_dir=cache), "create_server")
    assert read == ["policies", "fields", "drivers"]

    read.clear()
    trace_operation(Reading(root, cache_dir=cache), Question("create_server", depth=1))  # a new question
    (root / "nova/utils.py").write_text("PATHS = {'root': '/'}\n\n\ndef helper():\n    return 3\n")
    trace_operation(Reading(root, cache_dir=cache), Question("create_server", depth=2))  # an edit elsewhere
    assert read == []

    rules = root / "nova/policies/servers.py"
    rules.write_text(rules.read_text().replace("'@'", "'!'"))
    trace_operation(Reading(root, cache_dir=cache), Question("create_server", depth=3))
    # Read again; the field defaults too, as they were kept with everything read before them.
    assert "policies" in read
    read.clear()
    objects = root / "nova/objects/instance.py"
    objects.write_text(objects.read_text().replace("default=False", "default=True"))
    trace_operation(Reading(root, cache_dir=cache), Question("create_server", depth=4))
    assert "fields" in read


def test_the_routes_command_reads_back_the_routes_a_trace_kept_until_a_router_changes(tmp_path, monkeypatch):
    import stackread.flows.routes as routes_flow
    from click.testing import CliRunner

    from stackread.cli import cli

    root = write_tree(tmp_path / "nova", {**MINI, **ELSEWHERE})
    monkeypatch.setenv("STACKREAD_CACHE_DIR", str(tmp_path / "cache"))
    trace_operation(Reading(root), "create_server")

    def routes():
        result = CliRunner().invoke(cli, ["routes", str(root), "--json"])
        assert result.exit_code == 0, result.output
        return result.stdout

    with monkeypatch.context() as patch:
        patch.setattr(routes_flow, "routes_of_project", _never)
        kept = routes()
    assert '"/servers"' in kept and "DELETE" not in kept

    servers = root / "nova/api/openstack/compute/servers.py"
    servers.write_text(servers.read_text() + "\n    def delete(self, req, id):\n        pass\n")
    router = root / "nova/api/openstack/compute/routes.py"
    router.write_text(router.read_text().replace(
        "    }),\n)", "    }),\n    ('/servers/{id}', {\n        'DELETE': [server_controller, 'delete'],\n    }),\n)"))
    assert "DELETE" in routes()
