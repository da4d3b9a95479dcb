"""Values in containers, implicit calls, super() through the C3 MRO and strings that name code
(issue 14), one rule per tiny package."""

import pytest

from stackread.flows.callgraph import load_callgraph
from stackread.flows.reading import Reading


@pytest.fixture
def graph_of(make_tree):
    def build(source):
        root = make_tree({"m.py": source})
        return load_callgraph(Reading(root, use_cache=False)).graph
    return build


def callees(graph, name, line=None):
    return {e.callee for e in graph.calls_from(name) if line is None or e.line == line}


def line_of(source, text):
    """The line of `text` in a fixture's m.py (written without its leading newline, as make_tree does)."""
    return next(number for number, line in enumerate(source.lstrip("\n").splitlines(), 1) if text in line)


FUNCS = """
def a():
    pass

def b():
    pass

def c():
    pass
"""


# -- containers ---------------------------------------------------------------------------------

def test_a_list_literal_indexed_by_a_constant_calls_that_element(graph_of):
    source = FUNCS + """
def run():
    handlers = [a, b]
    handlers[0]()
    handlers[-1]()
"""
    g = graph_of(source)
    assert callees(g, "m.run", line_of(source, "handlers[0]")) == {"m.a"}
    assert callees(g, "m.run", line_of(source, "handlers[-1]")) == {"m.b"}


def test_iterating_a_list_or_a_comprehension_calls_every_element(graph_of):
    g = graph_of(FUNCS + """
def run():
    for f in [a, b]:
        f()

def comp():
    [h() for h in (a, c)]

def made():
    fs = [h for h in (b, c)]
    fs[0]()

def table():
    by_name = {f.__name__: f for f in {a, c}}
    by_name['a']()
""")
    assert callees(g, "m.run") == {"m.a", "m.b"}
    assert callees(g, "m.comp") == {"m.a", "m.c"}
    assert callees(g, "m.made") == {"m.b", "m.c"}
    assert callees(g, "m.table") == {"m.a", "m.c"}  # keys made in a comprehension are not known


def test_a_grown_container_holds_what_it_was_given(graph_of):
    g = graph_of(FUNCS + """
HANDLERS = []

def register(f):
    HANDLERS.append(f)

def appended():
    fs = []
    fs.append(a)
    fs.extend([b])
    fs.insert(0, c)
    for f in fs:
        f()

def updated():
    table = {'a': a}
    table.update({'b': b})
    table['b']()

def keyed():
    table = {}
    table['create'] = c
    table.setdefault('delete', a)
    table['create']()
    table['delete']()
""")
    assert callees(g, "m.appended") == {"m.a", "m.b", "m.c"}
    assert callees(g, "m.updated") == {"m.a", "m.b"}
    assert callees(g, "m.keyed", 32) == {"m.c"} and callees(g, "m.keyed", 33) == {"m.a"}


def test_a_dict_of_bound_methods_is_called_by_key(graph_of):
    g = graph_of("""
class Engine(object):
    def create(self):
        pass
    def delete(self):
        pass
    def __init__(self):
        self.actions = {'create': self.create, 'delete': self.delete}
    def act(self):
        self.actions['delete']()
        for name, action in self.actions.items():
            action()
""")
    assert callees(g, "m.Engine.act") == {"m.Engine.delete", "m.Engine.create"}
    assert callees(g, "m.Engine.act", 9) == {"m.Engine.delete"}


def test_unpacking_slicing_and_starred_targets_keep_positions(graph_of):
    g = graph_of(FUNCS + """
def run():
    pair = (a, b)
    x, y = pair
    y()
    first, *rest = [a, b, c]
    first()
    rest[-1]()
    pair[1:][0]()
""")
    lines = {(e.callee, e.line) for e in g.calls_from("m.run")}
    assert lines == {("m.b", 13), ("m.a", 15), ("m.c", 16), ("m.b", 17)}


def test_a_tuple_returned_is_unpacked_by_the_caller(graph_of):
    g = graph_of(FUNCS + """
def make_msg(method, **kw):
    return method, kw

def pick():
    return a, (b, c)

def run():
    one, (two, three) = pick()
    three()
    method, kwargs = make_msg('create_stack', x=1)
    return method
""")
    assert callees(g, "m.run") == {"m.make_msg", "m.pick", "m.c"}


# -- implicit calls -----------------------------------------------------------------------------

def test_making_an_instance_calls_new_and_init_never_the_class(graph_of):
    g = graph_of("""
class Plain(object):
    pass

class Base(object):
    def __init__(self):
        pass

class Made(Base):
    def __new__(cls):
        return super().__new__(cls)

def run():
    Plain()
    Made()
    raise Made
""")
    assert callees(g, "m.run") == {"m.Made.__new__", "m.Base.__init__"}
    assert {e.line for e in g.calls_from("m.run") if e.callee == "m.Base.__init__"} == {14, 15}


