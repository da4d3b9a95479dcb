"""`stackread rpc`: casts and calls matched as oslo.messaging's dispatcher would match them."""

import pytest

from stackread.flows.reading import Reading
from stackread.flows.rpc import find_rpc

SERVICE = """
import os
import sys

SERVICE_MANAGERS = {
    'nova-compute': 'nova.compute.manager.ComputeManager',
    'nova-conductor': 'nova.conductor.manager.ConductorManager',
}


class Service(object):
    @classmethod
    def create(cls, binary=None, topic=None, manager=None):
        if not manager:
            manager = SERVICE_MANAGERS.get(binary)
        return cls(binary, topic, manager)
"""

MINI_NOVA = {
    "setup.cfg": "[metadata]\nname = nova\n[entry_points]\nconsole_scripts =\n"
                 "    nova-compute = nova.cmd.compute:main\n    nova-conductor = nova.cmd.conductor:main\n",
    "nova/__init__.py": "",
    "nova/service.py": SERVICE,
    "nova/rpc.py": """
        import oslo_messaging as messaging

        def get_client(target, version_cap=None):
            return messaging.get_rpc_client(None, target, version_cap=version_cap)
        """,
    "nova/manager.py": """
        class Manager(object):
            def __init__(self):
                self.additional_endpoints = []
        """,
    "nova/cmd/__init__.py": "",
    "nova/cmd/compute.py": """
        from nova.compute import rpcapi
        from nova import service

        def main():
            service.Service.create(binary='nova-compute', topic=rpcapi.RPC_TOPIC)
        """,
    "nova/cmd/conductor.py": """
        from nova.conductor import rpcapi
        from nova import service

        def main():
            service.Service.create(binary='nova-conductor', topic=rpcapi.RPC_TOPIC)
        """,
    "nova/conductor/__init__.py": "",
    "nova/conductor/rpcapi.py": """
        import oslo_messaging as messaging
        from nova import rpc

        RPC_TOPIC = 'conductor'

        class ComputeTaskAPI(object):
            def __init__(self):
                target = messaging.Target(topic=RPC_TOPIC, namespace='compute_task', version='1.0')
                self.client = rpc.get_client(target)

            def build_instances(self, ctxt, **kw):
                cctxt = self.client.prepare(version='1.10')
                cctxt.cast(ctxt, 'build_instances', **kw)
        """,
    "nova/conductor/manager.py": """
        import oslo_messaging as messaging
        from nova import manager

        class ConductorManager(manager.Manager):
            target = messaging.Target(version='3.0')

            def __init__(self):
                super().__init__()
                self.compute_task_mgr = ComputeTaskManager()
                self.additional_endpoints.append(self.compute_task_mgr)

            def build_instances(self, ctxt):
                pass  # same name, wrong namespace: must never be the match

        class ComputeTaskManager(object):
            target = messaging.Target(namespace='compute_task', version='1.20')

            def build_instances(self, ctxt, **kw):
                pass
        """,
    "nova/compute/__init__.py": "",
    "nova/compute/rpcapi.py": """
        import oslo_messaging as messaging
        from nova import rpc

        RPC_TOPIC = 'compute'

        def _compute_host(host, instance):
            return host or instance.host

        class ComputeAPI(object):
            def __init__(self):
                target = messaging.Target(topic=RPC_TOPIC, version='6.0')
                self.client = rpc.get_client(target)

            def build_and_run_instance(self, ctxt, instance, host):
                version = '6.0'
                if not self.client.can_send_version(version):
                    version = '5.0'
                cctxt = self.client.prepare(server=_compute_host(host, instance), version=version)
                cctxt.cast(ctxt, 'build_and_run_instance', instance=instance)

            def get_console_output(self, ctxt, instance):
                cctxt = self.client.prepare(server=instance.host, version='6.0')
                return cctxt.call(ctxt, 'get_console_output', instance=instance)

            def refresh(self, ctxt):
                cctxt = self.client.prepare(fanout=True, version='6.0')
                cctxt.cast(ctxt, 'refresh')

            def not_rpc(self, ironic):
                ironic.call('node.get', 'x')
        """,
    "nova/compute/manager.py": """
        import oslo_messaging as messaging
        from nova import manager

        class ComputeManager(manager.Manager):
            target = messaging.Target(version='6.5')

            def __init__(self):
                super().__init__()
                self.additional_endpoints.append(_ComputeV5Proxy(self))

            def build_and_run_instance(self, ctxt, instance):
                pass

            def get_console_output(self, ctxt, instance):
                pass

            def refresh(self, ctxt):
                pass

            def never_sent(self, ctxt):
                pass

        class _ComputeV5Proxy(object):
            target = messaging.Target(version='5.13')

            def __init__(self, manager):
                self.manager = manager

            def build_and_run_instance(self, ctxt, instance):
                pass
        """,
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from conftest import write_tree

    root = write_tree(tmp_path_factory.mktemp("rpc") / "nova", MINI_NOVA)
    return find_rpc(Reading(root, use_cache=False))


def send(report, method):
    found = [s for s in report.sends if s.method == method]
    assert len(found) == 1, found
    return found[0]


def test_namespace_decides_between_endpoints_of_one_service(report):
    s = send(report, "build_instances")
    assert (s.kind, s.topic, s.namespace, s.service) == ("cast", "conductor", "compute_task", "nova-conductor")
    assert s.endpoint == "nova.conductor.manager.ComputeTaskManager.build_instances"


def test_version_picks_the_current_manager_over_an_old_proxy(report):
    s = send(report, "build_and_run_instance")
    assert s.version == "6.0"
    assert s.endpoint == "nova.compute.manager.ComputeManager.build_and_run_instance"
    assert s.server_route == "_compute_host(host, instance)"
    assert (s.client, s.client_path) == ("nova.compute.rpcapi.ComputeAPI.build_and_run_instance", "nova/compute/rpcapi.py")


def test_call_and_fanout_cast(report):
    call = send(report, "get_console_output")
    assert (call.kind, call.fanout, call.server_route) == ("call", False, "instance.host")
    fanout = send(report, "refresh")
    assert (fanout.kind, fanout.fanout, fanout.server_route) == ("cast", True, None)


def test_call_on_something_that_is_not_an_rpc_client_is_ignored(report):
    assert not [s for s in report.sends if s.method == "node.get"]
    assert len(report.sends) == 4 and not report.unmatched


def test_endpoint_methods_nobody_sends(report):
    unsent = {(e.cls.rpartition(".")[2], method) for e, method, _path, _line in report.unsent}
    assert ("ComputeManager", "never_sent") in unsent
    assert ("ConductorManager", "build_instances") in unsent


def test_cli_json_and_service_filter(tmp_path):
    import json

    from click.testing import CliRunner

    from conftest import write_tree
    from stackread.cli import cli

    root = write_tree(tmp_path / "nova", MINI_NOVA)
    result = CliRunner().invoke(cli, ["rpc", str(root), "--json", "--no-cache", "--service", "nova-conductor"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["method"] for d in data] == ["build_instances"]
    assert {"client", "client_path", "client_line", "kind", "fanout", "method", "topic", "namespace",
            "server_route", "service", "endpoint", "endpoint_path", "endpoint_line"} <= set(data[0])
    text = CliRunner().invoke(cli, ["rpc", str(root), "--no-cache"])
    assert "namespace compute_task" in text.output and "ComputeTaskManager" in text.output


def test_version_branches_that_send_different_names_are_listed(tmp_path):
    from click.testing import CliRunner
    from conftest import write_tree

    from stackread.cli import cli

    files = dict(MINI_NOVA)
    files["nova/compute/rpcapi.py"] = files["nova/compute/rpcapi.py"] + """
            def rebuild(self, ctxt, instance):
                if self.client.can_send_version('6.1'):
                    cctxt = self.client.prepare(server=instance.host, version='6.1')
                    cctxt.cast(ctxt, 'rebuild_instance', instance=instance)
                else:
                    cctxt = self.client.prepare(server=instance.host, version='6.0')
                    cctxt.cast(ctxt, 'rebuild_instance_legacy', instance=instance)
        """
    report = find_rpc(Reading(write_tree(tmp_path / "nova", files), use_cache=False))
    [branches] = report.renamed_branches
    assert [(s.method, s.version, s.condition) for s in branches] == [
        ("rebuild_instance", "6.1", "self.client.can_send_version('6.1')"),
        ("rebuild_instance_legacy", "6.0", "not (self.client.can_send_version('6.1'))")]
    runner_output = CliRunner().invoke(cli, ["rpc", str(tmp_path / "nova"), "--no-cache"]).output
    assert "branches send different names" in runner_output and "rebuild_instance_legacy" in runner_output


def test_unknown_service_is_a_usage_error_naming_the_close_ones(tmp_path):
    import subprocess
    import sys

    from click.testing import CliRunner

    from conftest import write_tree
    from stackread.cli import cli

    root = write_tree(tmp_path / "nova", MINI_NOVA)
    # The real entry point, so the exit status is the one users get.
    result = subprocess.run([sys.executable, "-m", "stackread", "rpc", str(root), "--no-cache", "--service",
                             "nova-conductr"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "did you mean nova-conductor" in result.stderr
    assert "services and topics:" in result.stderr and "compute" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    by_topic = CliRunner().invoke(cli, ["rpc", str(root), "--no-cache", "--json", "--service", "conductor"])
    assert by_topic.exit_code == 0, by_topic.output
