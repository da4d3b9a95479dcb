"""Callbacks where they run (issue 18, flows/handing.py): a function handed to a callee as an
argument is drawn where the callee calls that parameter, under the callee's step and marked as a
callback, not where it is made (`functools.partial`) or handed over."""

from conftest import write_tree
from test_settings import TREE, compute_manager

from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

# MINI's compute manager hands the driver a partial to call when the build is done and a method to
# call when it fails; the driver hands both on to a green thread, whose function calls them.
HANDING = {
    **TREE,
    "nova/virt/driver.py": TREE["nova/virt/driver.py"].replace("""
            def spawn(self):
                raise NotImplementedError()""", """
            def spawn(self, ctxt, post_method, recover_method):
                raise NotImplementedError()

            def get_info(self):
                raise NotImplementedError()

            def destroy(self):
                raise NotImplementedError()"""),
    "nova/virt/libvirt/driver.py": """
        import eventlet

        from nova.virt import driver


        class LibvirtDriver(driver.ComputeDriver):
            def spawn(self, ctxt, post_method, recover_method):
                eventlet.spawn(self._spawn, ctxt, post_method, recover_method)

            def _spawn(self, ctxt, post, recover):
                try:
                    post(ctxt)
                except Exception:
                    recover(ctxt)

            def get_info(self):
                pass

            def destroy(self):
                pass
        """,
    "nova/virt/fake.py": """
        from nova.virt import driver


        class FakeDriver(driver.ComputeDriver):
            def spawn(self, ctxt, post_method, recover_method):
                pass

            def get_info(self):
                pass

            def destroy(self):
                pass
        """,
    "nova/compute/manager.py": compute_manager("""
            def build_and_run_instance(self, ctxt, instance):
                done = functools.partial(self._finish, instance=instance)
                self.driver.spawn(ctxt, done, self._rollback)

            def _finish(self, ctxt, instance=None):
                self.driver.get_info()

            def _rollback(self, ctxt):
                self.driver.destroy()
        """, before="import functools\n\n"),
}


def find(step, function):
    todo = [step]
    while todo:
        step = todo.pop()
        if step.function.endswith(function):
            return step
        todo += step.children
    return None


def test_a_handed_function_runs_under_the_callee_where_it_calls_the_parameter(tmp_path):
    trace = trace_operation(Reading(write_tree(tmp_path / "nova", HANDING), use_cache=False), "create_server")
    manager = find(trace.root, "ComputeManager.build_and_run_instance")
    assert [c.function.rpartition(".")[2] for c in manager.children] == ["spawn"]  # not _finish where it is made
    spawn = manager.children[0]
    assert spawn.kind == "driver" and spawn.function == "nova.virt.libvirt.driver.LibvirtDriver.spawn"
    finish, rollback = spawn.children
    assert finish.function == "nova.compute.manager.ComputeManager._finish"
    assert finish.callback == "called back as post_method at nova/virt/libvirt/driver.py:12"
    assert finish.default_path and not finish.error_path
    assert [c.function.rpartition(".")[2] for c in finish.children] == ["get_info"]  # walked from there
    # Handed as recover_method: called when the driver fails, the error path.
    assert rollback.function == "nova.compute.manager.ComputeManager._rollback" and rollback.error_path
    assert rollback.callback == "called back as recover_method at nova/virt/libvirt/driver.py:14"
