"""`--set` and `--driver` on real releases: what works keeps working, typos get the close names."""

import os
import subprocess
import sys

import pytest

from stackread.flows.question import Question
from stackread.flows.trace import MAX_DEPTH, trace_operation

pytestmark = pytest.mark.real


def default_hops(trace):
    return [(h.source, h.kind, h.target, h.method) for h in trace.hops if h.default_path and not h.error_path]


def run(*args):
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "stackread", *args], capture_output=True, text=True, timeout=600,
                          env=env)


def test_ocata_use_neutron_in_either_spelling(real_release):
    path = real_release("nova-ocata")
    bare = trace_operation(path, Question("create_server", settings={"use_neutron": "false"}))
    grouped = trace_operation(path, Question("create_server", settings={"DEFAULT.use_neutron": "False"}))
    assert ("nova-api", "call", "nova-network", "validate_networks") in default_hops(bare)
    assert default_hops(grouped) == default_hops(bare) and grouped.settings == bare.settings == {"use_neutron": False}
    cells = trace_operation(path, Question("create_server", settings={"cells.enable": "true"}))
    hops = {h.method: h for h in cells.hops if h.source == "nova-api"}
    assert hops["build_instances"].default_path and not hops["schedule_and_build_instances"].default_path


def test_current_workarounds_option_decides_the_placement_query(real_release):
    path = real_release("nova-current")

    def pcpu_fallback(settings):
        trace = trace_operation(path, Question("create_server", settings=settings, depth=MAX_DEPTH))
        found, todo = set(), [trace.root]
        while todo:
            step = todo.pop()
            todo += step.children
            if step.condition and "disable_fallback_pcpu_query" in step.condition:
                found.add(step.default_path)
        return found

    assert pcpu_fallback({}) == {True}
    assert pcpu_fallback({"workarounds.disable_fallback_pcpu_query": "true"}) == {False}


def test_typos_on_current_nova_get_close_matches(real_release):
    path = str(real_release("nova-current"))
    result = run("trace", "reboot", "-C", path, "--set", "reclaim_instanse_interval=3600")
    assert result.returncode == 2
    assert result.stderr == ("stackread: error: --set: no option 'reclaim_instanse_interval' in this tree; "
                             "did you mean DEFAULT.reclaim_instance_interval?\n")
    result = run("trace", "reboot", "-C", path, "--set", "workaround.disable_fallback_pcpu_query=true")
    assert result.returncode == 2 and "did you mean workarounds.disable_fallback_pcpu_query?" in result.stderr
    result = run("trace", "reboot", "-C", path, "--set", "reclaim_instance_interval=soon")
    assert result.returncode == 2 and "reclaim_instance_interval is an IntOpt (nova/conf/compute.py:" in result.stderr
    result = run("breakpoints", "reboot", "-C", path, "--driver", "no_such_driver")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    listed = result.stderr.split("drivers of nova.virt.driver.ComputeDriver: ")[1].split("other driver interfaces")[0]
    for name in ("fake.FakeDriver", "ironic.IronicDriver", "libvirt.LibvirtDriver", "vmwareapi.VMwareVCDriver",
                 "zvm.ZVMDriver"):
        assert name in listed
    assert all(len(line) <= 100 for line in result.stderr.splitlines())


def test_ocata_drivers_and_spellings(real_release):
    path = real_release("nova-ocata")
    result = run("trace", "reboot", "-C", str(path), "--driver", "hyperV")
    assert result.returncode == 0, result.stderr
    result = run("trace", "reboot", "-C", str(path), "--driver", "xenap.XenAPIDriver")
    assert result.returncode == 2 and "did you mean xenapi.XenAPIDriver?" in result.stderr
    assert "hyperv.HyperVDriver" in result.stderr
    reboot = trace_operation(path, Question("reboot", driver="ironic.IronicDriver"))
    drivers, todo = set(), [reboot.root]
    while todo:
        step = todo.pop()
        todo += step.children
        drivers |= {step.function} if step.kind == "driver" else set()
    assert "nova.virt.ironic.driver.IronicDriver.reboot" in drivers and not any("Libvirt" in d for d in drivers)


def test_cinder_keeps_its_default_and_lists_volume_drivers(real_release):
    path = str(real_release("cinder-current"))
    assert run("trace", "volume create", "-C", path).returncode == 0
    assert run("trace", "volume create", "-C", path, "--driver", "lvm").returncode == 0
    result = run("trace", "volume create", "-C", path, "--driver", "LVMVolumeDrivr")
    assert result.returncode == 2 and "did you mean drivers.lvm.LVMVolumeDriver?" in result.stderr
    assert "drivers of cinder.volume.driver.VolumeDriver: drivers.lvm.LVMVolumeDriver, " in result.stderr
