"""Levels of detail (`trace --detail`): what `hops` and `story` keep of the steps tree, one rule each,
on MINI's create server with a compute manager that calls a virt driver and Neutron."""

import json

import pytest
from click.testing import CliRunner

from conftest import write_tree
from test_settings import TREE

from stackread.cli import cli
from stackread.flows.detail import at_level, group_label, helper_of
from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

DETAIL = {
    **TREE,
    "nova/virt/driver.py": TREE["nova/virt/driver.py"].replace("""
            def spawn(self):
                raise NotImplementedError()""", """
            def spawn(self):
                raise NotImplementedError()

            def get_info(self):
                raise NotImplementedError()

            def plug_vifs(self):
                raise NotImplementedError()

            def prepare_build_and_run_instance(self):
                raise NotImplementedError()"""),
    "nova/virt/libvirt/driver.py": """
        from nova.virt import driver


        class LibvirtDriver(driver.ComputeDriver):
            def spawn(self):
                pass

            def get_info(self):
                pass

            def plug_vifs(self):
                pass

            def prepare_build_and_run_instance(self):
                pass
        """,
    "nova/network/__init__.py": "",
    "nova/network/neutron.py": """
        from neutronclient.v2_0 import client


        class API(object):
            def validate_networks(self):
                return client.Client().list_networks()

            def allocate_for_instance(self):
                return client.Client().create_port()
        """,
    "nova/compute/manager.py": """
        import oslo_messaging as messaging
        from nova import manager
        from nova.network import neutron
        from nova.virt import driver

        class ComputeManager(manager.Manager):
            target = messaging.Target(version='6.5')

            def __init__(self):
                super().__init__()
                self.driver = driver.load_compute_driver('libvirt.LibvirtDriver')
                self.network_api = neutron.API()

            def build_and_run_instance(self, ctxt, instance):
                if self.network_api:
                    self.network_api.validate_networks()
                self._prepare(instance)
                self._do_build_and_run_instance(instance)

            def _prepare(self, instance):
                self.network_api.allocate_for_instance()
                self.driver.plug_vifs()
                self.driver.prepare_build_and_run_instance()

            def _do_build_and_run_instance(self, instance):
                self.driver.get_info()
                for attempt in range(3):
                    self._build_and_run_instance(instance)

            def _build_and_run_instance(self, instance):
                self.driver.spawn()
        """,
}


@pytest.fixture(scope="module")
def nova(tmp_path_factory):
    return write_tree(tmp_path_factory.mktemp("detail") / "nova", DETAIL)


@pytest.fixture(scope="module")
def steps(nova):
    return trace_operation(Reading(nova, use_cache=False), "create_server")


def compute(trace):
    """The step of the hop to the compute service, wherever it is in the tree."""
    todo = [trace.root]
    while todo:
        step = todo.pop()
        if step.kind == "hop" and (step.hop.source, step.hop.method) == ("nova-conductor", "build_and_run_instance"):
            return step
        todo += step.children
    raise AssertionError("no hop to nova-compute")


def kept(step):
    return [(s.kind, s.function.rsplit(".", 1)[-1]) for s in step.children]


def test_steps_is_the_walk_as_it_is(steps):
    assert at_level(steps, "steps").root is steps.root and at_level(steps, "steps").detail == "steps"
    assert [s.function.rsplit(".", 1)[-1] for s in compute(steps).children] == \
        ["validate_networks", "_prepare", "_do_build_and_run_instance"]


def test_hops_keeps_the_hops_only_each_on_its_endpoint(steps):
    hops = at_level(steps, "hops")
    assert hops.detail == "hops" and hops.hops == steps.hops
    assert kept(hops.root) == [("hop", "build_and_run_instance"), ("hop", "build_instances")]
    assert kept(compute(hops)) == []
    assert compute(hops).function == "nova.compute.manager.ComputeManager.build_and_run_instance"


def test_story_keeps_the_driver_calls_made_through_the_endpoints_own_helpers(steps):
    story = compute(at_level(steps, "story"))
    drivers = [name for kind, name in kept(story) if kind == "driver"]
    # _do_build_and_run_instance is the endpoint's own helper: its spawn is the main call; _prepare
    # is not, so its plug_vifs goes, but a driver method named after the endpoint stays wherever it is.
    assert drivers == ["prepare_build_and_run_instance", "spawn"]
    assert helper_of("live_migration", "_do_live_migration") and not helper_of("live_migration", "_live_migrate")


