"""One engine (issue 14): the entry-point, service and route readers (program.evaluate) ask the
Program what a name, a re-export or a class member is, so they and the call graph agree.

Each test is a shape where the two used to answer differently."""

from stackread.diagnostics import Diagnostics
from stackread.flows.callgraph import load_callgraph
from stackread.flows.entrypoints import find_entrypoints
from stackread.flows.reading import Reading
from stackread.program.evaluate import Evaluator
from stackread.program.modules import ModuleIndex
from stackread.program.ondemand import program_on_demand
from stackread.source.trees import open_tree

_SETUP = """
    [metadata]
    name = pkg
    [entry_points]
    pkg.plugins =
        handler = pkg.api:handler
    """


def _callees(root, name):
    graph = load_callgraph(Reading(root, use_cache=False)).graph
    return {e.callee for e in graph.calls_from(name)}


def _target(root):
    (ep,) = [ep for ep in find_entrypoints(root).entrypoints if ep.name == "handler"]
    return ep.path, ep.line


def test_the_last_star_import_that_exports_a_name_wins_for_entry_points_and_call_graph(make_tree):
    root = make_tree({
        "setup.cfg": _SETUP,
        "pkg/__init__.py": "",
        "pkg/api.py": "from pkg.old import *\nfrom pkg.new import *\n",
        "pkg/old.py": "def handler():\n    pass\n",
        "pkg/new.py": "import os\n\n\ndef handler():\n    pass\n",
        "pkg/user.py": "from pkg import api\n\n\ndef run():\n    api.handler()\n",
    })
    assert _target(root) == ("pkg/new.py", 4)
    assert _callees(root, "pkg.user.run") == {"pkg.new.handler"}  # was pkg.old.handler: the first star


def test_a_star_import_brings_only_what_all_names_for_entry_points_and_call_graph(make_tree):
    root = make_tree({
        "setup.cfg": _SETUP,
        "pkg/__init__.py": "",
        "pkg/api.py": "from pkg.impl import *\n",
        "pkg/impl.py": "__all__ = ['Public']\n\n\nclass Public:\n    pass\n\n\ndef handler():\n    pass\n",
        "pkg/user.py": "from pkg import api\n\n\ndef run():\n    api.handler()\n",
    })
    assert _target(root) == ("pkg/api.py", None)  # not defined there
    assert _callees(root, "pkg.user.run") == set()  # was pkg.impl.handler: __all__ was not read


def test_a_class_member_is_found_through_the_c3_mro_by_the_readers_and_the_call_graph(make_tree):
    # D(B, C) with B(A), C(A): Python looks in D, B, C, A; a depth-first walk found A's first.
    root = make_tree({
        "pkg/__init__.py": "",
        "pkg/m.py": """
            class A:
                PREFIX = '/a'

                def go(self):
                    pass

            class B(A):
                pass

            class C(A):
                PREFIX = '/c'

                def go(self):
                    pass

            class D(B, C):
                pass

            def run():
                D().go()
            """,
    })
    index = ModuleIndex(open_tree(root), Diagnostics())
    evaluator = Evaluator(index)
    d = evaluator.module_attr(index.get("pkg.m"), "D").value
    assert evaluator.class_attribute(d, "PREFIX").value == "/c"
    assert evaluator.class_attribute(d, "go").value.dotted == "pkg.m.C.go"
    assert [base.qualname for base in evaluator.bases(d)] == ["B", "C"]
    assert _callees(root, "pkg.m.run") == {"pkg.m.C.go"}


def test_every_evaluator_of_a_tree_asks_one_program(make_tree):
    root = make_tree({"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import NAME\n", "pkg/b.py": "NAME = 'x'\n"})
    index = ModuleIndex(open_tree(root), Diagnostics())
    first, second = Evaluator(index), Evaluator(index)
    assert first.module_attr(index.get("pkg.a"), "NAME").value == "x"
    assert first.engine is second.engine is program_on_demand(index)
    # what the first learned of pkg.b (summarised once) the second and the Program hold already
    assert set(first.engine.modules.parsed) == {"pkg.a", "pkg.b"}
    assert first.engine.module_attr("pkg.a", "NAME") == {("str", "x")}


