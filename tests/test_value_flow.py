"""Values that flow between functions (issue 14): parameters, returns, functions as values, lambdas,
decorators. One rule per tiny package, as tests/test_resolution.py does."""

import pytest

from stackread.flows.callgraph import load_callgraph
from stackread.flows.reading import Reading


@pytest.fixture
def graph_of(make_tree):
    def build(files, **kwargs):
        root = make_tree(files)
        return load_callgraph(Reading(root, use_cache=False), **kwargs).graph
    return build


def callees(graph, name):
    return {e.callee for e in graph.calls_from(name)}


def test_a_parameter_holds_what_its_callers_pass_by_position_and_keyword(graph_of):
    g = graph_of({"m.py": """
        class Driver:
            def spawn(self):
                pass
        class Other:
            def stop(self):
                pass
        def boot(driver, other=None):
            driver.spawn()
            other.stop()
        def main():
            boot(Driver(), other=Other())
        """})
    assert callees(g, "m.boot") == {"m.Driver.spawn", "m.Other.stop"}


def test_a_parameter_left_out_holds_its_default_any_expression(graph_of):
    g = graph_of({"m.py": """
        class Driver:
            def spawn(self):
                pass
        DEFAULT = Driver()
        def boot(driver=DEFAULT):
            driver.spawn()
        def main():
            boot()
        """})
    assert callees(g, "m.boot") == {"m.Driver.spawn"}


def test_parameters_follow_through_several_functions_and_bound_methods_skip_self(graph_of):
    g = graph_of({"m.py": """
        class Driver:
            def spawn(self):
                pass
        class Manager:
            def build(self, driver):
                self._run(driver)
            def _run(self, drv):
                drv.spawn()
            @classmethod
            def make(cls, drv):
                drv.spawn()
        def main():
            Manager().build(Driver())
            Manager.make(Driver())
        """})
    assert callees(g, "m.Manager._run") == {"m.Driver.spawn"}
    assert callees(g, "m.Manager.make") == {"m.Driver.spawn"}


def test_args_and_kwargs_forwarded_by_a_wrapper(graph_of):
    g = graph_of({"m.py": """
        class Driver:
            def spawn(self):
                pass
        class Net:
            def plug(self):
                pass
        def boot(driver, net=None):
            driver.spawn()
            net.plug()
        def wrapper(*args, **kwargs):
            return boot(*args, **kwargs)
        def main():
            wrapper(Driver(), net=Net())
        """})
    assert callees(g, "m.boot") == {"m.Driver.spawn", "m.Net.plug"}


def test_functools_partial_pre_binds_arguments_and_its_call_binds_the_rest(graph_of):
    g = graph_of({"m.py": """
        import functools
        class Driver:
            def spawn(self):
                pass
        class Net:
            def plug(self):
                pass
        def boot(driver, net):
            driver.spawn()
            net.plug()
        def later(fn):
            fn(Net())
        def main():
            later(functools.partial(boot, Driver()))
        """})
    assert callees(g, "m.boot") == {"m.Driver.spawn", "m.Net.plug"}
    assert "m.boot" in callees(g, "m.later")


def test_a_function_passed_to_a_function_of_the_tree_is_called_where_the_parameter_is_called(graph_of):
    g = graph_of({"m.py": """
        def done():
            pass
        def run(callback):
            callback()
        def main():
            run(done)
        """})
    assert callees(g, "m.main") == {"m.run"}
    assert callees(g, "m.run") == {"m.done"}


def test_a_function_passed_to_a_library_counts_as_called_by_the_caller(graph_of):
    g = graph_of({"m.py": """
        import eventlet
        import functools
        import threading
        def work(x=None):
            pass
        def main():
            eventlet.spawn(work)
            threading.Thread(target=work)
            list(map(work, []))
            eventlet.spawn(functools.partial(work, 1))
        """})
    assert callees(g, "m.main") == {"m.work"}
    assert {e.line for e in g.calls_from("m.main") if e.callee == "m.work"} == {7, 8, 9, 10}


def test_callbacks_handed_to_a_driver_are_called_by_the_driver(graph_of):
    g = graph_of({"m.py": """
        class Driver:
            def live_migration(self, context, post_method, recover_method):
                self._monitor(context, post_method, recover_method)
            def _monitor(self, context, post, recover):
                try:
                    post(context)
                except Exception:
                    recover(context)
        class Manager:
            def __init__(self):
                self.driver = Driver()
            def migrate(self, context):
                self.driver.live_migration(context, self._post, self._rollback)
            def _post(self, context):
                pass
            def _rollback(self, context):
                pass
        """})
    assert callees(g, "m.Manager.migrate") == {"m.Driver.live_migration"}
    assert callees(g, "m.Driver._monitor") == {"m.Manager._post", "m.Manager._rollback"}


