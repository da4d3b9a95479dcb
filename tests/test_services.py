"""From a console script's main to the RPC service it builds: each rule on a tiny package."""

from stackread.flows.entrypoints import find_entrypoints

SETUP = """
[metadata]
name = proj
[entry_points]
console_scripts =
{scripts}
"""

CONF_INIT = "from oslo_config import cfg\nCONF = cfg.CONF\n"


def setup_cfg(**scripts):
    lines = "\n".join(f"    {name.replace('_', '-')} = {target}" for name, target in scripts.items())
    return SETUP.format(scripts=lines)


def by_name(root):
    report = find_entrypoints(root)
    return {ep.name: ep for ep in report.entrypoints}, report


NOVA_SERVICE = """
import os
import sys

SERVICE_MANAGERS = {
    'proj-compute': 'proj.compute.manager.ComputeManager',
}


class Service(object):
    @classmethod
    def create(cls, host=None, binary=None, topic=None, manager=None):
        if not host:
            host = CONF.host
        if not binary:
            binary = os.path.basename(sys.argv[0])
        if not topic:
            topic = binary.rpartition('proj-')[2]
        if not manager:
            manager = SERVICE_MANAGERS.get(binary)
        return cls(host, binary, topic, manager)
"""


def test_manager_from_table_and_topic_from_option_default(make_tree):
    root = make_tree({
        "setup.cfg": setup_cfg(proj_compute="proj.cmd.compute:main"),
        "proj/__init__.py": "",
        "proj/conf.py": """
            from oslo_config import cfg
            CONF = cfg.CONF
            opts = [cfg.StrOpt('compute_topic', default='compute-q', help='x')]
            CONF.register_opts(opts)
            """,
        "proj/service.py": "from proj.conf import CONF\n" + NOVA_SERVICE,
        "proj/cmd/__init__.py": "",
        "proj/cmd/compute.py": """
            from proj import conf
            from proj import service
            CONF = conf.CONF

            def main():
                server = service.Service.create(binary='proj-compute',
                                                topic=CONF.compute_topic)
            """,
        "proj/compute/__init__.py": "",
        "proj/compute/manager.py": "import abc\n\nclass ComputeManager(object):\n    pass\n",
    })
    found, report = by_name(root)
    ep = found["proj-compute"]
    assert ep.kind == "service"
    assert (ep.path, ep.line) == ("proj/cmd/compute.py", 5)
    s = ep.service
    assert (s.binary, s.topic, s.manager) == ("proj-compute", "compute-q", "proj.compute.manager.ComputeManager")
    assert (s.manager_path, s.manager_line) == ("proj/compute/manager.py", 3)
    assert (s.topic_path, s.topic_line) == ("proj/conf.py", 3)
    assert (s.created_path, s.created_line) == ("proj/cmd/compute.py", 6)
    assert not report.diagnostics


def test_binary_defaults_to_script_name_and_topic_derives_from_it(make_tree):
    root = make_tree({
        "setup.cfg": setup_cfg(proj_compute="proj.cmd.compute:main"),
        "proj/__init__.py": "",
        "proj/service.py": "CONF = None\n" + NOVA_SERVICE,
        "proj/cmd/__init__.py": "",
        "proj/cmd/compute.py": """
            from proj import service

            def main():
                service.Service.create()
            """,
        "proj/compute/__init__.py": "",
        "proj/compute/manager.py": "class ComputeManager:\n    pass\n",
    })
    s = by_name(root)[0]["proj-compute"].service
    assert (s.binary, s.topic, s.manager) == ("proj-compute", "compute", "proj.compute.manager.ComputeManager")


