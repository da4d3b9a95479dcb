"""Drivers handed on (issue 18) on real Nova: the compute manager hands its virt driver and Cinder API
to the block device (`bdm.attach(context, instance, self.volume_api, self.driver, do_driver_attach=True)`
in nova/compute/manager.py), and nova/virt/block_device.py calls them: the volume attach and detach
flows reach the driver and Cinder's attachment calls. Ocata's manager calls its driver itself."""

import pytest

from stackread.flows.gallery import TreeTracer
from stackread.flows.question import Question
from stackread.flows.reading import Reading

pytestmark = pytest.mark.real

_TRACERS: dict = {}


@pytest.fixture(scope="module", autouse=True)
def _tracers():
    yield
    for tracer in _TRACERS.values():
        tracer.__exit__(None, None, None)
    _TRACERS.clear()


def trace(path, operation):
    if str(path) not in _TRACERS:
        _TRACERS[str(path)] = TreeTracer(Reading(path), Question(""))
    return _TRACERS[str(path)].trace_named(operation)


def find(step, function):
    todo = [step]
    while todo:
        step = todo.pop(0)
        if step.function == function:
            return step
        todo += step.children
    return None


def calls(step):
    """What the step calls off the error path (the gallery's flows carry it too)."""
    return [(c.kind, c.function) for c in step.children if not c.error_path]


BD = "nova.virt.block_device.DriverVolumeBlockDevice"
CINDER = "nova.volume.cinder.API"
LIBVIRT = "nova.virt.libvirt.driver.LibvirtDriver"


def test_volume_attach_reaches_the_driver_and_cinder_attachments_through_the_block_device(real_release):
    flow = trace(real_release("nova-current"), "server add volume")
    manager = find(flow.root, "nova.compute.manager.ComputeManager._attach_volume")
    # convert_volume() may make any of the four volume block devices; only DriverVolumeBlockDevice's
    # attach takes do_driver_attach (the three others' would raise TypeError).
    assert calls(manager) == [("call", f"{BD}.attach")]
    attach = next(c for c in manager.children if not c.error_path)
    assert calls(attach) == [("call", f"{BD}._get_volume"), ("service", f"{CINDER}.check_availability_zone"),
                             ("call", f"{BD}._do_attach")]
    do_attach = [c for c in attach.children if not c.error_path][2]
    assert calls(do_attach) == [("driver", f"{LIBVIRT}.get_volume_connector"), ("call", f"{BD}._legacy_volume_attach"),
                                ("call", f"{BD}._volume_attach")]
    new_style = [c for c in do_attach.children if not c.error_path][2]
    assert new_style.condition == "self['attachment_id']"
    # nova/virt/block_device.py:668 attachment_update, :692 virt_driver.attach_volume, :720 attachment_complete
    assert [(c.kind, c.function, c.call_line) for c in new_style.children if not c.error_path] == [
        ("service", f"{CINDER}.attachment_update", 668), ("driver", f"{LIBVIRT}.attach_volume", 692),
        ("service", f"{CINDER}.attachment_complete", 720)]


def test_volume_detach_reaches_the_driver_on_current_nova_as_on_ocata(real_release):
    flow = trace(real_release("nova-current"), "server remove volume")
    detach = find(flow.root, f"{BD}.driver_detach")
    assert calls(detach) == [("driver", f"{LIBVIRT}.instance_exists"), ("driver", f"{LIBVIRT}.detach_volume")]
    assert (("service", f"{CINDER}.attachment_delete") in calls(find(flow.root, f"{BD}._do_detach")))
    ocata = trace(real_release("nova-ocata"), "server remove volume")
    assert ("driver", f"{LIBVIRT}.detach_volume") in calls(
        find(ocata.root, "nova.compute.manager.ComputeManager._driver_detach_volume"))