def test_bound_methods_stored_and_called_later(graph_of):
    g = graph_of({"m.py": """
        class Job:
            def __init__(self):
                self._cb = self.on_done
            def on_done(self):
                pass
            def finish(self):
                self._cb()
            def other(self):
                handler = self.on_done
                handler()
        """})
    assert callees(g, "m.Job.finish") == {"m.Job.on_done"}
    assert callees(g, "m.Job.other") == {"m.Job.on_done"}


def test_returns_of_a_factory_a_closure_and_a_property(graph_of):
    g = graph_of({"m.py": """
        class Driver:
            def spawn(self):
                pass
        def make_runner(driver):
            def run():
                driver.spawn()
            return run
        class Holder:
            @property
            def driver(self):
                return Driver()
            def go(self):
                self.driver.spawn()
        def main():
            runner = make_runner(Driver())
            runner()
        """})
    assert callees(g, "m.main") >= {"m.make_runner", "m.make_runner.run"}
    assert callees(g, "m.make_runner.run") == {"m.Driver.spawn"}
    assert "m.Driver.spawn" in callees(g, "m.Holder.go")


def test_lambdas_are_functions_named_by_position_with_their_own_calls(graph_of):
    g = graph_of({"m.py": """
        class Driver:
            def spawn(self):
                pass
        def apply(fn, value):
            return fn(value)
        def main():
            first = lambda d: d.spawn()
            apply(lambda d: d.spawn(), Driver())
            first(Driver())
        top = lambda: main()
        """})
    assert "m.main.<lambda1>" in g and "m.main.<lambda2>" in g and "m.<lambda1>" in g
    assert callees(g, "m.main.<lambda1>") == {"m.Driver.spawn"}
    assert callees(g, "m.main.<lambda2>") == {"m.Driver.spawn"}
    assert callees(g, "m.apply") == {"m.main.<lambda2>"}
    assert callees(g, "m.<lambda1>") == {"m.main"}
    assert "m.main.<lambda1>" in callees(g, "m.main")


def test_an_unresolvable_parameter_stays_unresolved_never_bound_by_name(graph_of):
    g = graph_of({"m.py": """
        class Driver:
            def spawn(self):
                pass
        def boot(driver):
            driver.spawn()
        def main(thing):
            boot(thing)
        """})
    assert callees(g, "m.boot") == set()


def test_a_decorated_function_called_runs_the_wrapper_which_calls_it(graph_of):
    g = graph_of({"m.py": """
        import functools
        def deco(func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                return func(*args, **kwargs)
            return wrapper
        def retry(times):
            def decorator(fn):
                def again(*args):
                    return fn(*args)
                return again
            return decorator
        @deco
        def f():
            pass
        @retry(3)
        @deco
        def g():
            pass
        def main():
            f()
            g()
        """})
    assert callees(g, "m.main") == {"m.deco.wrapper", "m.retry.decorator.again"}
    assert callees(g, "m.deco.wrapper") == {"m.f", "m.g"}
    assert callees(g, "m.retry.decorator.again") == {"m.deco.wrapper"}


def test_decorator_classes_and_decorated_methods(graph_of):
    g = graph_of({"m.py": """
        class Traced:
            def __init__(self, func):
                self.func = func
            def __call__(self, *args):
                return self.func(*args)
        def sync(fn):
            def inner(self, *args):
                return fn(self, *args)
            return inner
        @Traced
        def work():
            pass
        class Manager:
            @sync
            def build(self):
                pass
            @property
            def name(self):
                return "x"
            def run(self):
                work()
                self.build()
        """})
    assert callees(g, "m.Manager.run") == {"m.Traced.__call__", "m.sync.inner"}
    assert callees(g, "m.Traced.__call__") == {"m.work"}
    assert callees(g, "m.sync.inner") == {"m.Manager.build"}


@pytest.fixture
def program_of(make_tree):
    from stackread.diagnostics import Diagnostics
    from stackread.flows.callgraph import build_program

    def build(files, follow_parameters=True):
        reading = Reading(make_tree(files), use_cache=False)
        diagnostics = Diagnostics()
        with reading.open_cache(diagnostics) as cache:
            program = build_program(reading.tree, cache, diagnostics, False)[0]
            program.follow_parameters = follow_parameters
            return program
    return build


