"""RPC consumers: servers made by a helper for the endpoints each caller hands in (Neutron's shape)."""

from stackread.flows.entrypoints import find_entrypoints
from stackread.flows.rpc import find_rpc

# neutron-lib's rpc module, cut down: `create_consumer` builds the target itself from its topic.
LIB_RPC = """
import oslo_messaging

def get_server(target, endpoints, serializer=None):
    return oslo_messaging.get_rpc_server(None, target, endpoints, executor='threading')

def get_client(target):
    return oslo_messaging.get_rpc_client(None, target)

class Connection:
    def __init__(self):
        self.servers = []

    def create_consumer(self, topic, endpoints, fanout=False):
        target = oslo_messaging.Target(topic=topic, server='host', fanout=fanout)
        server = get_server(target, endpoints)
        self.servers.append(server)
"""

# neutron-lib's topics: names built by a function returning an f-string.
TOPICS = """
AGENT = 'q-agent-notifier'
PLUGIN = 'q-plugin'
PORT = 'port'
NETWORK = 'network'
L2POP = 'l2population'
UPDATE = 'update'
DELETE = 'delete'

def get_topic_name(prefix, table, operation, host=None):
    if host:
        return f'{prefix}-{table}-{operation}.{host}'
    return f'{prefix}-{table}-{operation}'
"""

# neutron/agent/rpc.py: one consumer per [table, operation], a node topic when a third item is given.
AGENT_RPC = """
import itertools
from lib import rpc as lib_rpc
from lib import topics

def create_consumers(endpoints, prefix, topic_details, start_listening=True):
    connection = lib_rpc.Connection()
    for details in topic_details:
        topic, operation, node_name = itertools.islice(itertools.chain(details, [None]), 3)
        topic_name = topics.get_topic_name(prefix, topic, operation)
        connection.create_consumer(topic_name, endpoints, fanout=True)
        if node_name:
            node_topic_name = f'{topic_name}.{node_name}'
            connection.create_consumer(node_topic_name, endpoints, fanout=False)
    return connection
"""

AGENT = """
from lib import topics
from proj import agent_rpc

class Agent:
    def __init__(self, l2_pop):
        self.l2_pop = l2_pop
        self.setup_rpc()

    def setup_rpc(self):
        consumers = [[topics.PORT, topics.UPDATE], [topics.NETWORK, topics.DELETE]]
        if self.l2_pop:
            consumers.append([topics.L2POP, topics.UPDATE])
        self.connection = agent_rpc.create_consumers([self], topics.AGENT, consumers)

    def port_update(self, context, port):
        pass

    def add_fdb_entries(self, context, fdb_entries):
        pass

def main():
    Agent(True)
"""

PLUGIN = """
from lib import rpc as n_rpc
from lib import topics

class Callbacks:
    def get_device_details(self, context, device):
        pass

class Plugin:
    def start_rpc_listeners(self):
        self.endpoints = [Callbacks()]
        self.conn = n_rpc.Connection()
        self.conn.create_consumer(topics.PLUGIN, self.endpoints, fanout=False)
        return self.conn.servers
"""

# ml2's AgentNotifierApi: per-operation topics from the helper, one of them through a mixin's method.
NOTIFIER = """
import oslo_messaging
from lib import rpc as n_rpc
from lib import topics

class L2popMixin:
    def _get_l2pop_topic(self):
        return topics.get_topic_name(self.topic, topics.L2POP, topics.UPDATE)

    def add_fdb_entries(self, context, fdb_entries):
        cctxt = self.client.prepare(topic=self._get_l2pop_topic(), fanout=True)
        cctxt.cast(context, 'add_fdb_entries', fdb_entries=fdb_entries)

class AgentNotifierApi(L2popMixin):
    def __init__(self, topic):
        self.topic = topic
        self.topic_port_update = topics.get_topic_name(topic, topics.PORT, topics.UPDATE)
        target = oslo_messaging.Target(topic=topic, version='1.0')
        self.client = n_rpc.get_client(target)

    def port_update(self, context, port):
        cctxt = self.client.prepare(topic=self.topic_port_update, fanout=True)
        cctxt.cast(context, 'port_update', port=port)

    def port_delete(self, context, port_id):
        cctxt = self.client.prepare(topic=topics.get_topic_name(self.topic, topics.PORT, topics.DELETE),
                                    fanout=True)
        cctxt.cast(context, 'port_delete', port_id=port_id)

def notifier():
    return AgentNotifierApi(topics.AGENT)
"""

