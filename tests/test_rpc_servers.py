"""RPC servers found from `get_rpc_server` and the wrappers that call it, one shape per package."""

from stackread.flows.rpc import find_rpc

SETUP = "[metadata]\nname = proj\n[entry_points]\nconsole_scripts =\n    proj-worker = proj.cmd:main\n"

WRAPPER = """
import oslo_messaging as messaging

def get_server(target, endpoints, serializer=None):
    return messaging.get_rpc_server(None, target, endpoints, executor='threading')
"""

CLIENT = """
import oslo_messaging as messaging
from proj import rpc

class API(object):
    def __init__(self):
        target = messaging.Target(topic='{topic}', version='1.0')
        self.client = rpc.get_client(target)

    def do_it(self, ctxt):
        cctxt = self.client.prepare()
        cctxt.cast(ctxt, 'do_it')
"""

RPC = WRAPPER + """
def get_client(target):
    return messaging.get_rpc_client(None, target)
"""

# Trove's RpcService: the manager class named by a string (an option default), imported and served.
TROVE_SERVICE = """
import oslo_messaging as messaging
from oslo_utils import importutils
from proj import rpc

class RpcService(object):
    def __init__(self, topic=None, manager=None):
        self.topic = topic
        self.manager_impl = importutils.import_object(manager)

    def start(self):
        target = messaging.Target(topic=self.topic)
        {endpoints}
"""

MANAGER = "class Manager(object):\n    def do_it(self, ctxt):\n        pass\n"


def matched(root):
    return {(s.method, s.endpoint) for s in find_rpc(root).sends}


def test_service_serving_itself_per_subclass_topic(make_tree):
    # Designate's RPCService: `self.endpoints = [self]`, each subclass passes its topic to super().__init__.
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC,
        "proj/api.py": CLIENT.format(topic="central"),
        "proj/service.py": """
            import oslo_messaging as messaging
            from proj import rpc

            class RPCService(object):
                def __init__(self, name, rpc_topic):
                    self.endpoints = [self]
                    self.rpc_topic = rpc_topic

                def start(self):
                    target = messaging.Target(topic=self.rpc_topic)
                    self.server = rpc.get_server(target, self.endpoints)
            """,
        "proj/central.py": """
            from proj import service

            class Service(service.RPCService):
                def __init__(self):
                    super().__init__('central', 'central')

                def do_it(self, ctxt):
                    pass
            """,
        "proj/worker.py": """
            from proj import service

            class Service(service.RPCService):
                def __init__(self):
                    super().__init__('worker', 'worker')

                def do_it(self, ctxt):
                    pass
            """,
        "proj/cmd.py": "from proj import central\n\ndef main():\n    central.Service().start()\n",
    })
    assert matched(root) == {("do_it", "proj.central.Service.do_it")}


def test_endpoint_list_through_a_classmethod_factory(make_tree):
    # Magnum's and Zun's rpc_service.Service.create(topic, server, endpoints, binary) -> cls(...).
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC,
        "proj/api.py": CLIENT.format(topic="proj-worker"),
        "proj/rpc_service.py": """
            import oslo_messaging as messaging
            from proj import rpc

            class Service(object):
                def __init__(self, topic, server, handlers, binary):
                    target = messaging.Target(topic=topic, server=server)
                    self._server = rpc.get_server(target, handlers)

                @classmethod
                def create(cls, topic, server, handlers, binary):
                    return cls(topic, server, handlers, binary)
            """,
        "proj/handler.py": "class Handler(object):\n    def do_it(self, ctxt):\n        pass\n",
        "proj/cmd.py": """
            from proj import handler
            from proj import rpc_service

            def main():
                endpoints = [handler.Handler()]
                rpc_service.Service.create('proj-worker', 'host', endpoints, binary='proj-worker')
            """,
    })
    assert matched(root) == {("do_it", "proj.handler.Handler.do_it")}