_WRAPPER = {"m.py": """
    class Client:
        def _cast(self, ctxt, method, **kwargs):
            self.cctxt.cast(ctxt, method, **kwargs)
        def create(self, ctxt):
            self._cast(ctxt, 'create_instance')
        def delete(self, ctxt):
            self._cast(ctxt, method='delete_instance')
    """}


def _strings(values):
    return {v[1] for v in values if v[0] == "str"}


def test_a_wrappers_parameter_holds_every_callers_value_and_one_callers_on_its_path(program_of):
    from stackread.program.facts import Scope

    program = program_of(_WRAPPER)
    module = program.modules["m"]
    cast = Scope(module, "Client._cast")
    assert _strings(program.resolve(["n", "method"], cast)) == {"create_instance", "delete_instance"}
    site = next(r for r in program.calls_in("m.Client.create") if r[1][-1] == "_cast")
    bound = program.bind_arguments(Scope(module, "Client.create"), site, "m.Client._cast")
    assert _strings(dict(bound)["method"]) == {"create_instance"}
    on_path = Scope(module, "Client._cast", args=bound)
    assert _strings(program.resolve(["n", "method"], on_path)) == {"create_instance"}


def test_without_following_parameters_only_a_bound_path_gives_values(program_of):
    from stackread.program.facts import Scope

    program = program_of(_WRAPPER, follow_parameters=False)
    module = program.modules["m"]
    assert program.resolve(["n", "method"], Scope(module, "Client._cast")) == frozenset()
    site = next(r for r in program.calls_in("m.Client.delete") if r[1][-1] == "_cast")
    bound = program.bind_arguments(Scope(module, "Client.delete"), site, "m.Client._cast")
    assert _strings(program.resolve(["n", "method"], Scope(module, "Client._cast", args=bound))) == {"delete_instance"}


def test_rpc_reads_a_cast_wrapper_once_per_caller_with_the_method_it_passes(make_tree):
    from test_rpc import MINI_NOVA

    from stackread.flows.rpc import find_rpc

    files = dict(MINI_NOVA)
    files["nova/compute/rpcapi.py"] = files["nova/compute/rpcapi.py"] + """
        class WrappedAPI(ComputeAPI):
            def _cast(self, ctxt, method, **kwargs):
                cctxt = self.client.prepare(version='6.0')
                cctxt.cast(ctxt, method, **kwargs)
            def refresh_all(self, ctxt):
                self._cast(ctxt, 'refresh')
            def console(self, ctxt):
                self._cast(ctxt, method='get_console_output')
        """
    report = find_rpc(Reading(make_tree(files, name="nova"), use_cache=False))
    wrapped = {(s.client.rpartition(".")[2], s.client_line, s.method) for s in report.sends if "WrappedAPI" in s.client}
    assert {(client, method) for client, _line, method in wrapped} == {("refresh_all", "refresh"),
                                                                       ("console", "get_console_output")}


def test_a_function_kept_by_a_library_is_not_called_there(graph_of):
    g = graph_of({"m.py": """
        import functools
        def on_error(context):
            pass
        def guarded(handler):
            handler()
        def logged(func):
            @functools.wraps(func)
            def inner(*args):
                return func(*args)
            return inner
        def run():
            guarded(functools.partial(on_error, "ctx"))
        """})
    assert callees(g, "m.run") == {"m.guarded"}
    assert callees(g, "m.guarded") == {"m.on_error"}
    assert callees(g, "m.logged") == set()


def test_a_decorator_with_arguments_is_applied_where_the_function_is_defined(graph_of):
    g = graph_of({"m.py": """
        def retry(times):
            def decorator(func):
                return func
            return decorator
        @retry(2)
        def fetch():
            pass
        """})
    assert callees(g, "m") == {"m.retry", "m.retry.decorator"}


def test_a_function_handing_back_its_parameter_returns_what_this_caller_passed(graph_of):
    g = graph_of({"m.py": """
        def create():
            pass
        def delete():
            pass
        def passthrough(func):
            return func
        def do_create():
            return passthrough(create)()
        def do_delete():
            return passthrough(delete)()
        """})
    assert callees(g, "m.do_create") == {"m.passthrough", "m.create"}
    assert callees(g, "m.do_delete") == {"m.passthrough", "m.delete"}