_TWO_SERVICES = {
    "setup.cfg": """
        [metadata]
        name = proj
        [entry_points]
        console_scripts =
            proj-compute = proj.cmd.compute:main
            proj-conductor = proj.cmd.conductor:main
        """,
    "proj/__init__.py": "",
    "proj/service.py": """
        SERVICE_MANAGERS = {
            'proj-compute': 'proj.compute.Manager',
            'proj-conductor': 'proj.conductor.Manager',
        }


        class Service(object):
            @classmethod
            def create(cls, binary=None, topic=None, manager=None):
                if not manager:
                    manager = SERVICE_MANAGERS.get(binary)
                return cls(binary, topic, manager)
        """,
    "proj/compute.py": "class Manager:\n    pass\n",
    "proj/conductor.py": "class Manager:\n    pass\n",
    "proj/cmd/__init__.py": "",
    # the script's own name, as each process sees it: one module constant, two values
    "proj/cmd/common.py": "import os\nimport sys\n\nBINARY = os.path.basename(sys.argv[0])\nTOPIC = 'q-' + BINARY\n",
    "proj/cmd/compute.py": """
        from proj import service
        from proj.cmd import common

        def main():
            service.Service.create(binary=common.BINARY, topic=common.TOPIC)
        """,
    "proj/cmd/conductor.py": """
        from proj import service
        from proj.cmd import common

        def main():
            service.Service.create(binary=common.BINARY, topic=common.TOPIC)
        """,
}


def test_a_module_constant_two_services_read_is_evaluated_once_for_both(make_tree, monkeypatch):
    from stackread.program.constants import ConstantEvaluator

    evaluated = []
    own = ConstantEvaluator._module_attr
    monkeypatch.setattr(ConstantEvaluator, "_module_attr",
                        lambda self, module, name: evaluated.append((module.name, name)) or own(self, module, name))
    services = {ep.name: ep.service for ep in find_entrypoints(make_tree(_TWO_SERVICES)).entrypoints}
    assert {name: (s.binary, s.topic, s.manager) for name, s in services.items()} == {
        "proj-compute": ("proj-compute", "q-proj-compute", "proj.compute.Manager"),
        "proj-conductor": ("proj-conductor", "q-proj-conductor", "proj.conductor.Manager")}
    # The table both services look their manager up in is the engine's one answer for the tree ...
    assert evaluated.count(("proj.service", "SERVICE_MANAGERS")) == 1
    # ... while what depends on the script's name is each reader's own (and the engine's, once).
    assert evaluated.count(("proj.cmd.common", "TOPIC")) == 3


def test_what_the_entry_point_and_route_readers_both_ask_is_answered_once(make_tree, monkeypatch):
    from stackread.flows.entrypoints import entrypoints_of_project, open_project
    from stackread.frameworks.rest.routes_mapper import routes_of_project
    from stackread.program.constants import ConstantEvaluator

    root = make_tree({
        "setup.cfg": """
            [metadata]
            name = placement
            [entry_points]
            console_scripts =
                placement-status = placement.handlers:status
            """,
        "placement/__init__.py": "",
        "placement/handlers.py": "def status():\n    pass\n\n\ndef list_providers(req):\n    pass\n",
        "placement/handler.py": """
            from placement import handlers

            ROUTE_DECLARATIONS = {
                '/resource_providers': {'GET': handlers.list_providers},
                '/status': {'GET': handlers.status},
            }
            """,
    })
    evaluated = []
    own = ConstantEvaluator._module_attr
    monkeypatch.setattr(ConstantEvaluator, "_module_attr",
                        lambda self, module, name: evaluated.append((module.name, name)) or own(self, module, name))
    project = open_project(root)  # one run asking both questions: `gallery`, `trace`
    (status,) = entrypoints_of_project(project).entrypoints
    routes = routes_of_project(project).routes
    assert (status.path, status.line) == ("placement/handlers.py", 1)
    assert {(r.path, r.controller, r.controller_line) for r in routes} == {
        ("/resource_providers", "placement.handlers.list_providers", 5), ("/status", "placement.handlers.status", 1)}
    assert evaluated.count(("placement.handlers", "status")) == 1