def test_story_never_takes_a_query_for_the_main_call(steps):
    assert "get_info" in json.dumps([s.function for s in compute(steps).children[2].children])
    assert "get_info" not in [name for _kind, name in kept(compute(at_level(steps, "story")))]


def test_story_has_one_step_per_service_and_process_at_its_first_call(steps):
    story = compute(at_level(steps, "story"))
    group = story.children[0]
    assert (group.kind, group.service) == ("service", "neutron")
    assert [c.function.rsplit(".", 1)[-1] for c in group.calls] == ["validate_networks", "allocate_for_instance"]
    assert [s.kind for s in story.children].count("service") == 1
    assert group_label(group) == "neutron: 2 calls (validate_networks, allocate_for_instance)"
    assert group_label(group, 30) == "neutron: 2 calls (validate_networks, …)"


def test_story_frames_only_what_it_keeps_and_carries_a_dropped_calls_loop(steps):
    story = compute(at_level(steps, "story"))
    group, spawn = story.children[0], story.children[-1]
    assert steps and compute(steps).children[0].condition == "self.network_api"
    assert group.condition is None and group.loop is None  # the group draws no frame
    assert spawn.loop == "for attempt in range(3)"  # the loop of the dropped helper's call
    assert "for attempt" not in json.dumps([s.loop for s in compute(steps).children[-1].children[-1].children])
    from stackread.render.flow import Frame, sequence, walk

    frames = [f for f in walk(sequence(at_level(steps, "story")).items) if isinstance(f, Frame)]
    # The API's hops are conditional (an alt), spawn is looped; the Neutron call's `if` is no frame.
    assert [f.kind for f in frames] == ["alt", "loop"]
    assert frames[1].branches[0].label == "for attempt in range(3)"


def run(nova, *args):
    return CliRunner().invoke(cli, ["trace", "create_server", "-C", str(nova), "--no-cache", *args])


def test_cli_levels_defaults_and_the_all_calls_alias(nova, tmp_path):
    text = run(nova)
    assert text.exit_code == 0 and "_prepare" in text.output and "(detail:" not in text.output
    story = run(nova, "--detail", "story")
    assert "_prepare" not in story.output and "neutron: 2 calls" in story.output and "(detail: story)" in story.output
    assert json.loads(run(nova, "--json").output)["detail"] == "steps"
    assert json.loads(run(nova, "--json", "--detail", "hops").output)["detail"] == "hops"
    drawn = run(nova, "--format", "mermaid")  # a drawing tells the story by default
    assert "neutron: 2 calls" in drawn.output and "_prepare" not in drawn.output
    assert "neutron: 2 calls" not in run(nova, "--format", "mermaid", "--detail", "steps").output
    assert run(nova, "--all-calls").output == run(nova, "--detail", "all").output
    refused = run(nova, "--all-calls", "--detail", "story")
    assert refused.exit_code == 2 and "--all-calls is --detail all" in refused.output


def test_a_flow_diff_compares_every_step_and_refuses_a_pruned_level(nova):
    refused = run(nova, "--diff", str(nova), "--detail", "story")
    assert refused.exit_code == 2 and "--detail story does not apply" in refused.output


def test_hops_and_story_keep_where_the_flow_is_cut(steps):
    from dataclasses import replace

    from stackread.flows.flow import Step

    cut = Step("nova.conductor.rpcapi", "nova/conductor/rpcapi.py", 1, "nova-api", kind="cut",
               cut="flow cut: nova/conductor/rpcapi.py could not be parsed", loop="for x in y")
    helper = Step("nova.api.openstack.compute.servers.ServersController._helper", "nova/api/x.py", 5, "nova-api",
                  condition="body", children=[cut])
    root = replace(steps.root, children=[helper])
    for level in ("hops", "story"):
        kept = at_level(replace(steps, root=root), level).root.children
        assert [(s.kind, s.cut, s.condition, s.loop) for s in kept] == \
            [("cut", cut.cut, "body", "for x in y")], level