PLUGIN_API = """
import oslo_messaging
from lib import rpc as n_rpc
from lib import topics

class PluginApi:
    def __init__(self, topic):
        target = oslo_messaging.Target(topic=topic, version='1.0')
        self.client = n_rpc.get_client(target)

    def get_device_details(self, context, device):
        cctxt = self.client.prepare()
        return cctxt.call(context, 'get_device_details', device=device)

def api():
    return PluginApi(topics.PLUGIN)
"""

# neutron-rpc-server: main hands its server function on; the workers start each plugin's listeners
# through a method named by a string, on plugins loaded from an entry point group.
SERVER = """
class RpcWorker:
    start_listeners_method = 'start_rpc_listeners'

    def __init__(self, plugins):
        self._plugins = plugins

    def start(self):
        for plugin in self._plugins:
            getattr(plugin, self.start_listeners_method)()

def rpc_server():
    RpcWorker(load_plugins())

def load_plugins():
    return []

def boot_server(server_func):
    return server_func()

def main_rpc():
    boot_server(rpc_server)
"""

SETUP = """
[metadata]
name = proj
[entry_points]
console_scripts =
    proj-agent = proj.agent:main
    proj-rpc-server = proj.server:main_rpc
proj.core_plugins =
    core = proj.plugin:Plugin
"""

FILES = {
    "setup.cfg": SETUP, "lib/__init__.py": "", "lib/rpc.py": LIB_RPC, "lib/topics.py": TOPICS,
    "proj/__init__.py": "", "proj/agent_rpc.py": AGENT_RPC, "proj/agent.py": AGENT, "proj/plugin.py": PLUGIN,
    "proj/notifier.py": NOTIFIER, "proj/plugin_api.py": PLUGIN_API, "proj/server.py": SERVER,
}


def test_each_caller_of_create_consumer_is_a_server_of_its_own(make_tree):
    report = find_rpc(make_tree(FILES))
    by_topic = {(e.topic, e.cls) for e in report.endpoints}
    # ml2's `self.conn.create_consumer(topics.PLUGIN, self.endpoints)`: the plugin's callbacks on q-plugin
    assert ("q-plugin", "proj.plugin.Callbacks") in by_topic
    # nothing merged across callers: the agent is not an endpoint on the plugin's topic
    assert ("q-plugin", "proj.agent.Agent") not in by_topic


def test_create_consumers_topics_per_element_of_the_list(make_tree):
    report = find_rpc(make_tree(FILES))
    topics = {e.topic for e in report.endpoints if e.cls == "proj.agent.Agent"}
    # one topic per [table, operation], the appended l2pop one too; `if node_name:` with the element
    # padded by None makes no node topic
    assert topics == {"q-agent-notifier-port-update", "q-agent-notifier-network-delete",
                      "q-agent-notifier-l2population-update"}


def test_prepared_topics_from_the_helper_and_through_a_mixin(make_tree):
    sends = {s.method: s for s in find_rpc(make_tree(FILES)).sends}
    assert sends["port_update"].topic == "q-agent-notifier-port-update"
    assert sends["port_update"].endpoint == "proj.agent.Agent.port_update"
    # `self._get_l2pop_topic()` in the mixin: `self.topic` is the subclass's
    assert sends["add_fdb_entries"].topic == "q-agent-notifier-l2population-update"
    assert sends["add_fdb_entries"].endpoint == "proj.agent.Agent.add_fdb_entries"
    # no agent consumes port deletes: the send stays unmatched, with its topic named
    assert sends["port_delete"].topic == "q-agent-notifier-port-delete" and sends["port_delete"].endpoint is None
    assert sends["get_device_details"].endpoint == "proj.plugin.Callbacks.get_device_details"


