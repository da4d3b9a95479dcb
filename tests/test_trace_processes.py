"""`trace` names each process as `entrypoints` and `rpc` do (issue 17): a server found in the code,
Designate's `RPCService` serving `[self]` on the topic each subclass passes, is the binary whose main
starts it, not its class; the API process is named after the code's package (`heat-api`), not the
distribution (`openstack-heat`)."""

from stackread.flows.breakpoints import plan_breakpoints
from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

DESIGNATE_LIKE = {
    "setup.cfg": "[metadata]\nname = openstack-proj\n[entry_points]\nconsole_scripts =\n"
                 "    proj-central = proj.cmd:run_central\n    proj-worker = proj.cmd:run_worker\n",
    "proj/__init__.py": "",
    "proj/api.py": """
        import oslo_messaging as messaging


        class Controller(object):
            pass


        class Resource(object):
            def __init__(self, controller):
                self.controller = controller


        class ZonesController(Controller):
            def __init__(self):
                self.central = CentralAPI()

            def create(self, req, body):
                self.central.create_zone(req)


        class CentralAPI(object):
            def __init__(self):
                self.client = messaging.get_rpc_client(None, messaging.Target(topic='central'))

            def create_zone(self, ctxt):
                return self.client.call(ctxt, 'create_zone')


        ROUTE_LIST = (('/zones', {'POST': [ZonesController, 'create']}),)


        class APIRouter(object):
            def __init__(self):
                for path, methods in ROUTE_LIST:
                    for method, controller_info in methods.items():
                        controller = Resource(controller_info[0]())
                        self.map.create_route(path, method, controller, controller_info[1])
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
    "proj/central.py": """
        import oslo_messaging as messaging
        from proj import service


        class Service(service.RPCService):
            def __init__(self):
                super().__init__('central')
                self.worker = messaging.get_rpc_client(None, messaging.Target(topic='worker'))

            def create_zone(self, ctxt):
                self.worker.cast(ctxt, 'create_zone')
        """,
    "proj/worker.py": """
        from proj import service


        class Service(service.RPCService):
            def __init__(self):
                super().__init__('worker')

            def create_zone(self, ctxt):
                pass
        """,
    "proj/cmd.py": """
        from proj import central
        from proj import worker


        def run_central():
            central.Service().start()


        def run_worker():
            worker.Service().start()
        """,
}


def hops(trace):
    return [(h.source, h.kind, h.target, h.method) for h in trace.hops]


def test_hops_name_the_binaries_that_start_a_service_serving_itself(make_tree):
    trace = trace_operation(Reading(make_tree(DESIGNATE_LIKE), use_cache=False), "zone create")
    assert hops(trace) == [("proj-api", "call", "proj-central", "create_zone"),
                           ("proj-central", "cast", "proj-worker", "create_zone")]
    assert [h.endpoint for h in trace.hops] == ["proj.central.Service.create_zone", "proj.worker.Service.create_zone"]


def test_the_api_process_is_named_after_the_package_not_the_distribution(make_tree):
    trace = trace_operation(Reading(make_tree(DESIGNATE_LIKE), use_cache=False), "zone create")
    assert trace.root.process == "proj-api"  # the distribution is openstack-proj
    named = {**DESIGNATE_LIKE, "setup.cfg": DESIGNATE_LIKE["setup.cfg"].replace("openstack-proj", "proj")}
    trace = trace_operation(Reading(make_tree(named, "named"), use_cache=False), "zone create")
    assert trace.root.process == "proj-api"


def test_breakpoints_run_a_service_found_in_the_code_as_its_script(make_tree):
    plan = plan_breakpoints(Reading(make_tree(DESIGNATE_LIKE), use_cache=False), "zone create")
    assert plan.processes == ["proj-api", "proj-central", "proj-worker"]
    assert [plan.runs[p].script for p in plan.processes[1:]] == ["proj-central", "proj-worker"]


def test_the_dedicated_service_receives_not_the_all_in_one_launcher(make_tree):
    # Ironic installs `ironic` (singleprocess: the conductor, the API and the console proxy in one)
    # beside `ironic-conductor`; the alphabet puts `proj` first, the deployed receiver is proj-worker.
    all_in_one = {
        **DESIGNATE_LIKE,
        "setup.cfg": DESIGNATE_LIKE["setup.cfg"] + "    proj = proj.cmd:run_all\n",
        "proj/proxy.py": "class ConsoleProxy(object):\n    def start(self):\n        pass\n",
        "proj/cmd.py": DESIGNATE_LIKE["proj/cmd.py"] + """

        def run_all():
            from proj import proxy
            worker.Service().start()
            proxy.ConsoleProxy().start()
        """,
    }
    trace = trace_operation(Reading(make_tree(all_in_one), use_cache=False), "zone create")
    assert hops(trace)[1] == ("proj-central", "cast", "proj-worker", "create_zone")
