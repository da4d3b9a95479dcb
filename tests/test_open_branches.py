"""Branches the default scenario cannot decide are shown as branches (flows/walker.py, Step.open and
Hop.open): a call under a condition on what the request holds is on the default path only if that
condition holds, and says so; and a condition on `self.send_updates`, bound once in `__init__` to an
option, is decided by the option (flows/conditions.py `_option_held`), as Nova's compute manager
reads `self.send_instance_updates = CONF.filter_scheduler.track_instance_changes`."""

import json

from conftest import write_tree
from test_settings import TREE, run

from stackread.flows.question import Question
from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

MANAGER = """
    import oslo_messaging as messaging
    from oslo_config import cfg
    from nova import manager
    from nova.virt import driver

    CONF = cfg.CONF


    class ComputeManager(manager.Manager):
        target = messaging.Target(version='6.5')

        def __init__(self):
            super().__init__()
            self.driver = driver.load_compute_driver('libvirt.LibvirtDriver')
            self.send_updates = (
                CONF.track_instance_changes)

        def build_and_run_instance(self, ctxt, instance):
            if instance.image_ref:
                self._build(ctxt)
            self._update_info(ctxt)

        def _build(self, ctxt):
            self.driver.spawn()

        def _update_info(self, ctxt):
            if not self.send_updates:
                return
            self._send(ctxt)

        def _send(self, ctxt):
            self.driver.spawn()
    """


def tree(tmp_path):
    conf = TREE["nova/conf/compute.py"].replace(
        "cfg.PortOpt('console_port', default=6080),",
        "cfg.PortOpt('console_port', default=6080),\n"
        "            cfg.BoolOpt('track_instance_changes', default=True),")
    return write_tree(tmp_path / "nova", {**TREE, "nova/conf/compute.py": conf, "nova/compute/manager.py": MANAGER})


def steps(trace) -> dict:
    found, todo = {}, [trace.root]
    while todo:
        step = todo.pop()
        found[step.function.rpartition(".")[2]] = step
        todo += step.children
    return found


def traced(nova, **question):
    return steps(trace_operation(Reading(nova, use_cache=False), Question("create_server", **question)))


def test_a_call_under_a_condition_on_the_request_is_an_open_branch(tmp_path):
    found = traced(tree(tmp_path))
    assert found["_build"].default_path and found["_build"].open
    assert found["_build"].children[0].open  # everything below it is on that branch too
    assert not found["build_and_run_instance"].open


def test_an_attribute_bound_to_an_option_in_init_is_decided_by_the_option(tmp_path):
    nova = tree(tmp_path)
    found = traced(nova)
    assert found["_send"].default_path and not found["_send"].open  # default True: decided
    found = traced(nova, settings={"track_instance_changes": False})
    assert not found["_send"].default_path


def test_the_answer_says_where_an_open_branch_opens(tmp_path):
    nova = tree(tmp_path)
    text = run("trace", "create_server", "-C", str(nova), "--no-cache")
    assert text.returncode == 0, text.stderr
    words = " ".join(text.stdout.replace("│", " ").split())  # the tree folds long lines at 100 columns
    legend = "(open branch): on the default path only if a condition holds that neither the options nor the default"
    assert legend in words
    assert words.replace(legend, "").count("(open branch)") == 1  # where it opens, not on every step below
    assert "ComputeManager._build nova/compute/manager.py:23 if instance.image_ref (open branch)" in words
    data = json.loads(run("trace", "create_server", "-C", str(nova), "--no-cache", "--json").stdout)

    def flat(step):
        yield step
        for child in step["children"]:
            yield from flat(child)
    marked = {s["function"].rpartition(".")[2] for s in flat(data["steps"][0]) if s.get("open")}
    assert marked == {"_build", "spawn"}  # _send's spawn is decided: not open