def test_option_in_a_group_registered_through_an_optgroup_object(make_tree):
    root = make_tree({
        "setup.cfg": setup_cfg(proj_conductor="proj.cmd.conductor:main"),
        "proj/__init__.py": "",
        "proj/conf/__init__.py": """
            from oslo_config import cfg
            from proj.conf import conductor
            CONF = cfg.CONF
            conductor.register_opts(CONF)
            """,
        "proj/conf/conductor.py": """
            from oslo_config import cfg
            conductor_group = cfg.OptGroup('conductor', title='Conductor Options')
            ALL_OPTS = [
                cfg.StrOpt('topic', default='conductor'),
                cfg.StrOpt('manager', default='proj.conductor.manager.ConductorManager'),
            ]
            other = [cfg.StrOpt('topic', default='wrong-group')]

            def register_opts(conf):
                conf.register_opts(ALL_OPTS, group=conductor_group)
                conf.register_opts(other, group='elsewhere')
            """,
        "proj/service.py": "CONF = None\n" + NOVA_SERVICE,
        "proj/cmd/__init__.py": "",
        "proj/cmd/conductor.py": """
            import proj.conf
            from proj import service
            CONF = proj.conf.CONF

            def main():
                service.Service.create(binary='proj-conductor', topic=CONF.conductor.topic,
                                       manager=CONF.conductor.manager)
            """,
        "proj/conductor/__init__.py": "",
        "proj/conductor/manager.py": "class ConductorManager:\n    pass\n",
    })
    s = by_name(root)[0]["proj-conductor"].service
    assert (s.topic, s.manager) == ("conductor", "proj.conductor.manager.ConductorManager")
    assert s.manager_path == "proj/conductor/manager.py"


def test_cinder_shape_helper_of_main_topic_is_binary_manager_from_conf_get(make_tree):
    root = make_tree({
        "setup.cfg": setup_cfg(proj_volume="proj.cmd.volume:main"),
        "proj/__init__.py": "",
        "proj/common/__init__.py": "",
        "proj/common/constants.py": 'VOLUME_BINARY = "proj-volume"\n',
        "proj/common/config.py": """
            from oslo_config import cfg
            CONF = cfg.CONF
            global_opts = [
                cfg.StrOpt('volume_manager', default='proj.volume.manager.VolumeManager'),
            ]
            CONF.register_opts(global_opts)
            """,
        "proj/service.py": """
            import inspect
            import os
            from oslo_config import cfg
            CONF = cfg.CONF

            class Service:
                @classmethod
                def create(cls, host=None, binary=None, topic=None, manager=None, **kwargs):
                    if not binary:
                        binary = os.path.basename(inspect.stack()[-1][1])
                    if not topic:
                        topic = binary
                    if not manager:
                        subtopic = topic.rpartition('proj-')[2]
                        manager = CONF.get('%s_manager' % subtopic, None)
                    return cls(host, binary, topic, manager)
            """,
        "proj/cmd/__init__.py": "",
        "proj/cmd/volume.py": """
            from proj.common import constants
            from proj import service

            def _launch_service(launcher, backend):
                host = "%s@%s" % (CONF.host, backend)
                try:
                    server = service.Service.create(host=host, service_name=backend,
                                                    binary=constants.VOLUME_BINARY)
                except Exception:
                    pass

            def main():
                for backend in CONF.enabled_backends:
                    _launch_service(None, backend)
            """,
        "proj/volume/__init__.py": "",
        "proj/volume/manager.py": "class VolumeManager:\n    pass\n",
    })
    s = by_name(root)[0]["proj-volume"].service
    assert (s.binary, s.topic, s.manager) == ("proj-volume", "proj-volume", "proj.volume.manager.VolumeManager")
    assert (s.topic_path, s.topic_line) == ("proj/common/constants.py", 1)
    assert s.created_path == "proj/cmd/volume.py"


def test_relative_import_and_module_constant_topic(make_tree):
    root = make_tree({
        "setup.cfg": setup_cfg(proj_sched="proj.cmd.sched:main"),
        "proj/__init__.py": "",
        "proj/service.py": "CONF = None\n" + NOVA_SERVICE,
        "proj/scheduler/__init__.py": "",
        "proj/scheduler/rpcapi.py": 'RPC_TOPIC = "scheduler"\n',
        "proj/scheduler/manager.py": "class SchedulerManager:\n    pass\n",
        "proj/cmd/__init__.py": "",
        "proj/cmd/sched.py": """
            from .. import service
            from ..scheduler import rpcapi as sched_rpcapi

            def main():
                service.Service.create(binary='proj-sched', topic=sched_rpcapi.RPC_TOPIC,
                                       manager='proj.scheduler.manager.SchedulerManager')
            """,
    })
    s = by_name(root)[0]["proj-sched"].service
    assert (s.topic, s.manager_path) == ("scheduler", "proj/scheduler/manager.py")