def test_manager_named_by_an_option_default_per_construction(make_tree):
    # Trove's RpcService(manager=CONF.x_manager, topic=...): each construction its own server.
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC,
        "proj/api.py": CLIENT.format(topic="taskmanager"),
        "proj/conf.py": """
            from oslo_config import cfg
            CONF = cfg.CONF
            CONF.register_opts([cfg.StrOpt('task_manager', default='proj.task.Manager'),
                                cfg.StrOpt('other_manager', default='proj.other.Manager')])
            """,
        "proj/service.py": TROVE_SERVICE.format(endpoints="endpoints = [self.manager_impl]\n        "
                                                "self.rpcserver = rpc.get_server(target, endpoints)"),
        "proj/task.py": MANAGER,
        "proj/other.py": MANAGER,
        "proj/cmd.py": """
            from proj.conf import CONF
            from proj import service

            def main():
                start_task('taskmanager')

            def start_task(topic):
                service.RpcService(manager=CONF.task_manager, topic=topic).start()

            def other():
                service.RpcService(manager=CONF.other_manager, topic='other').start()
            """,
    })
    report = find_rpc(root)
    assert {(s.method, s.endpoint) for s in report.sends} == {("do_it", "proj.task.Manager.do_it")}
    assert sorted((e.topic, e.cls) for e in report.endpoints) == [
        ("other", "proj.other.Manager"), ("taskmanager", "proj.task.Manager")]


def test_wrapper_listing_its_one_endpoint(make_tree):
    # Heat: get_rpc_server(target, endpoint) -> oslo's get_rpc_server(TRANSPORT, target, [endpoint]).
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "",
        "proj/rpc.py": """
            import oslo_messaging as messaging

            def get_rpc_server(target, endpoint):
                return messaging.get_rpc_server(None, target, [endpoint])

            def get_client(target):
                return messaging.get_rpc_client(None, target)
            """,
        "proj/api.py": CLIENT.format(topic="engine"),
        "proj/engine.py": """
            import oslo_messaging as messaging
            from proj import rpc

            class EngineService(object):
                def __init__(self, host, topic):
                    self.topic = topic

                def start(self):
                    target = messaging.Target(topic=self.topic, server='h')
                    self._server = rpc.get_rpc_server(target, self)

                def do_it(self, ctxt):
                    pass
            """,
        "proj/cmd.py": "from proj import engine\n\ndef main():\n    engine.EngineService('h', 'engine').start()\n",
    })
    assert matched(root) == {("do_it", "proj.engine.EngineService.do_it")}


def test_endpoint_namespace_from_its_class_target(make_tree):
    # Octavia: a cotyledon service class handed to the manager, its endpoint declaring namespace.
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC,
        "proj/api.py": CLIENT.format(topic="prov").replace("version='1.0'", "namespace='controller'"),
        "proj/endpoints.py": """
            import oslo_messaging as messaging

            class Endpoints(object):
                target = messaging.Target(namespace='controller', version='2.0')

                def do_it(self, ctxt):
                    pass
            """,
        "proj/consumer.py": """
            import oslo_messaging as messaging
            from proj import endpoints
            from proj import rpc

            TOPIC = 'prov'

            class ConsumerService(object):
                def __init__(self, worker_id, conf):
                    self.topic = TOPIC

                def run(self):
                    target = messaging.Target(topic=self.topic, server='h')
                    self.endpoints = [endpoints.Endpoints()]
                    self.listener = rpc.get_server(target, self.endpoints)
            """,
        "proj/cmd.py": "import cotyledon\nfrom proj import consumer\n\ndef main():\n"
                       "    sm = cotyledon.ServiceManager()\n    sm.add(consumer.ConsumerService, args=(1,))\n",
    })
    assert matched(root) == {("do_it", "proj.endpoints.Endpoints.do_it")}


def test_decorated_main_hands_its_conf_to_the_service(make_tree):
    # Trove: `@with_initialize def main(conf)`: the decorator's wrapper calls main with cfg.CONF.
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC,
        "proj/api.py": CLIENT.format(topic="conductor-q"),
        "proj/conf.py": """
            from oslo_config import cfg
            CONF = cfg.CONF
            CONF.register_opts([cfg.StrOpt('conductor_queue', default='conductor-q'),
                                cfg.StrOpt('conductor_manager', default='proj.conductor.Manager')])
            """,
        "proj/service.py": TROVE_SERVICE.format(
            endpoints="self.rpcserver = rpc.get_server(target, [self.manager_impl])"),
        "proj/conductor.py": MANAGER,
        "proj/common.py": """
            from proj.conf import CONF

            def initialize():
                return CONF

            def with_initialize(main_function):
                def run():
                    conf = initialize()
                    return main_function(conf)
                return run
            """,
        "proj/cmd.py": """
            from proj.common import with_initialize
            from proj import service

            @with_initialize
            def main(conf):
                service.RpcService(manager=conf.conductor_manager, topic=conf.conductor_queue).start()
            """,
    })
    assert matched(root) == {("do_it", "proj.conductor.Manager.do_it")}


