"""Which endpoint method oslo.messaging's dispatcher runs for a message: `getattr` through the MRO."""

from stackread.flows.rpc import find_rpc

SETUP = "[metadata]\nname = proj\n[entry_points]\nconsole_scripts =\n    proj-worker = proj.cmd:main\n"

RPC = """
import oslo_messaging as messaging

def get_server(target, endpoints, serializer=None):
    return messaging.get_rpc_server(None, target, endpoints, executor='threading')

def get_client(target):
    return messaging.get_rpc_client(None, target)
"""

CLIENT = """
import oslo_messaging as messaging
from proj import rpc

class API(object):
    def __init__(self):
        target = messaging.Target(topic='worker', version='1.0')
        self.client = rpc.get_client(target)

    def failover(self, ctxt):
        cctxt = self.client.prepare()
        cctxt.cast(ctxt, 'failover_host')

    def freeze(self, ctxt):
        cctxt = self.client.prepare()
        cctxt.cast(ctxt, 'freeze_host')
"""

SERVER = """
import oslo_messaging as messaging
from proj import manager, rpc

def main():
    target = messaging.Target(topic='worker')
    rpc.get_server(target, [manager.Manager()]).start()
"""


def sends(root):
    return {s.method: s for s in find_rpc(root).sends}


def test_a_class_body_alias_of_a_method_is_served_as_that_method(make_tree):
    # Cinder's volume manager: `failover_host = failover`, for clients older than the rename.
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC, "proj/api.py": CLIENT,
        "proj/cmd.py": SERVER,
        "proj/base.py": """
            class Base(object):
                def failover(self, ctxt):
                    pass

                failover_host = failover
                freeze_host = 'not a method'
            """,
        "proj/manager.py": """
            from proj import base

            class Manager(base.Base):
                def failover(self, ctxt):
                    pass  # an override after the alias was bound: getattr still finds the base's
            """,
    })
    found = sends(root)
    assert found["failover_host"].endpoint == "proj.base.Base.failover"
    assert found["failover_host"].endpoint_line == 2
    assert found["freeze_host"].endpoint is None  # a string attribute is nothing to dispatch to
    report = find_rpc(root)
    assert "failover" not in {method for _endpoint, method, _path, _line in report.unsent if _path == "proj/base.py"}


def test_every_unmatched_send_says_why(make_tree):
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC, "proj/cmd.py": SERVER,
        "proj/manager.py": """
            import oslo_messaging as messaging

            class Manager(object):
                target = messaging.Target(version='2.0')

                def failover_host(self, ctxt):
                    pass

                def resize(self, ctxt):
                    pass

            class Dispatcher(object):  # a server the reading does not find would serve it
                def thaw_host(self, ctxt):
                    pass
            """,
        "proj/api.py": """
            import oslo_messaging as messaging
            from proj import rpc

            class API(object):
                def __init__(self, topic):
                    target = messaging.Target(topic=topic, version='2.0')
                    self.client = rpc.get_client(target)

                def freeze(self, ctxt):
                    self.client.prepare().cast(ctxt, 'freeze_host')

                def old(self, ctxt):
                    self.client.prepare(version='1.0').cast(ctxt, 'failover_host')

                def other(self, ctxt):
                    self.client.prepare(topic='scheduler').cast(ctxt, 'resize')

                def nowhere(self, ctxt):
                    self.client.prepare().cast(ctxt, 'resize')

                def thaw(self, ctxt):
                    self.client.prepare().cast(ctxt, 'thaw_host')

            class Unbuilt(object):  # constructed nowhere: its topic is nobody's to say
                def __init__(self, topic):
                    self.client = rpc.get_client(messaging.Target(topic=topic))

                def unbuilt(self, ctxt):
                    self.client.prepare().cast(ctxt, 'resize')

            def main():
                API('worker')
            """,
    })
    reasons = {(s.client.rpartition(".")[2], s.method): s.reason for s in find_rpc(root).sends}
    assert reasons == {
        # `topic` is API's parameter: the topic `API('worker')` passes is read at the class's Target
        # the servers on the topic are what the dispatcher tries: named
        ("freeze", "freeze_host"): "no topic at the send; its class's Target names worker: "
                                   "no endpoint in the tree defines freeze_host; the servers of topic worker "
                                   "serve manager.Manager",
        ("old", "failover_host"): "no topic at the send; its class's Target names worker: "
                                  "manager.Manager on topic worker serves version 2.0; the send asks for 1.0",
        ("other", "resize"): "no server listens on topic scheduler; manager.Manager on topic worker does",
        ("nowhere", "resize"): None,
        ("thaw", "thaw_host"): "no topic at the send; its class's Target names worker: no endpoint read "
                               "defines thaw_host; the servers of topic worker serve manager.Manager; "
                               "Dispatcher.thaw_host (proj/manager.py:13) does, on a class no server read serves",
        ("unbuilt", "resize"): "topic unknown; manager.Manager on topic worker defines resize",
    }


