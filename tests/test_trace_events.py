"""Neutron's callbacks registry as in-process event steps of `trace` (issue 16): a
`registry.publish(resource, event, ...)` runs every callback subscribed to the same (resource, event),
by `registry.subscribe` in a notifier's `__init__` or by `@registry.receives` on a class marked
`has_registry_receivers`; the resource and event meet as the values of the library's constants."""

import json

from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation
from stackread.render.trace import to_json

LIBRARY = {
    "neutron_lib/__init__.py": "",
    "neutron_lib/callbacks/__init__.py": "",
    "neutron_lib/callbacks/resources.py": "PORT = 'port'\nNETWORK = 'network'\nSUBNET = 'subnet'\n",
    "neutron_lib/callbacks/events.py": "AFTER_CREATE = 'after_create'\nAFTER_DELETE = 'after_delete'\n",
    "neutron_lib/callbacks/registry.py": """
        def subscribe(callback, resource, event, priority=0):
            pass


        def publish(resource, event, trigger, payload=None):
            pass


        def receives(resource, events, priority=0):
            def decorator(f):
                return f
            return decorator


        def has_registry_receivers(klass):
            return klass
        """,
}

PROJECT = {
    "setup.cfg": "[metadata]\nname = proj\n[entry_points]\nconsole_scripts =\n    proj-agent = proj.cmd:run_agent\n",
    "proj/__init__.py": "",
    "proj/api.py": """
        from proj import plugin


        class Controller(object):
            pass


        class Resource(object):
            def __init__(self, controller):
                self.controller = controller


        class PortsController(Controller):
            def create(self, req, body):
                plugin.Plugin().create_port(req)

            def delete(self, req, id):
                plugin.Plugin().delete_port(req)


        class NetworksController(Controller):
            def create(self, req, body):
                plugin.Plugin().create_network(req)


        class SubnetsController(Controller):
            def create(self, req, body):
                plugin.Plugin().create_subnet(req, body)


        ROUTE_LIST = (('/ports', {'POST': [PortsController, 'create']}),
                      ('/ports/{id}', {'DELETE': [PortsController, 'delete']}),
                      ('/networks', {'POST': [NetworksController, 'create']}),
                      ('/subnets', {'POST': [SubnetsController, 'create']}))


        class APIRouter(object):
            def __init__(self):
                for path, methods in ROUTE_LIST:
                    for method, controller_info in methods.items():
                        controller = Resource(controller_info[0]())
                        self.map.create_route(path, method, controller, controller_info[1])
        """,
    "proj/plugin.py": """
        from neutron_lib.callbacks import events
        from neutron_lib.callbacks import registry
        from neutron_lib.callbacks import resources


        class Plugin(object):
            def create_port(self, context):
                registry.publish(resources.PORT, events.AFTER_CREATE, self, payload=context)

            def delete_port(self, context):
                registry.publish(resources.PORT, events.AFTER_DELETE, self)

            def create_network(self, context):
                registry.publish(resources.NETWORK, events.AFTER_CREATE, self)

            def create_subnet(self, context, body):
                registry.publish(body['kind'], events.AFTER_CREATE, self)
        """,
    "proj/notifier.py": """
        import oslo_messaging as messaging
        from neutron_lib.callbacks import events
        from neutron_lib.callbacks import registry
        from neutron_lib.callbacks import resources


        class AgentNotifier(object):
            def __init__(self):
                self.client = messaging.get_rpc_client(None, messaging.Target(topic='agent'))
                for resource in (resources.PORT, resources.SUBNET):
                    registry.subscribe(self._created, resource, events.AFTER_CREATE)
                registry.subscribe(self._port_deleted, resources.PORT, events.AFTER_DELETE)

            def _created(self, resource, event, trigger, payload=None):
                self.client.cast(None, 'port_create_end')

            def _port_deleted(self, resource, event, trigger, payload=None):
                self.client.cast(None, 'port_delete_end')


        @registry.has_registry_receivers
        class NetworkNotifier(object):
            def __init__(self):
                self.client = messaging.get_rpc_client(None, messaging.Target(topic='agent'))

            @registry.receives(resources.NETWORK, [events.AFTER_CREATE])
            def _network_created(self, resource, event, trigger, payload=None):
                self.client.cast(None, 'network_create_end')
        """,
    "proj/naming.py": """
        import oslo_messaging as messaging
        from neutron_lib.callbacks import events
        from neutron_lib.callbacks import registry
        from neutron_lib.callbacks import resources


        class NamingNotifier(object):
            def __init__(self):
                self.client = messaging.get_rpc_client(None, messaging.Target(topic='agent'))
                registry.subscribe(self._send, resources.PORT, events.AFTER_CREATE)

            def _send(self, resource, event, trigger, payload=None):
                action = event.replace('after_', '')
                method_name = '.'.join((resource, action, 'end'))
                self.notify(payload, method_name)

            def notify(self, payload, method_name):
                method_name = method_name.replace('.', '_')
                if method_name.endswith('_delete_end'):
                    self._cast(payload, 'port_delete_end')
                elif method_name == 'port_create_end':
                    self._cast(payload, 'port_create_end')

            def _cast(self, payload, method):
                self.client.cast(None, method)
        """,
    "proj/agent.py": """
        class Agent(object):
            def port_create_end(self, context):
                pass

            def port_delete_end(self, context):
                pass

            def network_create_end(self, context):
                pass
        """,
    "proj/cmd.py": """
        import oslo_messaging as messaging
        from proj import agent


        def run_agent():
            server = messaging.get_rpc_server(None, messaging.Target(topic='agent'), [agent.Agent()])
            server.start()
        """,
}


