"""What a pecan hook's `before(state)` sets on `state.request` is `pecan.request.<attr>` in the controllers."""

from stackread.flows.callgraph import load_callgraph
from stackread.flows.reading import Reading

# Ironic's shape: the hook attaches the RPC client, the controller reads it through an alias of
# pecan's request (ironic/api/__init__.py: `request = pecan.request`).
_IRONIC = {
    "pkg/__init__.py": "",
    "pkg/api/__init__.py": "import pecan\n\nrequest = pecan.request\ndel pecan\n",
    "pkg/api/hooks.py": """
        from pecan import hooks

        from pkg.conductor import rpcapi

        class RPCHook(hooks.PecanHook):
            def before(self, state):
                state.request.rpcapi = rpcapi.ConductorAPI()
        """,
    "pkg/conductor/__init__.py": "",
    "pkg/conductor/rpcapi.py": "class ConductorAPI:\n    def do_node_deploy(self, node):\n        pass\n",
    "pkg/api/node.py": """
        import pecan

        from pkg import api

        class NodeStatesController:
            def provision(self, node):
                api.request.rpcapi.do_node_deploy(node)

            def direct(self, node):
                pecan.request.rpcapi.do_node_deploy(node)
        """,
}


def callees(make_tree, files, caller):
    graph = load_callgraph(Reading(make_tree(files), use_cache=False)).graph
    return {e.callee for e in graph.calls_from(caller)}


def test_an_attribute_a_hook_sets_on_the_request_is_read_through_pecan_request(make_tree):
    deploy = "pkg.conductor.rpcapi.ConductorAPI.do_node_deploy"
    assert deploy in callees(make_tree, _IRONIC, "pkg.api.node.NodeStatesController.provision")
    assert deploy in callees(make_tree, _IRONIC, "pkg.api.node.NodeStatesController.direct")


def test_a_hook_deriving_from_pecan_hook_through_a_project_class_counts(make_tree):
    files = dict(_IRONIC)
    files["pkg/api/hooks.py"] = """
        from pecan.hooks import PecanHook

        from pkg.conductor import rpcapi

        class BaseHook(PecanHook):
            pass

        class RPCHook(BaseHook):
            def before(self, state):
                state.request.rpcapi = rpcapi.ConductorAPI()
        """
    assert "pkg.conductor.rpcapi.ConductorAPI.do_node_deploy" in \
        callees(make_tree, files, "pkg.api.node.NodeStatesController.provision")


def test_a_class_that_is_not_a_pecan_hook_sets_nothing_on_pecan_request(make_tree):
    files = dict(_IRONIC)
    files["pkg/api/hooks.py"] = """
        from pkg.conductor import rpcapi

        class RPCHook:
            def before(self, state):
                state.request.rpcapi = rpcapi.ConductorAPI()
        """
    assert "pkg.conductor.rpcapi.ConductorAPI.do_node_deploy" not in \
        callees(make_tree, files, "pkg.api.node.NodeStatesController.provision")
