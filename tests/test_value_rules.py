"""Rules of the value-flow engine (issue 14) the call-graph suite's last gaps needed: one rule per tiny package."""

import pytest

from stackread.flows.callgraph import load_callgraph
from stackread.flows.reading import Reading


@pytest.fixture
def graph_of(make_tree):
    def build(files):
        return load_callgraph(Reading(make_tree(files), use_cache=False)).graph
    return build


def callees(graph, name):
    return {e.callee for e in graph.calls_from(name)}


def test_a_module_name_bound_again_is_its_last_binding_for_functions(graph_of):
    g = graph_of({"m.py": """
        def old():
            pass

        def new():
            pass

        handler = old
        handler()
        handler = new

        def run():
            handler()
        """})
    assert callees(g, "m.run") == {"m.new"}
    assert "m.old" in callees(g, "m")  # the module's own code in between still sees the first one


def test_a_def_shadowed_by_a_later_import_is_not_called(graph_of):
    g = graph_of({"m.py": """
        def join(*parts):
            pass

        from os.path import join

        def run():
            join("a", "b")
        """})
    assert callees(g, "m.run") == set()


def test_a_rebinding_that_wraps_the_old_value_keeps_it(graph_of):
    g = graph_of({"m.py": """
        import functools

        def work():
            pass

        work = functools.lru_cache()(work)

        def run():
            work()
        """})
    assert callees(g, "m.run") == {"m.work"}


def test_a_global_assigned_in_a_function_binds_the_module_name(graph_of):
    g = graph_of({"m.py": """
        HANDLER = None

        def handle():
            pass

        def install():
            global HANDLER
            local = handle
            HANDLER = local  # read where it is assigned: `local` is install's

        def run():
            HANDLER()
        """})
    assert callees(g, "m.run") == {"m.handle"}


def test_a_property_read_at_module_level_and_on_a_made_object(graph_of):
    g = graph_of({"m.py": """
        class Car:
            @property
            def engine(self):
                return Engine()

        class Engine:
            @property
            def power(self):
                pass

        car = Car()
        car.engine

        def run():
            Car().engine.power
        """})
    assert callees(g, "m") == {"m.Car.engine"}
    assert callees(g, "m.run") == {"m.Car.engine", "m.Engine.power"}


def test_a_decorator_class_with_arguments_binds_the_name_to_what_its_call_returns(graph_of):
    g = graph_of({"m.py": """
        class retry:
            def __init__(self, times):
                self.times = times

            def __call__(self, func):
                def wrapper(*args):
                    return func(*args)
                return wrapper

        @retry(3)
        def connect():
            pass

        def run():
            connect()
        """})
    assert callees(g, "m.run") == {"m.retry.__call__.wrapper"}
    assert callees(g, "m.retry.__call__.wrapper") == {"m.connect"}


def test_a_staticmethod_made_of_a_function_in_a_class_body(graph_of):
    g = graph_of({"m.py": """
        def default_weigher(host):
            pass

        class Scheduler:
            weigher = staticmethod(default_weigher)

            def pick(self, host):
                self.weigher(host)
        """})
    assert callees(g, "m.Scheduler.pick") == {"m.default_weigher"}
    assert callees(g, "m.Scheduler") == set()  # stored there, not called


def test_a_mixin_before_the_base_in_a_subclass_mro_is_what_self_calls_there(graph_of):
    g = graph_of({"m.py": """
        class Base:
            def run(self):
                self.hook()

            def hook(self):
                pass

        class Mixin:
            def hook(self):
                pass

        class Child(Mixin, Base):
            pass
        """})
    assert callees(g, "m.Base.run") == {"m.Base.hook", "m.Mixin.hook"}


def test_a_method_that_only_raises_not_implemented_is_not_called_beside_its_overrides(graph_of):
    g = graph_of({"m.py": """
        import abc

        class Task:
            def execute(self):
                self.do()
                self.undo()
                self.only()

            def do(self):
                raise NotImplementedError()

            @abc.abstractmethod
            def undo(self):
                pass

            def only(self):
                "Nothing overrides it: it is what runs."
                raise NotImplementedError

        class Resize(Task):
            def do(self):
                pass

            def undo(self):
                pass
        """})
    assert callees(g, "m.Task.execute") == {"m.Resize.do", "m.Resize.undo", "m.Task.only"}


def test_import_object_runs_the_constructor_of_what_it_imports(graph_of):
    g = graph_of({
        "m.py": """
            from oslo_utils import importutils

            def load():
                importutils.import_object("drivers.Driver")
            """,
        "drivers.py": """
            class Driver:
                def __init__(self):
                    pass
            """,
    })
    assert callees(g, "m.load") == {"drivers.Driver.__init__"}


