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
        "proj/service.py": """
            import oslo_messaging as messaging
            from oslo_utils import importutils
            from proj import rpc

            class RpcService(object):
                def __init__(self, topic=None, manager=None):
                    self.topic = topic
                    self.manager_impl = importutils.import_object(manager)

                def start(self):
                    target = messaging.Target(topic=self.topic)
                    endpoints = [self.manager_impl]
                    self.rpcserver = rpc.get_server(target, endpoints)
            """,
        "proj/task.py": "class Manager(object):\n    def do_it(self, ctxt):\n        pass\n",
        "proj/other.py": "class Manager(object):\n    def do_it(self, ctxt):\n        pass\n",
        "proj/cmd.py": """
            from proj.conf import CONF
            from proj import service

            def main():
                service.RpcService(manager=CONF.task_manager, topic='taskmanager').start()

            def other():
                service.RpcService(manager=CONF.other_manager, topic='other').start()
            """,
    })
    assert matched(root) == {("do_it", "proj.task.Manager.do_it")}


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
