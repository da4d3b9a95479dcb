"""A driver's fallback (flows/fallbacks.py): `try: self.driver.rebuild() except NotImplementedError:
<the default implementation>` runs the handler on the default path when the chosen driver does not
implement the method (its inherited one only raises NotImplementedError), and the rest of the try does
not run; a driver that implements it keeps the handler an error path."""

from conftest import write_tree
from test_settings import TREE, compute_manager

from stackread.flows.question import Question
from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

DRIVERS = {
    "nova/virt/driver.py": """
        from oslo_utils import importutils


        class ComputeDriver(object):
            def spawn(self):
                raise NotImplementedError()

            def rebuild(self):
                \"\"\"Destroy and re-make the instance; drivers may leave it to the manager.\"\"\"
                raise NotImplementedError()


        def load_compute_driver(name):
            driver = importutils.import_object('nova.virt.%s' % name)
            if isinstance(driver, ComputeDriver):
                return driver
        """,
    "nova/virt/fake.py": """
        from nova.virt import driver


        class FakeDriver(driver.ComputeDriver):
            def spawn(self):
                pass

            def rebuild(self):
                pass
        """,
    "nova/compute/manager.py": compute_manager("""
            def build_and_run_instance(self, ctxt, instance):
                try:
                    self.driver.rebuild()
                    self._after_driver_rebuild()
                except NotImplementedError:
                    self._rebuild_default_impl()
                try:
                    self.driver.spawn()
                except NotImplementedError:
                    self._cannot_spawn()

            def _rebuild_default_impl(self):
                self.driver.spawn()

            def _after_driver_rebuild(self):
                self.driver.spawn()

            def _cannot_spawn(self):
                self.driver.spawn()
        """),
}


def steps(tmp_path, **question):
    tree = write_tree(tmp_path / "nova", {**TREE, **DRIVERS})
    trace = trace_operation(Reading(tree, use_cache=False), Question("create_server", **question))
    found, todo = {}, [trace.root]
    while todo:
        step = todo.pop()
        found.setdefault(step.function.rpartition(".")[2], step)
        todo += step.children
    return found


def test_the_handler_runs_when_the_chosen_driver_only_declares_the_method(tmp_path):
    found = steps(tmp_path)  # LibvirtDriver implements spawn, not rebuild
    fallback = found["_rebuild_default_impl"]
    assert fallback.default_path and not fallback.error_path
    assert fallback.assumed == ["LibvirtDriver does not implement rebuild: ComputeDriver.rebuild raises "
                                "NotImplementedError"]
    assert not found["_after_driver_rebuild"].default_path  # the try stops at the raise
    assert found["_cannot_spawn"].error_path  # spawn is implemented: that handler is the error it was


def test_a_driver_that_implements_the_method_keeps_the_handler_an_error_path(tmp_path):
    found = steps(tmp_path, driver="fake.FakeDriver")
    assert found["_rebuild_default_impl"].error_path and not found["_rebuild_default_impl"].default_path
    assert found["_after_driver_rebuild"].default_path
