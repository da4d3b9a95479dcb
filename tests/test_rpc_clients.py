"""The client side that wrappers and helpers hide (frameworks.rpc_clients): method names through
tuples and several wrappers, targets and routing built by helpers. Each package is one client's shape."""

from stackread.flows.reading import Reading
from stackread.flows.rpc import find_rpc


def sends(make_tree, files):
    name = next(iter(files)).split("/")[0]
    tree = make_tree({"setup.cfg": f"[metadata]\nname = {name}\n", **files})
    return find_rpc(Reading(tree, use_cache=False)).sends


def by_method(found, method):
    return [s for s in found if s.method == method]


HEAT_MESSAGING = """
    import oslo_messaging

    def get_rpc_client(**kwargs):
        target = oslo_messaging.Target(**kwargs)
        return oslo_messaging.get_rpc_client(None, target)
    """


def test_a_method_name_in_a_tuple_made_by_a_helper_is_sent(make_tree):
    # Heat: make_msg -> (method, kwargs) -> self.call(ctxt, msg) -> `method, kwargs = msg`
    found = sends(make_tree, {
        "heat/__init__.py": "",
        "heat/messaging.py": HEAT_MESSAGING,
        "heat/client.py": """
            from heat import messaging

            class EngineClient(object):
                def __init__(self):
                    self._client = messaging.get_rpc_client(topic='engine', version='1.0')

                @staticmethod
                def make_msg(method, **kwargs):
                    return method, kwargs

                def call(self, ctxt, msg, version=None):
                    method, kwargs = msg
                    client = self._client.prepare(version=version)
                    return client.call(ctxt, method, **kwargs)

                def cast(self, ctxt, msg):
                    method, kwargs = msg
                    return self._client.cast(ctxt, method, **kwargs)

                def list_stacks(self, ctxt, limit=None):
                    return self.call(ctxt, self.make_msg('list_stacks', limit=limit))

                def delete_stack(self, ctxt, stack_identity, cast=False):
                    rpc_method = self.cast if cast else self.call
                    return rpc_method(ctxt, self.make_msg('delete_stack', stack_identity=stack_identity))
            """,
    })
    [listed] = by_method(found, "list_stacks")
    assert (listed.kind, listed.topic, listed.client, listed.client_line) == (
        "call", "engine", "heat.client.EngineClient.list_stacks", 21)
    assert sorted(s.kind for s in by_method(found, "delete_stack")) == ["call", "cast"]
    assert {s.method for s in found} == {"list_stacks", "delete_stack"}


def test_a_tuple_unpacked_where_the_helper_is_called_names_the_method(make_tree):
    # Heat's worker client: `method, kwargs = self.make_msg('cancel_check_resource', ...)`
    found = sends(make_tree, {
        "heat/__init__.py": "",
        "heat/messaging.py": HEAT_MESSAGING,
        "heat/worker_client.py": """
            from heat import messaging

            class WorkerClient(object):
                def __init__(self):
                    self._client = messaging.get_rpc_client(topic='engine_worker', version='1.0')

                @staticmethod
                def make_msg(method, **kwargs):
                    return method, kwargs

                def cancel_check_resource(self, ctxt, stack_id, engine_id):
                    _client = messaging.get_rpc_client(topic='engine_worker', server=engine_id)
                    method, kwargs = self.make_msg('cancel_check_resource', stack_id=stack_id)
                    cl = _client.prepare(version='1.3')
                    cl.cast(ctxt, method, **kwargs)
            """,
    })
    assert [(s.method, s.kind, s.topic) for s in found] == [("cancel_check_resource", "cast", "engine_worker")]


def test_a_queue_client_sends_what_its_callers_name_to_a_target_a_helper_builds(make_tree):
    # Barbican: TaskClient._cast(name) and `queue.get_client()` -> `get_target()` -> Target(topic=CONF.queue.topic)
    found = sends(make_tree, {
        "barbican/__init__.py": "",
        "barbican/config.py": """
            from oslo_config import cfg

            queue_opts = [cfg.StrOpt('topic', default='barbican.workers'),
                          cfg.StrOpt('namespace', default='barbican')]
            CONF = cfg.ConfigOpts()
            CONF.register_opts(queue_opts, group='queue')
            """,
        "barbican/queue/__init__.py": """
            import oslo_messaging as messaging
            from barbican import config

            CONF = config.CONF

            def get_target():
                return messaging.Target(topic=CONF.queue.topic, namespace=CONF.queue.namespace, version='1.1')

            def get_client(target=None):
                queue_target = target or get_target()
                return messaging.get_rpc_client(None, target=queue_target)
            """,
        "barbican/queue/client.py": """
            from barbican import queue

            class TaskClient(object):
                def __init__(self):
                    self._client = queue.get_client()

                def process_type_order(self, order_id):
                    self._cast('process_type_order', order_id=order_id)

                def _cast(self, name, **kwargs):
                    return self._client.cast({}, name, **kwargs)
            """,
    })
    [s] = found
    assert (s.method, s.kind, s.topic, s.namespace, s.version) == (
        "process_type_order", "cast", "barbican.workers", "barbican", "1.1")
    assert s.client == "barbican.queue.client.TaskClient.process_type_order"


