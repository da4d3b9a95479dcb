"""`entrypoints` on real OpenStack releases from the package index (fetched once into the cache)."""

import pytest

from stackread.flows.entrypoints import find_entrypoints

pytestmark = pytest.mark.real


def services(report):
    return {ep.name: ep.service for ep in report.entrypoints if ep.kind == "service"}


def names(report, kind):
    return {ep.name for ep in report.entrypoints if ep.kind == kind}


@pytest.fixture(scope="module")
def ocata(real_release):
    return find_entrypoints(real_release("nova-ocata"))


@pytest.fixture(scope="module")
def current(real_release):
    return find_entrypoints(real_release("nova-current"))


@pytest.fixture(scope="module")
def cinder(real_release):
    return find_entrypoints(real_release("cinder-current"))


def test_nova_ocata_services(ocata):
    assert (ocata.project, ocata.version) == ("nova", "15.1.5")
    found = services(ocata)
    expected = {
        "nova-compute": ("compute", "nova.compute.manager.ComputeManager", "nova/compute/manager.py"),
        "nova-conductor": ("conductor", "nova.conductor.manager.ConductorManager", "nova/conductor/manager.py"),
        "nova-scheduler": ("scheduler", "nova.scheduler.manager.SchedulerManager", "nova/scheduler/manager.py"),
        "nova-network": ("network", "nova.network.manager.VlanManager", "nova/network/manager.py"),
        "nova-cells": ("cells", "nova.cells.manager.CellsManager", "nova/cells/manager.py"),
        "nova-consoleauth": ("consoleauth", "nova.consoleauth.manager.ConsoleAuthManager", "nova/consoleauth/manager.py"),
    }
    for name, (topic, manager, path) in expected.items():
        assert (found[name].binary, found[name].topic, found[name].manager, found[name].manager_path) == (
            name, topic, manager, path), name
    compute = next(ep for ep in ocata.entrypoints if ep.name == "nova-compute")
    assert compute.path == "nova/cmd/compute.py"
    # The topic comes from an oslo.config option default in nova/conf/.
    assert found["nova-compute"].topic_path == "nova/conf/compute.py"


def test_nova_ocata_has_22_console_scripts_and_the_api_process(ocata):
    scripts = [ep for ep in ocata.entrypoints if ep.group == "console_scripts"]
    assert len(scripts) == 22
    api = next(ep for ep in ocata.entrypoints if ep.name == "nova-api")
    assert api.kind == "wsgi" and set(api.api.apps) == {"osapi_compute", "metadata"}
    assert "nova-placement-api" in names(ocata, "wsgi")
    rootwrap = next(ep for ep in ocata.entrypoints if ep.name == "nova-rootwrap")
    assert rootwrap.external and rootwrap.target == "oslo_rootwrap.cmd:main"
    # Every in-tree target resolves to a file and line.
    unresolved = [ep.name for ep in ocata.entrypoints if not ep.external and (ep.path is None or ep.line is None)]
    assert unresolved == []
    assert not ocata.has_errors


def test_nova_current_services_and_wsgi_api(current):
    assert (current.project, current.version) == ("nova", "34.0.0")
    found = services(current)
    assert set(found) == {"nova-compute", "nova-conductor", "nova-scheduler"}
    assert (found["nova-compute"].topic, found["nova-compute"].extra_topics) == ("compute", ("compute-alt",))
    assert found["nova-compute"].topic_path == "nova/compute/rpcapi.py"
    assert found["nova-conductor"].manager == "nova.conductor.manager.ConductorManager"
    assert found["nova-scheduler"].manager == "nova.scheduler.manager.SchedulerManager"
    for service in found.values():
        assert service.manager_path and service.manager_line
    wsgi = {ep.name: ep for ep in current.entrypoints if ep.kind == "wsgi"}
    assert "nova/wsgi/osapi_compute.py" in wsgi
    assert "osapi_compute" in wsgi["nova/wsgi/osapi_compute.py"].api.apps
    assert len([ep for ep in current.entrypoints if ep.group == "console_scripts"]) == 11
    assert not current.has_errors


def test_cinder_current(cinder):
    found = services(cinder)
    assert {name: (s.topic, s.manager) for name, s in found.items()} == {
        "cinder-volume": ("cinder-volume", "cinder.volume.manager.VolumeManager"),
        "cinder-scheduler": ("cinder-scheduler", "cinder.scheduler.manager.SchedulerManager"),
        "cinder-backup": ("cinder-backup", "cinder.backup.manager.BackupManager"),
    }
    assert found["cinder-volume"].created_path == "cinder/cmd/volume.py"
    assert "cinder-api" in names(cinder, "wsgi")
    assert "cinder/wsgi/api.py" in names(cinder, "wsgi")
    assert not cinder.has_errors