def test_loops_with_blocks_subscripts_operators_and_len_call_user_dunders(graph_of):
    g = graph_of("""
class Box(object):
    def __iter__(self):
        return self
    def __next__(self):
        raise StopIteration
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        pass
    def __getitem__(self, key):
        pass
    def __setitem__(self, key, value):
        pass
    def __add__(self, other):
        pass
    def __eq__(self, other):
        pass
    def __contains__(self, item):
        pass
    def __len__(self):
        pass

def run():
    box = Box()
    for item in box:
        pass
    with box:
        pass
    box['k']
    box['k'] = 1
    box + 1
    box == 2
    3 in box
    len(box)
    [1, 2][0]
""")
    names = {callee.rpartition(".")[2] for callee in callees(g, "m.run")}
    assert names == {"__init__", "__iter__", "__next__", "__enter__", "__exit__", "__getitem__", "__setitem__",
                     "__add__", "__eq__", "__contains__", "__len__"} - {"__init__"}


def test_with_as_binds_what_enter_returns(graph_of):
    g = graph_of("""
class Session(object):
    def commit(self):
        pass

class Opener(object):
    def __enter__(self):
        return Session()
    def __exit__(self, *exc):
        pass

def run():
    with Opener() as session:
        session.commit()
""")
    assert "m.Session.commit" in callees(g, "m.run")


def test_generators_hand_their_yields_to_the_loop(graph_of):
    g = graph_of("""
class Task(object):
    def run(self):
        pass

def tasks():
    yield Task()

def more():
    yield from tasks()

def main():
    for task in more():
        task.run()
""")
    assert callees(g, "m.main") == {"m.more", "m.Task.run"}


def test_a_generator_context_manager_binds_its_yield(graph_of):
    g = graph_of("""
class Conn(object):
    def close(self):
        pass

def connected():
    yield Conn()

def run():
    with connected() as conn:
        conn.close()
""")
    assert "m.Conn.close" in callees(g, "m.run")


# -- super() and the MRO ------------------------------------------------------------------------

def test_super_in_a_mixin_follows_the_mro_of_the_instances_class(graph_of):
    g = graph_of("""
class A(object):
    def f(self):
        pass

class B(A):
    def f(self):
        super().f()

class C(A):
    def f(self):
        super(C, self).f()

class D(B, C):
    def f(self):
        super(D, self).f()
""")
    assert callees(g, "m.D.f") == {"m.B.f"}
    # D's MRO is D, B, C, A: B's super() reaches C for a D, A for a plain B
    assert callees(g, "m.B.f") == {"m.C.f", "m.A.f"}
    assert callees(g, "m.C.f") == {"m.A.f"}


# -- strings that name code ---------------------------------------------------------------------

def test_getattr_with_a_name_held_or_made_from_known_strings(graph_of):
    g = graph_of("""
class Engine(object):
    TABLE = {'create': 'do_create'}
    def do_create(self):
        pass
    def do_delete(self):
        pass
    def create_server(self):
        pass
    def held(self):
        name = 'do_delete'
        getattr(self, name)()
    def made(self, res):
        action = 'create'
        getattr(self, 'do_' + action)()
        getattr(self, 'create_%s' % 'server')()
        getattr(self, f'do_{action}')()
    def table(self):
        getattr(self, self.TABLE['create'])()
    def unknown(self, name):
        getattr(self, name)()
""")
    assert callees(g, "m.Engine.held") == {"m.Engine.do_delete"}
    assert callees(g, "m.Engine.made") == {"m.Engine.do_create", "m.Engine.create_server"}
    assert callees(g, "m.Engine.table") == {"m.Engine.do_create"}
    assert callees(g, "m.Engine.unknown") == set()


def test_import_object_with_a_path_that_flowed_into_a_local(make_tree):
    root = make_tree({
        "pkg/__init__.py": "",
        "pkg/drivers.py": "class Fake(object):\n    def start(self):\n        pass\n",
        "pkg/main.py": """
            from oslo_utils import importutils

            def run(kind='Fake'):
                path = 'pkg.drivers.' + 'Fake'
                driver = importutils.import_object(path)
                driver.start()
            """,
    })
    g = load_callgraph(Reading(root, use_cache=False)).graph
    assert "pkg.drivers.Fake.start" in callees(g, "pkg.main.run")


def test_unresolvable_stays_unresolved(graph_of):
    g = graph_of("""
def start():
    pass

def run(items, table, name):
    for f in items:
        f()
    table[name]()
    [start for _ in items][0]
    {}.get(name)()
""")
    assert callees(g, "m.run") == set()


def test_reading_a_property_on_any_instance_runs_it(graph_of):
    g = graph_of("""
class Flavor(object):
    @property
    def memory(self):
        return 1

class Other(object):
    memory = 2

def run(other):
    flavor = Flavor()
    flavor.memory
    Other().memory
    other.memory
""")
    assert callees(g, "m.run") == {"m.Flavor.memory"}
