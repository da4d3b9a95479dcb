"""A two-operation Nova-shaped tree for the gallery's tests, and the site it writes."""

from __future__ import annotations

import pathlib

from click.testing import CliRunner

from conftest import write_tree
from test_flowdiff import MINI

from stackread.cli import cli

HOSTILE = "<script>alert(1)</script>"  # in a condition: must reach every page as text, never as markup
PKG_INFO = "Metadata-Version: 2.1\nName: nova\nVersion: 1.0.0\n"


def gallery_tree(root: pathlib.Path, published: bool = True) -> pathlib.Path:
    files = dict(MINI)
    files["nova/api/openstack/compute/servers.py"] = f"""
        from nova.api.openstack import wsgi
        from nova.conductor import rpcapi as conductor_rpcapi


        class ServersController(wsgi.Controller):
            def __init__(self):
                self.compute_task_api = conductor_rpcapi.ComputeTaskAPI()

            def create(self, req, body):
                if body.get('name') != '{HOSTILE}':
                    self.compute_task_api.build_instances(req, body=body)

            def show(self, req, id):
                return {{'server': id}}
        """
    files["nova/api/openstack/compute/routes.py"] = MINI["nova/api/openstack/compute/routes.py"].replace(
        "            }),\n        )",
        "            }),\n            ('/servers/{id}', {\n                'GET': [server_controller, 'show'],\n"
        "            }),\n        )")
    if published:
        files["PKG-INFO"] = PKG_INFO
    return write_tree(root, files)


def run_gallery(*args: str):
    return CliRunner().invoke(cli, ["gallery", *args], catch_exceptions=False)