def test_an_endpoint_the_shared_service_start_builds_is_served_on_every_topic(make_tree):
    # Nova's Service.start: [manager wrapper, baserpc.BaseRPCAPI(...)] on each service's topic.
    from test_rpc import MINI_NOVA

    files = dict(MINI_NOVA)
    files["nova/service.py"] = MINI_NOVA["nova/service.py"] + """

    def __init__(self, binary, topic, manager):
        self.topic = topic
        self.manager = importutils.import_object(manager)

    def start(self):
        target = messaging.Target(topic=self.topic)
        endpoints = [_Tracking(self.manager), baserpc.BaseRPCAPI(self.manager.service_name)]
        self.rpcserver = rpc.get_server(target, endpoints)


class _Tracking(object):
    def __init__(self, endpoint):
        self._endpoint = endpoint

    def __getattr__(self, name):  # forwards: what it serves is the manager's
        return getattr(self._endpoint, name)

    def build_and_run_instance(self, ctxt, instance):
        pass  # never reached as an endpoint of its own
"""
    files["nova/service.py"] = ("import oslo_messaging as messaging\nfrom oslo_utils import importutils\n"
                                "from nova import baserpc\nfrom nova import rpc\n") + files["nova/service.py"]
    files["nova/rpc.py"] = MINI_NOVA["nova/rpc.py"] + (
        "\n        def get_server(target, endpoints):\n            return messaging.get_rpc_server(None, target, endpoints)\n")
    files["nova/baserpc.py"] = """
        import oslo_messaging as messaging
        from nova import rpc

        class BaseAPI(object):
            def __init__(self, topic):
                target = messaging.Target(topic=topic, namespace='baseapi', version='1.0')
                self.client = rpc.get_client(target)

            def ping(self, ctxt):
                return self.client.prepare().call(ctxt, 'ping')

        class BaseRPCAPI(object):
            target = messaging.Target(namespace='baseapi', version='1.1')

            def __init__(self, service_name):
                self.service_name = service_name

            def ping(self, ctxt):
                pass
        """
    files["nova/cmd/status.py"] = "from nova import baserpc\n\ndef main():\n    baserpc.BaseAPI('compute')\n"
    report = find_rpc(make_tree(files, name="nova"))
    ping = next(s for s in report.sends if s.method == "ping")
    assert (ping.topic, ping.service, ping.endpoint) == ("compute", "nova-compute", "nova.baserpc.BaseRPCAPI.ping")
    served = {(e.topic, e.cls) for e in report.endpoints}
    assert {("conductor", "nova.baserpc.BaseRPCAPI"), ("compute", "nova.baserpc.BaseRPCAPI")} <= served
    assert not any(cls == "nova.service._Tracking" for _topic, cls in served)
    # the other sends are matched as before
    assert not report.unmatched