def test_manager_by_module_and_class_names_with_its_topic_default(make_tree):
    # Ironic and Cyborg: try_import(manager_module), getattr(module, manager_class)(host); the topic
    # is the manager's, from a default argument.
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC,
        "proj/api.py": CLIENT.format(topic="proj.conductor_manager"),
        "proj/manager.py": """
            MANAGER_TOPIC = 'proj.conductor_manager'

            class ConductorManager(object):
                def __init__(self, host, topic=MANAGER_TOPIC):
                    self.topic = topic

                def do_it(self, ctxt):
                    pass
            """,
        "proj/service.py": """
            import oslo_messaging as messaging
            from oslo_utils import importutils
            from proj import rpc

            class RPCService(object):
                def __init__(self, host, manager_module, manager_class):
                    manager_module = importutils.try_import(manager_module)
                    manager_class = getattr(manager_module, manager_class)
                    self.manager = manager_class(host)
                    self.topic = self.manager.topic

                def start(self):
                    target = messaging.Target(topic=self.topic, server='h')
                    self.rpcserver = rpc.get_server(target, [self.manager])
            """,
        "proj/cmd.py": "from proj import service\n\ndef main():\n"
                       "    service.RPCService('h', 'proj.manager', 'ConductorManager').start()\n",
    })
    assert matched(root) == {("do_it", "proj.manager.ConductorManager.do_it")}


def test_topic_and_endpoint_classes_from_the_managers_properties(make_tree):
    # Watcher: `self.conductor_topic = self.manager.conductor_topic` (a property), endpoints made as
    # `[ep(self) for ep in self.manager.conductor_endpoints]`.
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC,
        "proj/api.py": CLIENT.format(topic="proj.control"),
        "proj/manager.py": """
            from proj import endpoint

            class Manager(object):
                @property
                def conductor_topic(self):
                    return 'proj.control'

                @property
                def conductor_endpoints(self):
                    return [endpoint.AuditEndpoint]
            """,
        "proj/endpoint.py": "class AuditEndpoint(object):\n    def __init__(self, service):\n        pass\n\n"
                            "    def do_it(self, ctxt):\n        pass\n",
        "proj/service.py": """
            import oslo_messaging as messaging
            from proj import rpc

            class Service(object):
                def __init__(self, manager_class):
                    self.manager = manager_class()
                    self.conductor_topic = self.manager.conductor_topic
                    self.conductor_endpoints = [ep(self) for ep in self.manager.conductor_endpoints]
                    self.handler = self.build_topic_handler(self.conductor_topic, self.conductor_endpoints)

                def build_topic_handler(self, topic_name, endpoints=()):
                    target = messaging.Target(topic=topic_name)
                    return rpc.get_server(target, endpoints)
            """,
        "proj/applier.py": """
            from proj import manager
            from proj import service

            class ApplierService(service.Service):
                def __init__(self):
                    super().__init__(manager.Manager)
            """,
        "proj/cmd.py": "from proj import applier\n\ndef main():\n    applier.ApplierService()\n",
    })
    assert matched(root) == {("do_it", "proj.endpoint.AuditEndpoint.do_it")}


def test_client_topic_from_an_option_group_when_none_is_passed(make_tree):
    # Designate's client: `self.topic = topic if topic else CONF['service:central'].topic`.
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC,
        "proj/conf.py": """
            from oslo_config import cfg
            CONF = cfg.CONF
            CONF.register_opts([cfg.StrOpt('topic', default='central')], group='service:central')
            """,
        "proj/api.py": """
            import oslo_messaging as messaging
            from proj.conf import CONF
            from proj import rpc

            class API(object):
                def __init__(self, topic=None):
                    self.topic = topic if topic else CONF['service:central'].topic
                    self.client = rpc.get_client(messaging.Target(topic=self.topic))

                def do_it(self, ctxt):
                    self.client.prepare().cast(ctxt, 'do_it')
            """,
        "proj/central.py": """
            import oslo_messaging as messaging
            from proj import rpc

            TOPIC = 'central'

            class Service(object):
                def start(self):
                    self.server = rpc.get_server(messaging.Target(topic=TOPIC), [self])

                def do_it(self, ctxt):
                    pass
            """,
        "proj/cmd.py": "from proj import central\n\ndef main():\n    central.Service().start()\n",
    })
    sends = find_rpc(root).sends
    assert [(s.topic, s.endpoint) for s in sends] == [("central", "proj.central.Service.do_it")]