def test_operators_on_instances_made_there_and_on_what_add_returns(graph_of):
    g = graph_of({"m.py": """
        class Money:
            def __add__(self, other):
                return Money()

            def __eq__(self, other):
                pass

        def run():
            total = Money() + Money()
            total == 3
        """})
    assert callees(g, "m.run") == {"m.Money.__add__", "m.Money.__eq__"}


def test_functions_handed_in_star_args_are_called_where_they_are_iterated(graph_of):
    g = graph_of({"m.py": """
        def first():
            pass

        def second():
            pass

        def call_all(*funcs):
            for func in funcs:
                func()

        def run():
            call_all(first, second)
        """})
    assert callees(g, "m.call_all") == {"m.first", "m.second"}
    assert callees(g, "m.run") == {"m.call_all"}


def test_a_function_handed_in_kwargs_is_called_where_its_entry_is(graph_of):
    g = graph_of({"m.py": """
        def on_done():
            pass

        def on_error():
            pass

        def execute(**kwargs):
            kwargs.get("callback")()

        def run():
            execute(callback=on_done, errback=on_error)
        """})
    assert callees(g, "m.execute") == {"m.on_done"}
    assert "m.on_done" not in callees(g, "m.run")


def test_kwargs_forwarded_to_a_function_calling_that_parameter(graph_of):
    g = graph_of({"m.py": """
        def notify():
            pass

        def inner(callback=None):
            callback()

        def outer(**kwargs):
            inner(**kwargs)

        def run():
            outer(callback=notify)
        """})
    assert callees(g, "m.inner") == {"m.notify"}
    assert callees(g, "m.run") == {"m.outer"}


def test_what_a_parameter_names_is_returned_per_caller(graph_of):
    g = graph_of({"m.py": """
        class Manager:
            def create(self):
                pass

            def delete(self):
                pass

        class API:
            manager = Manager()

            def _method(self, name):
                return getattr(self.manager, name)

            def create(self):
                self._method("create")()

            def delete(self):
                self._method("delete")()
        """})
    assert callees(g, "m.API.create") == {"m.API._method", "m.Manager.create"}
    assert callees(g, "m.API.delete") == {"m.API._method", "m.Manager.delete"}


def test_assigning_a_property_runs_its_setter(graph_of):
    g = graph_of({"m.py": """
        class Server:
            @property
            def state(self):
                pass

            @state.setter
            def state(self, value):
                pass

            @property
            def name(self):
                pass

            def reset(self):
                self.state = None

        def run(server: Server):
            server = Server()
            server.state = "active"
            server.name = "x"  # no setter: nothing of the program runs
        """})
    assert callees(g, "m.Server.reset") == {"m.Server.state"}
    assert callees(g, "m.run") == {"m.Server.state"}


FORWARDING = """
    class Client:
        def create_port(self, body):
            pass

        def show_port(self, port_id):
            pass


    class ClientWrapper:
        def __init__(self, base_client, admin):
            self.base_client = base_client
            self.admin = admin

        def __getattr__(self, name):
            base_attr = getattr(self.base_client, name)
            if callable(base_attr):
                return self.proxy(base_attr)
            return base_attr

        def proxy(self, obj):
            def wrapper(*args, **kwargs):
                try:
                    return obj(*args, **kwargs)
                except KeyError:
                    raise ValueError()
            return wrapper

        def show_port(self, port_id):  # its own: found before __getattr__ is asked
            pass


    def get_client(context):
        return ClientWrapper(Client(), admin=False)


    def allocate(context, body):
        neutron = get_client(context)
        neutron.create_port(body)
        neutron.show_port(body)
    """


def test_an_attribute_a_forwarding_getattr_answers_is_the_held_objects_member(graph_of):
    # nova/network/neutron.py's ClientWrapper: `__getattr__` hands every name to `self.base_client`,
    # wrapped by `self.proxy(attr)`, whose closure calls what it is handed.
    g = graph_of({"m.py": FORWARDING})
    assert callees(g, "m.allocate") == {"m.get_client", "m.Client.create_port", "m.ClientWrapper.show_port"}


def test_a_getattr_forwards_what_it_looks_up_whatever_the_name_itself_or_through_a_calling_wrapper(graph_of):
    # A name looked up under a condition (nova/virt/block_device.py's `if name in self._proxy_as_attr`)
    # is not every name; a function that never calls what it is handed does not stand for it.
    some = FORWARDING.replace("""            base_attr = getattr(self.base_client, name)
            if callable(base_attr):
                return self.proxy(base_attr)
            return base_attr""", """            if name in ('show_port',):
                return getattr(self.base_client, name)
            raise AttributeError(name)""")
    dropped = FORWARDING.replace("            return base_attr\n", "").replace(
        "                    return obj(*args, **kwargs)", "                    return None")
    plain = FORWARDING.replace("            base_attr = getattr(self.base_client, name)\n",
                               "            return getattr(self.base_client, name)\n")  # the rest is dead code
    for files, forwarded in ((some, set()), (dropped, set()), (plain, {"m.Client.create_port"})):
        assert files != FORWARDING
        assert callees(graph_of({"m.py": files}), "m.allocate") == {"m.get_client", "m.ClientWrapper.show_port",
                                                                     *forwarded}


