"""A classmethod called on a subclass runs with `cls` that subclass: what it makes is a Sub."""

from stackread.flows.callgraph import load_callgraph
from stackread.flows.reading import Reading

MODELS = """
def load_instance(cls, context, id):
    return cls(context, id)


class Instance(object):
    def __init__(self, context, id):
        self.id = id

    @classmethod
    def load(cls, context, id):
        return load_instance(cls, context, id)

    @classmethod
    def make(cls, context, id):
        return cls(context, id)

    def create(self):
        pass


class Tasks(Instance):
    def create(self):
        pass
"""

USER = """
from proj import models


def direct(context):
    models.Tasks.make(context, 1).create()


def through_a_factory(context):
    tasks = models.Tasks.load(context, 1)
    tasks.create()


def on_the_base(context):
    models.Instance.load(context, 1).create()
"""


def _made(make_tree, follow: bool) -> dict[str, set]:
    """What each function of proj/user.py calls `.create()` on, read with or without every caller's
    parameters followed (`trace` and `rpc` read with them off)."""
    from stackread.diagnostics import Diagnostics
    from stackread.flows.callgraph import build_program
    from stackread.program.facts import Scope

    reading = Reading(make_tree({"setup.cfg": "[metadata]\nname = proj\n", "proj/__init__.py": "", "proj/models.py": MODELS, "proj/user.py": USER}),
                      use_cache=False)
    diagnostics = Diagnostics()
    with reading.open_cache(diagnostics) as cache:
        program, _indexed = build_program(reading.project.tree, cache, diagnostics, include_tests=False)
    program.follow_parameters = follow
    module = program.modules["proj.user"]
    found: dict[str, set] = {}
    for call in module.calls():
        if call[1][0] == "a" and call[1][2] == "create":
            found[call[0]] = {v[1] for v in program.resolve(call[1], Scope(module, call[0])) if v[0] == "meth"}
    return found


def test_cls_of_a_classmethod_called_on_a_subclass_is_the_subclass(make_tree):
    for follow in (True, False):
        found = _made(make_tree, follow)
        assert found["direct"] == {"proj.models.Tasks.create"}, follow
        # Trove's FreshInstanceTasks.load: `load_instance(cls, ...)` returns `cls(...)`
        assert found["through_a_factory"] == {"proj.models.Tasks.create"}, follow
        assert "proj.models.Instance.create" in found["on_the_base"], follow


def test_the_callgraph_follows_the_subclass(make_tree):
    root = make_tree({"setup.cfg": "[metadata]\nname = proj\n", "proj/__init__.py": "", "proj/models.py": MODELS, "proj/user.py": USER})
    graph = load_callgraph(Reading(root, use_cache=False)).graph
    assert "proj.models.Tasks.create" in {e.callee for e in graph.calls_from("proj.user.through_a_factory")}
    assert "proj.models.Instance.create" not in {e.callee for e in graph.calls_from("proj.user.direct")}