def _trace(make_tree, operation):
    return trace_operation(Reading(make_tree({**LIBRARY, **PROJECT}), use_cache=False), operation)


def _events(step):
    found = [(step.event, step.function)] if step.kind == "event" else []
    return found + [e for child in step.children for e in _events(child)]


def hops(trace):
    return [(h.source, h.kind, h.method, h.endpoint) for h in trace.hops]


def test_a_publish_runs_the_callback_subscribed_to_its_resource_and_event(make_tree):
    trace = _trace(make_tree, "port create")
    assert _events(trace.root) == [("port after_create", "proj.naming.NamingNotifier._send"),
                                   ("port after_create", "proj.notifier.AgentNotifier._created")]
    assert ("proj-api", "cast", "port_create_end", "proj.agent.Agent.port_create_end") in hops(trace)
    step = json.dumps(to_json(trace))
    assert '"kind": "event"' in step and '"event": "port after_create"' in step


def test_a_method_name_made_from_the_event_decides_the_branches(make_tree):
    # `action = event.replace(...)`, `'.'.join(...)`, then a parameter rebound by the body: the path's
    # literal strings, so the delete branch is ruled out and the create branch's test is no condition.
    trace = _trace(make_tree, "port create")
    naming = [h for h in trace.hops if h.client.startswith("proj.naming.")]
    assert [(h.method, h.condition) for h in naming] == [("port_create_end", None)]


def test_other_events_of_the_same_resource_are_not_joined(make_tree):
    trace = _trace(make_tree, "port delete")
    assert _events(trace.root) == [("port after_delete", "proj.notifier.AgentNotifier._port_deleted")]
    assert hops(trace) == [("proj-api", "cast", "port_delete_end", "proj.agent.Agent.port_delete_end")]


def test_a_decorated_receiver_of_a_registry_class_is_subscribed(make_tree):
    trace = _trace(make_tree, "network create")
    assert _events(trace.root) == [("network after_create", "proj.notifier.NetworkNotifier._network_created")]
    assert hops(trace) == [("proj-api", "cast", "network_create_end", "proj.agent.Agent.network_create_end")]