def test_scripts_serve_their_consumers(make_tree):
    report = find_entrypoints(make_tree(FILES))
    services = {ep.name: ep.service for ep in report.entrypoints if ep.kind == "service"}
    # the agent's main constructs the agent, whose __init__ sets up its consumers
    assert services["proj-agent"].manager == "proj.agent.Agent"
    assert "q-agent-notifier-port-update" in (services["proj-agent"].topic, *services["proj-agent"].extra_topics)
    # the server's main hands `rpc_server` on; its worker starts the declared plugin's listeners
    assert services["proj-rpc-server"].topic == "q-plugin"
    assert services["proj-rpc-server"].endpoints == ("proj.plugin.Callbacks",)


def test_main_handing_its_manager_default_to_service_create(make_tree):
    # neutron's l3 agent: `main(manager='...')` calls `Service.create(binary=..., topic=..., manager=manager)`
    root = make_tree({
        "setup.cfg": "[metadata]\nname = proj\n[entry_points]\nconsole_scripts =\n    proj-l3 = proj.cmd:main\n",
        "proj/__init__.py": "",
        "proj/service.py": """
            class Service:
                def __init__(self, host, binary, topic, manager):
                    self.topic = topic

                @classmethod
                def create(cls, host=None, binary=None, topic=None, manager=None):
                    return cls(host, binary, topic, manager)
            """,
        "proj/l3_agent.py": """
            from proj import service

            def main(manager='proj.agent.L3Agent'):
                server = service.Service.create(binary='proj-l3', topic='l3_agent', manager=manager)
            """,
        "proj/agent.py": "class L3Agent:\n    def routers_updated(self, context):\n        pass\n",
        "proj/cmd.py": "from proj import l3_agent\n\ndef main():\n    l3_agent.main()\n",
    })
    service = next(ep.service for ep in find_entrypoints(root).entrypoints if ep.name == "proj-l3")
    assert (service.binary, service.topic, service.manager) == ("proj-l3", "l3_agent", "proj.agent.L3Agent")


def test_unknown_topics_name_the_library_to_read(make_tree):
    from stackread.flows.reading import Reading

    files = {
        "setup.cfg": "[metadata]\nname = proj\n", "requirements.txt": "neutron-lib>=5.0.0 # Apache-2.0\n",
        "proj/__init__.py": "",
        "proj/api.py": """
            import oslo_messaging
            from neutron_lib.agent import topics

            class PluginApi:
                def __init__(self):
                    target = oslo_messaging.Target(topic=topics.PLUGIN, version='1.0')
                    self.client = oslo_messaging.get_rpc_client(None, target)

                def get_ports(self, context):
                    cctxt = self.client.prepare()
                    return cctxt.call(context, 'get_ports')
            """,
    }
    root = make_tree(files)
    report = find_rpc(Reading(root))
    hints = [d.message for d in report.diagnostics if "not read" in d.message]
    assert hints == ["1 send has no topic: their topics come from neutron_lib, which is not read: add -L neutron-lib "
                     "(-L neutron-lib==VERSION or -L PATH; the tree asks for neutron-lib>=5.0.0)"]
    library = make_tree({"neutron_lib/__init__.py": "", "neutron_lib/agent/__init__.py": "",
                         "neutron_lib/agent/topics.py": "PLUGIN = 'q-plugin'\n"}, name="neutron-lib")
    read = find_rpc(Reading(root, libraries=(str(library),)))
    assert [s.topic for s in read.sends] == ["q-plugin"]
    assert not [d for d in read.diagnostics if "not read" in d.message]