CINDER_RPC = """
    import oslo_messaging as messaging

    class RPCAPI(object):
        TOPIC = None
        RPC_API_VERSION = '1.0'

        def __init__(self):
            target = messaging.Target(topic=self.TOPIC, version=self.RPC_API_VERSION)
            self.client = messaging.get_rpc_client(None, target)

        def _get_cctxt(self, version=None, **kwargs):
            if version is None:
                version = self.RPC_API_VERSION
            return self.client.prepare(version=version, **kwargs)
    """


def test_a_helper_that_prepares_routes_to_the_host_its_caller_names(make_tree):
    # Cinder: VolumeAPI._get_cctxt(host, fanout=True) sets server= and the per-host topic in **kwargs
    found = sends(make_tree, {
        "cinder/__init__.py": "",
        "cinder/rpc.py": CINDER_RPC,
        "cinder/volume/__init__.py": "",
        "cinder/volume/rpcapi.py": """
            from cinder import rpc

            def extract_host(host):
                return host.split('#')[0]

            class VolumeAPI(rpc.RPCAPI):
                TOPIC = 'cinder-volume'
                RPC_API_VERSION = '3.20'

                def _get_cctxt(self, host=None, version=None, **kwargs):
                    if host:
                        server = extract_host(host)
                        kwargs['topic'] = '%(topic)s.%(host)s' % {'topic': self.TOPIC, 'host': server}
                        kwargs['server'] = server
                    return super(VolumeAPI, self)._get_cctxt(version=version, **kwargs)

                def create_volume(self, ctxt, volume):
                    cctxt = self._get_cctxt(volume.service_topic_queue)
                    cctxt.cast(ctxt, 'create_volume', volume=volume)

                def publish_service_capabilities(self, ctxt):
                    cctxt = self._get_cctxt(fanout=True)
                    cctxt.cast(ctxt, 'publish_service_capabilities')
            """,
    })
    [create] = by_method(found, "create_volume")
    assert (create.topic, create.server_route, create.fanout) == (
        "cinder-volume", "volume.service_topic_queue", False)
    assert create.host_topic == "cinder-volume.<volume.service_topic_queue>"
    [publish] = by_method(found, "publish_service_capabilities")
    assert (publish.topic, publish.server_route, publish.fanout, publish.host_topic) == (
        "cinder-volume", None, True, None)


def test_a_name_passed_through_two_wrappers_is_sent_from_where_it_is_written(make_tree):
    # Neutron's DHCP notifier: network_removed_from_agent -> _notify(method) -> _cast_message(method)
    found = sends(make_tree, {
        "neutron/__init__.py": "",
        "neutron/dhcp_rpc_agent_api.py": """
            import oslo_messaging

            DHCP_AGENT = 'dhcp_agent'

            class DhcpAgentNotifyAPI(object):
                def __init__(self):
                    target = oslo_messaging.Target(topic=DHCP_AGENT, version='1.0')
                    self.client = oslo_messaging.get_rpc_client(None, target)

                def _cast_message(self, context, method, payload, host, topic=DHCP_AGENT):
                    cctxt = self.client.prepare(topic=topic, server=host)
                    cctxt.cast(context, method, payload=payload)

                def _notify(self, context, method, payload, host):
                    self._cast_message(context, method, payload, host)

                def network_removed_from_agent(self, context, network_id, host):
                    self._notify(context, 'network_delete_end', {'network_id': network_id}, host)

                def agent_updated(self, context, host):
                    self._cast_message(context, 'agent_updated', {}, host)
            """,
    })
    assert sorted((s.method, s.client.rpartition(".")[2], s.topic, s.server_route) for s in found) == [
        ("agent_updated", "agent_updated", "dhcp_agent", "host"),
        ("network_delete_end", "network_removed_from_agent", "dhcp_agent", "host")]