def test_a_resource_that_cannot_be_evaluated_joins_nothing(make_tree):
    # body['kind'] is the request's: no subscriber is guessed for it (the loop's `subnet` included).
    trace = _trace(make_tree, "subnet create")
    assert _events(trace.root) == []
    assert hops(trace) == []


def test_the_call_graph_has_an_edge_per_callback_marked_with_its_event(make_tree):
    from stackread.flows.callgraph import load_callgraph, payload

    result = load_callgraph(Reading(make_tree({**LIBRARY, **PROJECT}), use_cache=False))
    graph = result.graph
    marked = {(e.callee, e.event, e.line) for e in graph.calls_from("proj.plugin.Plugin.create_port") if e.event}
    assert marked == {("proj.notifier.AgentNotifier._created", "port after_create", 8),
                      ("proj.naming.NamingNotifier._send", "port after_create", 8)}
    assert not [e for e in graph.calls_from("proj.plugin.Plugin.create_subnet") if e.event]
    printed = json.loads(payload(result))["edges"]  # as `callgraph --json` prints it and the cache keeps it
    record = next(r for r in printed if r["caller"] == "proj.plugin.Plugin.create_port"
                  and r["callee"] == "proj.notifier.AgentNotifier._created")
    assert record["event"] == "port after_create"
    plain = next(r for r in printed if r["callee"] == "proj.plugin.Plugin.create_port")
    assert "event" not in plain  # a plain call's record is as it was


def test_a_mixin_of_the_db_package_reached_through_super_with_arguments_is_followed(make_tree):
    # Queens' Neutron: L3_NAT_db_mixin.notify_router_interface_action calls
    # `super(L3_NAT_db_mixin, self).notify_routers_updated(...)`, the L3 notifier mixin's in neutron/db.
    # The object's own method, as `super().x()` is: followed into the db package, to its cast.
    files = {**LIBRARY, **PROJECT}
    files["proj/api.py"] = files["proj/api.py"].replace(
        "        ROUTE_LIST = (", """        class RoutersController(Controller):
            def create(self, req, body):
                plugin.L3Plugin().create_router(req)


        ROUTE_LIST = (('/routers', {'POST': [RoutersController, 'create']}),
                      """)
    files["proj/plugin.py"] += """

        class L3Plugin(l3.DbMixin):
            def create_router(self, context):
                self.notify_updated(context)
        """
    files["proj/plugin.py"] = files["proj/plugin.py"].replace(
        "from neutron_lib.callbacks import resources", "from neutron_lib.callbacks import resources\n        from proj.db import l3")
    files["proj/db/__init__.py"] = ""
    files["proj/db/l3.py"] = """
        import oslo_messaging as messaging


        class NotifierMixin(object):
            def notify_updated(self, context):
                client = messaging.get_rpc_client(None, messaging.Target(topic='agent'))
                client.cast(None, 'network_create_end')


        class DbMixin(NotifierMixin):
            def notify_updated(self, context):
                super(DbMixin, self).notify_updated(context)
        """
    trace = trace_operation(Reading(make_tree(files), use_cache=False), "router create")
    assert hops(trace) == [("proj-api", "cast", "network_create_end", "proj.agent.Agent.network_create_end")]


def test_a_function_drawn_once_points_to_where_it_is_expanded_above_or_below(make_tree):
    # As Masakari's create_notification: the helper named first calls the function the controller also
    # calls itself. The walk expands the direct call (breadth first), the tree prints the helper's first:
    # there the text says "(expanded below)", not "above" where nothing of it is.
    import io

    from rich.console import Console

    from stackread.render.trace import render

    files = {**LIBRARY, **PROJECT}
    files["proj/api.py"] = files["proj/api.py"].replace("""            def create(self, req, body):
                plugin.Plugin().create_port(req)
""", """            def create(self, req, body):
                self._checked(req)
                self._create(req)

            def _checked(self, req):
                self._create(req)

            def _create(self, req):
                plugin.Plugin().create_port(req)
""")
    trace = trace_operation(Reading(make_tree(files), use_cache=False), "port create")
    console = Console(file=io.StringIO(), width=200, highlight=False, color_system=None)
    for renderable in render(trace):
        console.print(renderable)
    lines = [line for line in console.file.getvalue().splitlines() if "PortsController._create" in line]
    assert len(lines) == 2
    assert lines[0].endswith("(expanded below)") and "expanded" not in lines[1]