def test_a_function_handed_on_to_a_library_by_a_helper_is_called_by_the_caller_that_handed_it(graph_of):
    g = graph_of({"m.py": """
        import logging
        LOG = logging.getLogger(__name__)
        def submit(executor, fn):
            LOG.debug("running %s", fn)
            return executor.submit(fn)
        def build():
            pass
        def main(executor):
            submit(executor, build)
        """})
    assert callees(g, "m.main") == {"m.submit", "m.build"}


def test_a_helper_every_caller_hands_its_function_to_leaves_the_edge_with_each_caller(graph_of):
    helpers = "\n".join(f"def f{i}():\n    pass\ndef use{i}():\n    run(f{i})" for i in range(10))
    g = graph_of({"m.py": "def run(fn):\n    fn()\n" + helpers + "\n"})
    assert callees(g, "m.use3") == {"m.run", "m.f3"}
    assert callees(g, "m.run") == set()


def test_args_forwarded_round_a_cycle_of_wrappers_end(graph_of):
    """`*args` handed round a cycle that shifts positions (Cinder's driver `__init__`s through super()):
    each turn asks for a new position, so no memo entry ends the chain; a bound does."""
    g = graph_of({"m.py": """
        def run():
            pass

        def f(a, b, *args):
            g(*args)

        def g(c, *args):
            c()
            f(*args)

        f(1, 2, run)
        """})
    assert "m.run" in {e.callee for e in g.calls_from("m.g")}


def test_a_partial_makes_what_its_function_makes_of_the_arguments_pre_bound_where_it_was_made(graph_of):
    # Nova's block_device: `convert_volumes = functools.partial(_convert_block_devices, DriverVolumeBlockDevice)`.
    g = graph_of({"m.py": """
        import functools
        import itertools
        class Volume:
            def attach(self):
                pass
        class Swap:
            def attach(self):
                pass
        def _convert(device_type, mappings):
            devices = []
            for mapping in mappings:
                devices.append(device_type(mapping))
            return devices
        convert_volumes = functools.partial(_convert, Volume)
        convert_swaps = functools.partial(_convert, Swap)
        def convert_volume(*bdms):
            return [v for v in itertools.chain(convert_volumes(bdms))][0]
        def main(bdm):
            convert_volume(bdm).attach()
        """})
    assert callees(g, "m.main") == {"m.convert_volume", "m.Volume.attach"}  # not Swap's: another partial's


def test_itertools_chain_iterates_each_argument_in_turn_starred_too(graph_of):
    g = graph_of({"m.py": """
        import itertools
        class A:
            def run(self):
                pass
        class B:
            def run(self):
                pass
        class C:
            def run(self):
                pass
        def main():
            for x in itertools.chain([A()], [B()]):
                x.run()
        def starred():
            for y in itertools.chain(*[[C()]]):
                y.run()
        """})
    assert callees(g, "m.main") == {"m.A.run", "m.B.run"}
    assert callees(g, "m.starred") == {"m.C.run"}


def test_super_call_binds_its_arguments_after_self(graph_of):
    g = graph_of({"m.py": """
        class Api:
            def create(self):
                pass
        class Driver:
            def connect(self):
                pass
        class Volume:
            def attach(self, api, driver):
                driver.connect()
        class Blank(Volume):
            def attach(self, api, driver):
                api.create()
                super(Blank, self).attach(api, driver)
        def main():
            Blank().attach(Api(), Driver())
        """})
    assert callees(g, "m.Volume.attach") == {"m.Driver.connect"}


def test_a_call_runs_no_override_that_cannot_take_its_keywords(graph_of):
    g = graph_of({"m.py": """
        def logged(f):
            return f
        class Volume:
            def attach(self, ctx, do_driver_attach=False):
                pass
        class Blank(Volume):
            def attach(self, ctx, wait_func=None):
                pass
        class Image(Volume):
            def attach(self, ctx, **kwargs):
                pass
        class Snapshot(Volume):
            @logged
            def attach(self, ctx):
                pass
        def main(ctx):
            for bdm in [Volume(), Blank(), Image(), Snapshot()]:
                bdm.attach(ctx, do_driver_attach=True)
                bdm.attach(ctx)
        """})
    # Blank's attach would raise TypeError; a decorated one may be a wrapper's that takes anything.
    lines = {(e.callee, e.line) for e in g.calls_from("m.main")}
    assert {c for c, line in lines if line == 18} == {"m.Volume.attach", "m.Image.attach", "m.Snapshot.attach"}
    assert {c for c, line in lines if line == 19} == {"m.Volume.attach", "m.Blank.attach", "m.Image.attach",
                                                      "m.Snapshot.attach"}
