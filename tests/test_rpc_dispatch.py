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