def test_a_test_the_callee_repeats_on_what_it_is_handed_is_said_once_on_the_hop(make_tree):
    # Neutron's notify_routers_updated tests `if router_ids:` and hands them to routers_updated, which
    # tests `if router_ids:` again: the hop's condition is `router_ids`, not `router_ids and router_ids`.
    files = {**LIBRARY, **PROJECT}
    files["proj/plugin.py"] = files["proj/plugin.py"].replace(
        "            def delete_port(self, context):\n",
        "            def delete_port(self, context):\n"
        "                if context:\n"
        "                    self._deleted(context)\n\n"
        "            def _deleted(self, context):\n"
        "                if context:\n"
        "                    self._published(context)\n\n"
        "            def _published(self, context):\n")
    trace = trace_operation(Reading(make_tree(files), use_cache=False), "port delete")
    assert [(h.method, h.condition) for h in trace.hops] == [("port_delete_end", "context")]


def test_a_callback_handed_over_only_to_be_named_is_not_called(make_tree):
    # Queens' DhcpAgentNotifyAPI._native_event_send_dhcp_notification unsubscribes its legacy callback:
    # registry.unsubscribe_by_resource(self._send_dhcp_notification, resource) reaches the manager's
    # _find -> _get_id(callback), which only hashes it and takes its name. It never runs there: no step,
    # and not its cast.
    files = {**LIBRARY, **PROJECT}
    files["neutron_lib/callbacks/registry.py"] += """

        def unsubscribe(callback, resource):
            _Manager().unsubscribe(callback, resource)


        class _Manager(object):
            def unsubscribe(self, callback, resource):
                return self._find(callback)

            def _find(self, callback):
                return _get_id(callback)


        def _get_id(callback):
            from oslo_utils import reflection
            return '-'.join((reflection.get_callable_name(callback), str(hash(callback))))
        """
    files["proj/naming.py"] = files["proj/naming.py"].replace(
        "                action = event.replace('after_', '')\n",
        "                registry.unsubscribe(self._legacy, resource)\n"
        "                action = event.replace('after_', '')\n").replace(
        "            def notify(self, payload, method_name):\n",
        "            def _legacy(self, resource, event, trigger, payload=None):\n"
        "                self._cast(payload, 'network_create_end')\n\n"
        "            def notify(self, payload, method_name):\n")
    trace = trace_operation(Reading(make_tree(files), use_cache=False), "port create")

    def functions(step):
        return [step.function] + [f for child in step.children for f in functions(child)]
    assert "proj.naming.NamingNotifier._legacy" not in functions(trace.root)
    assert [h.method for h in trace.hops if h.client.startswith("proj.naming.")] == ["port_create_end"]


def test_every_pure_str_method_decides_a_branch_on_the_paths_strings(make_tree):
    # The conditions apply the same str methods as the rest of the engine (program/strings.py):
    # `removesuffix` rules the delete branch out as `endswith` does above.
    naming = PROJECT["proj/naming.py"].replace("if method_name.endswith('_delete_end'):",
                                               "if method_name.removesuffix('_end') == 'port_delete':")
    tree = make_tree({**LIBRARY, **PROJECT, "proj/naming.py": naming})
    trace = trace_operation(Reading(tree, use_cache=False), "port create")
    naming = [h for h in trace.hops if h.client.startswith("proj.naming.")]
    assert [(h.method, h.condition) for h in naming] == [("port_create_end", None)]