def test_a_manager_forwarding_prefixed_names_through_getattr(make_tree):
    # Trove's taskmanager: `__getattr__` splits `<datastore>_<action>` and returns the action of
    # the strategy class the datastore's option group names; a name of another shape finds nothing.
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC, "proj/cmd.py": SERVER,
        "proj/conf.py": """
            from oslo_config import cfg
            CONF = cfg.CONF
            alpha_group = cfg.OptGroup('alpha')
            beta_group = cfg.OptGroup('beta')
            CONF.register_opts([cfg.StrOpt('strategy', default='proj.alpha.AlphaStrategy')], alpha_group)
            CONF.register_opts([cfg.StrOpt('strategy', default='proj.beta.BetaStrategy')], beta_group)
            """,
        "proj/loader.py": """
            from oslo_config.cfg import NoSuchOptError
            from oslo_utils import importutils
            from proj.conf import CONF

            def load_strategy(name):
                try:
                    clazz = CONF.get(name).get('strategy')
                    return importutils.import_class(clazz)()
                except NoSuchOptError:
                    return None
            """,
        "proj/alpha.py": """
            class AlphaStrategy(object):
                @property
                def actions(self):
                    return {'add_shard': self._add_shard}

                def _add_shard(self, context, shard):
                    pass
            """,
        "proj/beta.py": "class BetaStrategy(object):\n    actions = {}\n",
        "proj/manager.py": """
            from proj import loader

            class Manager(object):
                def resize(self, ctxt):
                    pass

                def __getattr__(self, name):
                    prefix, sep, action = name.partition('_')
                    strategy = loader.load_strategy(prefix)
                    if not strategy:
                        raise AttributeError(name)
                    return strategy.actions.get(action)
            """,
        "proj/api.py": """
            import oslo_messaging as messaging
            from proj import rpc

            class API(object):
                def __init__(self):
                    self.client = rpc.get_client(messaging.Target(topic='worker'))

                def alpha_add_shard(self, ctxt):
                    self.client.prepare().cast(ctxt, 'alpha_add_shard')

                def add_shard(self, ctxt):
                    self.client.prepare().cast(ctxt, 'add_shard')
            """,
    })
    report = find_rpc(root)
    found = {s.method: s for s in report.sends}
    assert (found["alpha_add_shard"].endpoint, found["alpha_add_shard"].endpoint_line) == \
        ("proj.alpha.AlphaStrategy._add_shard", 6)
    assert found["add_shard"].endpoint is None
    assert found["add_shard"].reason == (
        "no endpoint in the tree defines add_shard; the servers of topic worker serve manager.Manager; "
        "manager.Manager.__getattr__ (proj/manager.py:7) splits add_shard at '_' into 'add' and 'shard', "
        "and answers only alpha_add_shard (AlphaStrategy._add_shard)")


def test_a_method_that_hands_the_send_on_is_not_where_it_lands(make_tree):
    # Trove's FreshInstanceTasks.attach_replication_slave calls `self.guest.attach_replication_slave`:
    # the caller side of the send, not a server the reading missed; MgmtInstance.get_diagnostics(self)
    # takes no context: none either.
    root = make_tree({
        "setup.cfg": SETUP, "proj/__init__.py": "", "proj/rpc.py": RPC, "proj/cmd.py": SERVER,
        "proj/manager.py": "class Manager(object):\n    def resize(self, ctxt):\n        pass\n",
        "proj/api.py": CLIENT,
        "proj/models.py": """
            from proj import api

            class Instance(object):
                def __init__(self):
                    self.api = api.API()

                def failover_host(self, ctxt):
                    return self.api.failover(ctxt)

            class Helper(object):
                def freeze_host(self):
                    pass
            """,
    })
    reasons = {s.method: s.reason for s in find_rpc(root).sends}
    assert reasons == {
        "failover_host": "no endpoint in the tree defines failover_host; the servers of topic worker serve "
                         "manager.Manager",
        "freeze_host": "no endpoint in the tree defines freeze_host; the servers of topic worker serve "
                       "manager.Manager",
    }