def test_client_target_built_by_a_module_function(make_tree):
    # Magnum: a cached client per topic, `messaging.Target(topic=topic)` in a module function, the
    # topic a default argument of the subclass handed to the base class's __init__.
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC,
        "proj/base.py": """
            import oslo_messaging as messaging
            from proj import rpc

            def _get_cached_client(topic):
                target = messaging.Target(topic=topic)
                return rpc.get_client(target)

            class API(object):
                def __init__(self, topic=None):
                    self._client = _get_cached_client(topic)

                def _cast(self, method):
                    self._client.prepare().cast({}, method)
            """,
        "proj/api.py": """
            from proj import base

            class API(base.API):
                def __init__(self, topic='proj-conductor'):
                    super().__init__(topic=topic)

                def do_it(self):
                    self._cast('do_it')
            """,
        "proj/handler.py": "class Handler(object):\n    def do_it(self, ctxt):\n        pass\n",
        "proj/cmd.py": """
            import oslo_messaging as messaging
            from proj import handler
            from proj import rpc

            def main():
                rpc.get_server(messaging.Target(topic='proj-conductor'), [handler.Handler()])
            """,
    })
    assert matched(root) == {("do_it", "proj.handler.Handler.do_it")}


def test_per_instance_topic_and_a_manager_from_a_registry(make_tree):
    # Trove's guest agent: topic 'guestagent.%s' % id on both sides, the manager class named by a
    # registry mapping the datastore to its manager.
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC,
        "proj/conf.py": """
            from itertools import chain
            from oslo_config import cfg
            CONF = cfg.CONF
            CONF.register_opts([cfg.StrOpt('guest_id'), cfg.StrOpt('datastore_manager')])
            REGISTRY = {'mysql': 'proj.mysql.Manager'}

            def get_custom_managers():
                return CONF.datastore_registry_ext

            def datastore_registry():
                return dict(chain(REGISTRY.items(), get_custom_managers().items()))
            """,
        "proj/api.py": """
            import oslo_messaging as messaging
            from proj import rpc

            class API(object):
                def __init__(self, id):
                    self.id = id
                    self.client = rpc.get_client(messaging.Target(topic=self._get_routing_key()))

                def _get_routing_key(self):
                    return "guestagent.%s" % self.id

                def do_it(self, ctxt):
                    self.client.prepare().cast(ctxt, 'do_it')
            """,
        "proj/mysql.py": MANAGER,
        "proj/cmd.py": """
            import oslo_messaging as messaging
            from oslo_utils import importutils
            from proj import conf
            from proj import rpc

            def main():
                manager = conf.datastore_registry().get(conf.CONF.datastore_manager)
                target = messaging.Target(topic="guestagent.%s" % conf.CONF.guest_id)
                rpc.get_server(target, [importutils.import_object(manager)])
            """,
    })
    sends = find_rpc(root).sends
    assert [(s.topic, s.endpoint) for s in sends] == [("guestagent.*", "proj.mysql.Manager.do_it")]


def test_entrypoints_name_the_server_a_script_reaches_and_demote_an_api(make_tree):
    # Designate-like: each script's main builds the service class that serves itself; an API main
    # calling a factory with a `binary` parameter but reaching no RPC server is not an RPC service.
    from stackread.flows.entrypoints import find_entrypoints

    root = make_tree({
        "setup.cfg": "[metadata]\nname = proj\n[entry_points]\nconsole_scripts =\n"
                     "    proj-central = proj.cmd:main\n    proj-api = proj.cmd:api\n",
        "proj/__init__.py": "", "proj/rpc.py": RPC,
        "proj/central.py": """
            import oslo_messaging as messaging
            from proj import rpc
            from proj import other

            class Service(object):
                def start(self):
                    target = messaging.Target(topic='central')
                    self.server = rpc.get_server(target, [self, other.Extra()])

                def do_it(self, ctxt):
                    pass
            """,
        "proj/other.py": "class Extra(object):\n    pass\n",
        "proj/wsgi.py": "def launch(app, binary=None):\n    pass\n",
        "proj/cmd.py": """
            from proj import central
            from proj import wsgi

            def main():
                server = central.Service()

            def api():
                wsgi.launch('proj-api', binary='proj-api')
            """,
    })
    found = {ep.name: ep for ep in find_entrypoints(root).entrypoints}
    central = found["proj-central"]
    assert central.kind == "service"
    assert (central.service.topic, central.service.manager) == ("central", "proj.central.Service")
    assert central.service.endpoints == ("proj.central.Service", "proj.other.Extra")
    assert (central.service.manager_path, central.service.manager_line) == ("proj/central.py", 5)
    assert found["proj-api"].kind != "service"