def test_service_object_that_is_its_own_endpoint(make_tree):
    # heat-engine: EngineService(host, topic) has no manager; the service class serves RPC.
    root = make_tree({
        "setup.cfg": setup_cfg(proj_engine="proj.cmd.engine:main"),
        "proj/__init__.py": "",
        "proj/rpc/__init__.py": "",
        "proj/rpc/api.py": "ENGINE_TOPIC = 'engine'\n",
        "proj/engine/__init__.py": "",
        "proj/engine/service.py": """
            class EngineService(object):
                def __init__(self, host, topic):
                    self.topic = topic
            """,
        "proj/cmd/__init__.py": "",
        "proj/cmd/engine.py": """
            from proj.engine import service as engine
            from proj.rpc import api as rpc_api

            def main():
                srv = engine.EngineService('host', rpc_api.ENGINE_TOPIC)
            """,
    })
    s = by_name(root)[0]["proj-engine"].service
    assert (s.binary, s.topic, s.manager) == ("proj-engine", "engine", "proj.engine.service.EngineService")


def test_manager_named_as_module_and_class_strings(make_tree):
    # ironic-conductor: RPCService(host, 'ironic.conductor.manager', 'ConductorManager')
    root = make_tree({
        "setup.cfg": setup_cfg(proj_conductor="proj.cmd.conductor:main"),
        "proj/__init__.py": "",
        "proj/common/__init__.py": "",
        "proj/common/rpc_service.py": """
            class RPCService(object):
                def __init__(self, host, manager_module, manager_class):
                    self.host = host
            """,
        "proj/conductor/__init__.py": "",
        "proj/conductor/manager.py": "class ConductorManager:\n    pass\n",
        "proj/cmd/__init__.py": "",
        "proj/cmd/conductor.py": """
            from proj.common import rpc_service

            def main():
                mgr = rpc_service.RPCService('h', 'proj.conductor.manager', 'ConductorManager')
            """,
    })
    s = by_name(root)[0]["proj-conductor"].service
    assert s.manager == "proj.conductor.manager.ConductorManager"
    assert s.manager_path == "proj/conductor/manager.py"


def test_wsgi_server_in_a_loop_over_an_option_default(make_tree):
    root = make_tree({
        "setup.cfg": setup_cfg(proj_api="proj.cmd.api:main", proj_manage="proj.cmd.manage:main"),
        "proj/__init__.py": "",
        "proj/conf.py": CONF_INIT + "CONF.register_opts([cfg.ListOpt('enabled_apis', default=['osapi_compute', 'metadata'])])\n",
        "proj/service.py": """
            class WSGIService(object):
                def __init__(self, name, loader=None, use_ssl=False):
                    self.name = name
            """,
        "proj/cmd/__init__.py": "",
        "proj/cmd/api.py": """
            from proj import conf
            from proj import service
            CONF = conf.CONF

            def main():
                for api in CONF.enabled_apis:
                    server = service.WSGIService(api, use_ssl=False)
            """,
        "proj/cmd/manage.py": "def main():\n    print('manage')\n",
    })
    found, _ = by_name(root)
    assert found["proj-api"].kind == "wsgi"
    assert found["proj-api"].api.apps == ("osapi_compute", "metadata")
    assert found["proj-manage"].kind == "tool"
    assert found["proj-manage"].service is None


def test_unrelated_calls_with_a_topic_parameter_outside_the_project_are_not_services(make_tree):
    root = make_tree({
        "setup.cfg": setup_cfg(proj_tool="proj.cmd.tool:main"),
        "proj/__init__.py": "",
        "proj/cmd/__init__.py": "",
        "proj/cmd/tool.py": """
            import oslo_messaging as messaging

            def main():
                target = messaging.Target(topic='x', server='y')
            """,
    })
    assert by_name(root)[0]["proj-tool"].kind == "tool"