# -- parameters bound again, and modules imported by version (issue 17: Nova's calls of glanceclient) --

def targets_on_path(make_tree, source, function):
    """What the calls in `function` run, read as `trace -C ... -C ...` reads a client library
    (Program.follow_parameters_of): parameters followed, each call read on its own."""
    from stackread.diagnostics import Diagnostics
    from stackread.flows.callgraph import build_program
    from stackread.index.cache import SummaryCache
    from stackread.program.facts import Scope
    from stackread.source.trees import open_tree

    with SummaryCache(None, stackread_version="test", warn=lambda message: None) as cache:
        program, _indexed = build_program(open_tree(make_tree({"m.py": source})), cache, Diagnostics(), False)
    program.follow_parameters_of(lambda function_full: True)
    definition = program.defs[function]
    module = program.modules[definition.module]
    found = set()
    for record in program.calls_in(function):
        # called as `name(a)` from the module: the path binds `handler` to the function a
        callee = ["n", definition.qualname]
        args = program.bind_arguments(Scope(module, ""), ["", callee, 0, 0, None, [["n", "a"]], {}], function)
        targets, _externals = program.call_targets_as(module, record, None, args=args)
        found |= {t[0] for t in targets}
    return found


BOUND_AGAIN = """
def a():
    pass

def b():
    pass

def call(handler=None):
    first = handler
    handler = b
    first()

def maybe(handler=None):
    if handler is None:
        handler = b
    handler()

def always(handler=None):
    handler = b
    handler()
"""


def test_a_parameter_read_before_the_function_binds_it_again_is_what_was_passed(make_tree):
    # nova/image/glance.py GlanceClientWrapper.call: `controller_name = controller or 'images'`, then
    # `controller = getattr(client, controller_name)`: the first line reads the parameter.
    assert targets_on_path(make_tree, BOUND_AGAIN, "m.call") == {"m.a"}


def test_a_parameter_assigned_only_under_a_condition_still_holds_what_was_passed(make_tree):
    # glanceclient/client.py Client: `if not version: __, version = utils.strip_version(endpoint)`
    # leaves the version the caller passed where no branch assigns it.
    assert targets_on_path(make_tree, BOUND_AGAIN, "m.maybe") == {"m.a", "m.b"}
    assert targets_on_path(make_tree, BOUND_AGAIN, "m.always") == {"m.b"}  # bound again on every path


def test_the_whole_program_reads_a_parameter_bound_again_as_before(graph_of):
    # Read so everywhere, these rules would meet the engine's memoised cycles in another order and
    # move ~100 edges of Nova's call graph (lost ComputeTaskAPI calls among them): kept to crossing.
    g = graph_of({"m.py": BOUND_AGAIN + "\ndef run():\n    call(a)\n    maybe(a)\n"})
    assert callees(g, "m.call") == {"m.b"} and callees(g, "m.maybe") == {"m.b"}


VERSIONED = {
    "lib/__init__.py": "",
    "lib/v1/__init__.py": "",
    "lib/v1/client.py": "class Client(object):\n    def ping(self):\n        pass\n",
    "lib/v2/__init__.py": "",
    "lib/v2/client.py": "class Client(object):\n    def ping(self):\n        pass\n",
    "lib/factory.py": """
        from oslo_utils import importutils

        def Client(version, *args):
            module = importutils.import_versioned_module('lib', int(version), 'client')
            client_class = getattr(module, 'Client')
            return client_class(*args)
        """,
}


def test_import_versioned_module_imports_the_version_passed(graph_of):
    g = graph_of({**VERSIONED, "lib/use.py": """
        from lib import factory

        def run():
            factory.Client(2).ping()
        """})
    assert callees(g, "lib.use.run") >= {"lib.v2.client.Client.ping"}
    assert "lib.v1.client.Client.ping" not in callees(g, "lib.use.run")


def test_import_versioned_module_with_a_version_not_known_is_each_version_package(graph_of):
    g = graph_of({**VERSIONED, "lib/use.py": """
        from lib import factory

        def run(version):
            factory.Client(version).ping()
        """})
    assert {"lib.v1.client.Client.ping", "lib.v2.client.Client.ping"} <= callees(g, "lib.use.run")