def test_a_base_client_sends_to_the_topic_its_subclass_constructs_it_with(make_tree):
    # Zun/Magnum: rpc_service.API(topic=None) builds the Target and wraps cast; compute's API passes the topic
    found = sends(make_tree, {
        "zun/__init__.py": "",
        "zun/rpc_service.py": """
            import oslo_messaging as messaging

            class API(object):
                def __init__(self, context=None, topic=None):
                    self._context = context
                    if topic is None:
                        topic = ''
                    target = messaging.Target(topic=topic)
                    self._client = messaging.get_rpc_client(None, target)

                def _cast(self, server, method, *args, **kwargs):
                    cctxt = self._client.prepare(server=server)
                    return cctxt.cast(self._context, method, *args, **kwargs)
            """,
        "zun/compute_rpcapi.py": """
            from zun import rpc_service

            COMPUTE_TOPIC = 'zun-compute'

            class API(rpc_service.API):
                def __init__(self, context=None):
                    super(API, self).__init__(context, topic=COMPUTE_TOPIC)

                def container_create(self, context, host, container):
                    self._cast(host, 'container_create', container=container)
            """,
    })
    [s] = found
    assert (s.method, s.topic, s.client, s.server_route) == (
        "container_create", "zun-compute", "zun.compute_rpcapi.API.container_create", "server")


def test_an_empty_topic_for_rpc_turned_off_is_not_the_topic(make_tree):
    # Ironic: `self.topic = topic or MANAGER_TOPIC`, and `''` when rpc_transport is 'none'
    found = sends(make_tree, {
        "ironic/__init__.py": "",
        "ironic/rpcapi.py": """
            import oslo_messaging as messaging
            from oslo_config import cfg

            MANAGER_TOPIC = 'ironic.conductor_manager'

            class ConductorAPI(object):
                def __init__(self, topic=None):
                    self.topic = topic
                    if self.topic is None:
                        self.topic = MANAGER_TOPIC
                    if cfg.CONF.rpc_transport == 'none':
                        self.topic = ''
                    target = messaging.Target(topic=self.topic, version='1.0')
                    self.client = messaging.get_rpc_client(None, target)

                def create_node(self, context, node_obj):
                    cctxt = self.client.prepare(version='1.36')
                    return cctxt.call(context, 'create_node', node_obj=node_obj)
            """,
    })
    assert [(s.method, s.topic) for s in found] == [("create_node", "ironic.conductor_manager")]


def test_a_host_cut_out_of_the_callers_per_host_topic_is_routed_to_that_topic(make_tree):
    # Ironic's hash ring: get_topic_for(node) is '%s.%s' % (self.topic, host); _prepare_call cuts the
    # host off again and prepares `server=host or None` on the target's topic: queue <topic>.<host>
    found = sends(make_tree, {
        "ironic/__init__.py": "",
        "ironic/rpcapi.py": """
            import oslo_messaging as messaging

            class ConductorAPI(object):
                def __init__(self, topic=None):
                    self.topic = topic or 'ironic.conductor_manager'
                    target = messaging.Target(topic=self.topic, version='1.0')
                    self.client = messaging.get_rpc_client(None, target)

                def _prepare_call(self, topic, version=None):
                    topic = topic or self.topic
                    host = topic[len(self.topic) + 1:]
                    return self.client.prepare(topic=self.topic, server=host or None, version=version)

                def get_topic_for(self, node):
                    return '%s.%s' % (self.topic, node.conductor)

                def create_node(self, context, node_obj, topic=None):
                    cctxt = self._prepare_call(topic=topic, version='1.36')
                    return cctxt.call(context, 'create_node', node_obj=node_obj)

                def object_action(self, context, objinst):
                    cctxt = self._prepare_call(topic=self.topic, version='1.31')
                    return cctxt.call(context, 'object_action', objinst=objinst)
            """,
    })
    [create] = by_method(found, "create_node")
    assert (create.topic, create.server_route, create.host_topic) == (
        "ironic.conductor_manager", "host in topic", "ironic.conductor_manager.<host>")
    # its own topic cut after its own length leaves no host: any conductor
    [action] = by_method(found, "object_action")
    assert (action.topic, action.server_route, action.host_topic) == ("ironic.conductor_manager", None, None)


def test_a_send_on_a_context_prepared_in_the_same_expression(make_tree):
    # Neutron's trunk agent API: `self.rpc_client.prepare().call(...)` on a neutron-lib client
    found = sends(make_tree, {
        "neutron/__init__.py": "",
        "neutron/trunk_agent.py": """
            import oslo_messaging
            from neutron_lib import rpc as n_rpc

            class TrunkServerStub(object):
                def __init__(self):
                    target = oslo_messaging.Target(topic='trunk', version='1.0')
                    self.rpc_client = n_rpc.get_client(target)

                def update_trunk_status(self, context, trunk_id, status):
                    return self.rpc_client.prepare().call(context, 'update_trunk_status', trunk_id=trunk_id)
            """,
    })
    assert [(s.method, s.kind, s.topic) for s in found] == [("update_trunk_status", "call", "trunk")]
