"""A condition on a class constant of the driver the path holds (flows/conditions.py `_class_constant`):
Cinder's `log_unsupported_driver_warning(driver)` reads `if not driver.supported:`, a property
returning the class constant `SUPPORTED = True` of the chosen driver, so the warning's calls are off
the default path, with the assumption said; a driver whose constant says otherwise takes it."""

from conftest import write_tree
from test_settings import TREE, compute_manager

from stackread.flows.question import Question
from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

DRIVERS = {
    "nova/virt/driver.py": """
        from oslo_utils import importutils


        class ComputeDriver(object):
            SUPPORTED = True

            @property
            def supported(self):
                return self.SUPPORTED

            def spawn(self):
                raise NotImplementedError()

            def get_version(self):
                return '1.0'


        def load_compute_driver(name):
            driver = importutils.import_object('nova.virt.%s' % name)
            if isinstance(driver, ComputeDriver):
                return driver


        def warn_unsupported(driver):
            if not driver.supported:
                driver.get_version()
        """,
    "nova/virt/libvirt/driver.py": """
        from nova.virt import driver


        class LibvirtDriver(driver.ComputeDriver):
            def spawn(self):
                pass

            def get_version(self):
                return '2.0'
        """,
    "nova/virt/fake.py": """
        from nova.virt import driver


        class FakeDriver(driver.ComputeDriver):
            SUPPORTED = False

            def spawn(self):
                pass

            def get_version(self):
                return '0.1'
        """,
    "nova/compute/manager.py": compute_manager("""
            def build_and_run_instance(self, ctxt, instance):
                driver.warn_unsupported(self.driver)
                self.driver.spawn()
        """),
}


def version_step(tmp_path, **question):
    tree = write_tree(tmp_path / "nova", {**TREE, **DRIVERS})
    trace = trace_operation(Reading(tree, use_cache=False), Question("create_server", **question))
    todo = [trace.root]
    while todo:
        step = todo.pop()
        if step.function.endswith(".get_version"):
            return step
        todo += step.children
    raise AssertionError("get_version is not drawn")


def test_the_chosen_drivers_class_constant_decides_the_branch(tmp_path):
    step = version_step(tmp_path)  # LibvirtDriver inherits SUPPORTED = True
    assert not step.default_path
    assert step.assumed == ["LibvirtDriver.SUPPORTED = True"]


def test_another_driver_with_another_constant_takes_it(tmp_path):
    step = version_step(tmp_path, driver="fake.FakeDriver")
    assert step.default_path and step.assumed == ["FakeDriver.SUPPORTED = False"]
