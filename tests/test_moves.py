"""Two hosts (issue 18): an operation that moves an instance reaches a source and a destination of
one service, named from the words of the routing expression and of what the callers passed for it;
an operation that stays on one host keeps the plain process name."""

from stackread.flows.hosts import INSTANCE_HOST, OTHER_HOST, expand, routing
from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

# An API that casts `prep` to the host the caller chose; that host casts `move` to the instance's
# own host, which casts `finish` to `host`, passed as `migration.dest_compute`. `start` goes to the
# instance's host too, in an operation that moves nothing.
MOVER = {
    "setup.cfg": "[metadata]\nname = proj\n[entry_points]\nconsole_scripts =\n"
                 "    proj-worker = proj.cmd:run_worker\n",
    "proj/__init__.py": "",
    "proj/api.py": """
        from proj import rpcapi


        class Controller(object):
            pass


        class Resource(object):
            def __init__(self, controller):
                self.controller = controller


        class ServersController(Controller):
            def __init__(self):
                self.worker = rpcapi.WorkerAPI()

            def resize(self, req, body):
                host = req.chosen
                self.worker.prep(req, req.instance, host)

            def start(self, req, body):
                self.worker.start(req, req.instance)


        ROUTE_LIST = (('/resize', {'POST': [ServersController, 'resize']}),
                      ('/start', {'POST': [ServersController, 'start']}))


        class APIRouter(object):
            def __init__(self):
                for path, methods in ROUTE_LIST:
                    for method, controller_info in methods.items():
                        controller = Resource(controller_info[0]())
                        self.map.create_route(path, method, controller, controller_info[1])
        """,
    "proj/rpcapi.py": """
        import oslo_messaging as messaging


        def _host(host, instance):
            return host or instance.host


        class WorkerAPI(object):
            def __init__(self):
                self.client = messaging.get_rpc_client(None, messaging.Target(topic='worker'))

            def prep(self, ctxt, instance, host):
                cctxt = self.client.prepare(server=host)
                cctxt.cast(ctxt, 'prep', instance=instance)

            def move(self, ctxt, instance, migration):
                cctxt = self.client.prepare(server=_host(None, instance))
                cctxt.cast(ctxt, 'move', instance=instance)

            def finish(self, ctxt, instance, host):
                cctxt = self.client.prepare(server=host)
                cctxt.cast(ctxt, 'finish', instance=instance)

            def start(self, ctxt, instance):
                cctxt = self.client.prepare(server=_host(None, instance))
                cctxt.cast(ctxt, 'start', instance=instance)
        """,
    "proj/service.py": """
        import oslo_messaging as messaging


        class RPCService(object):
            def __init__(self, topic):
                self.endpoints = [self]
                self.topic = topic

            def start(self):
                target = messaging.Target(topic=self.topic)
                self.server = messaging.get_rpc_server(None, target, self.endpoints)
        """,
    "proj/worker.py": """
        from proj import rpcapi
        from proj import service


        class Service(service.RPCService):
            def __init__(self):
                super().__init__('worker')
                self.worker = rpcapi.WorkerAPI()

            def prep(self, ctxt, instance):
                self.worker.move(ctxt, instance, instance.migration)

            def move(self, ctxt, instance, migration):
                self.worker.finish(ctxt, instance, migration.dest_compute)

            def finish(self, ctxt, instance):
                pass

            def start(self, ctxt, instance):
                pass
        """,
    "proj/cmd.py": """
        from proj import worker


        def run_worker():
            worker.Service().start()
        """,
}


def hops(trace):
    return [(h.source, h.target, h.method, h.role) for h in trace.hops]


def test_a_move_names_its_two_hosts_from_the_routing_expression(make_tree):
    trace = trace_operation(Reading(make_tree(MOVER), use_cache=False), "resize")
    assert hops(trace) == [("proj-api", "proj-worker (dest)", "prep", "dest"),
                           ("proj-worker (dest)", "proj-worker (source)", "move", "source"),
                           ("proj-worker (source)", "proj-worker (dest)", "finish", "dest")]
    client = trace.root.children[0]
    assert (client.function, client.process) == ("proj.rpcapi.WorkerAPI.prep", "proj-api")
    landed = client.children[0]
    assert (landed.function, landed.process) == ("proj.worker.Service.prep", "proj-worker (dest)")
    assert landed.children[0].process == "proj-worker (dest)"  # the steps run there


def test_an_operation_that_moves_nothing_keeps_the_plain_name(make_tree):
    trace = trace_operation(Reading(make_tree(MOVER), use_cache=False), "start")
    assert hops(trace) == [("proj-api", "proj-worker", "start", None)]


def test_the_innermost_text_that_names_a_host_decides():
    assert routing(("host", "migration.dest_compute")) == "dest"
    assert routing(("host", "self.source")) == "source"
    assert routing(("destination", "destination", "host")) == "dest"  # the client's word, not a caller's
    assert routing(("_compute_host(host, instance)", "migration.source_compute")) == "source"
    assert routing(("_compute_host(None, instance)", "instance")) == INSTANCE_HOST
    assert routing(("instance.host",)) == INSTANCE_HOST
    assert routing(("_compute_host(host, instance)",)) == OTHER_HOST  # a host given wins over the instance's
    assert routing(("host.service_host",)) == OTHER_HOST
    assert routing(()) is None
    # The name that holds the host says it, not the object it is read from (Cinder's volumes).
    assert routing(("dest_vol.service_topic_queue",)) == OTHER_HOST


def test_the_callers_texts_are_followed_for_the_variable_that_holds_the_host():
    chains = {"host": ("migration.dest_compute",), "volume": ("dest_vol",)}
    assert expand("_compute_host(host, instance)", chains) == ("_compute_host(host, instance)",
                                                               "migration.dest_compute")
    assert expand("volume.service_topic_queue", chains) == ("volume.service_topic_queue",)