def test_target_from_a_factory_reading_a_config_object_of_its_own(make_tree):
    # Barbican: TaskServer serves itself, `self.target = queue.get_target()` reads
    # `CONF.queue.topic` of a `cfg.ConfigOpts()` the project made.
    from stackread.flows.entrypoints import find_entrypoints

    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC,
        "proj/config.py": """
            from oslo_config import cfg

            queue_opt_group = cfg.OptGroup(name='queue')
            queue_opts = [cfg.StrOpt('topic', default='proj.workers')]

            def new_config():
                conf = cfg.ConfigOpts()
                conf.register_opts(queue_opts, group=queue_opt_group)
                return conf

            CONF = new_config()
            """,
        "proj/queue.py": """
            import oslo_messaging as messaging
            from proj import config

            CONF = config.CONF

            def get_target():
                return messaging.Target(topic=CONF.queue.topic)
            """,
        "proj/server.py": """
            from proj import queue
            from proj import rpc

            class TaskServer(object):
                def __init__(self):
                    self.target = queue.get_target()
                    self._server = rpc.get_server(target=self.target, endpoints=[self])
            """,
        "proj/cmd.py": "from proj import server\n\ndef main():\n    server.TaskServer()\n",
    })
    worker = {ep.name: ep for ep in find_entrypoints(root).entrypoints}["proj-worker"]
    assert (worker.kind, worker.service.topic, worker.service.manager) == ("service", "proj.workers", "proj.server.TaskServer")


def test_a_shared_start_function_is_one_server_per_calling_script(make_tree):
    # Trove's `startup(conf, topic)`: trove-taskmanager passes its queue option, trove-mgmt-taskmanager
    # "mgmt-taskmanager"; each script listens on its own caller's topic only.
    from stackread.flows.entrypoints import find_entrypoints

    root = make_tree({
        "setup.cfg": "[metadata]\nname = proj\n[entry_points]\nconsole_scripts =\n"
                     "    proj-taskmanager = proj.cmd:main\n    proj-mgmt-taskmanager = proj.cmd:mgmt_main\n",
        "proj/__init__.py": "", "proj/rpc.py": RPC,
        "proj/api.py": CLIENT.format(topic="taskmanager"),
        "proj/service.py": TROVE_SERVICE.format(endpoints="rpc.get_server(target, [self.manager_impl])"),
        "proj/manager.py": MANAGER,
        "proj/cmd.py": """
            from proj import service

            def startup(topic):
                server = service.RpcService(topic=topic, manager='proj.manager.Manager')
                server.start()

            def main():
                startup('taskmanager')

            def mgmt_main():
                startup('mgmt-taskmanager')
            """,
    })
    found = {ep.name: ep for ep in find_entrypoints(root).entrypoints}
    assert (found["proj-taskmanager"].service.topic, found["proj-taskmanager"].service.extra_topics) == \
        ("taskmanager", ())
    assert (found["proj-mgmt-taskmanager"].service.topic, found["proj-mgmt-taskmanager"].service.extra_topics) == \
        ("mgmt-taskmanager", ())
    (send,) = find_rpc(root).sends
    assert (send.service, send.endpoint) == ("proj-taskmanager", "proj.manager.Manager.do_it")


def test_the_receiver_is_the_script_that_starts_only_this_service(make_tree):
    # trove-taskmanager (names more classes: its notifier, its models) beside trove-fake-mode (the
    # API's WSGI service and the same taskmanager): the dedicated script receives the send.
    root = make_tree({
        "setup.cfg": "[metadata]\nname = proj\n[entry_points]\nconsole_scripts =\n"
                     "    proj-all = proj.cmd:all_in_one\n    proj-taskmanager = proj.cmd:main\n",
        "proj/__init__.py": "", "proj/rpc.py": RPC,
        "proj/api.py": CLIENT.format(topic="taskmanager"),
        "proj/service.py": TROVE_SERVICE.format(endpoints="rpc.get_server(target, [self.manager_impl])"),
        "proj/manager.py": MANAGER,
        "proj/wsgi.py": "class Service(object):\n    def start(self):\n        pass\n",
        "proj/models.py": "class Notifier(object):\n    pass\n\nclass Fault(object):\n    pass\n",
        "proj/cmd.py": """
            from proj import models
            from proj import service
            from proj import wsgi

            def startup(topic):
                service.RpcService(topic=topic, manager='proj.manager.Manager').start()

            def main():
                models.Notifier()
                models.Fault()
                startup('taskmanager')

            def all_in_one():
                wsgi.Service().start()
                startup('taskmanager')
            """,
    })
    (send,) = find_rpc(root).sends
    assert (send.service, send.endpoint) == ("proj-taskmanager", "proj.manager.Manager.do_it")
