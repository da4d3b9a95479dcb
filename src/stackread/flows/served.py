"""Which process serves what, once per tree: the entry points with their RPC servers, and every
cast and call matched to its endpoint, as `trace` needs them before it walks.

Reading the servers and matching the sends costs a new question about Nova more than a second
(every call site scanned for server topics, every client method's prepare resolved), and the
answer depends only on the tree and the settings conditions are evaluated on, never on the
operation asked. So it is kept in the index cache beside the routes and the entry points, and a
second operation of the same tree reads it back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Mapping

from stackread.flows.entrypoints import EntrypointReport
from stackread.frameworks.messaging import RpcReport


@dataclass(frozen=True)
class Served:
    report: EntrypointReport  # the entry points, each script that starts an RPC server a service
    rpc: RpcReport  # the sends of the program matched to those services' endpoints


def served_key(tree_key: str | None, settings: Mapping[str, Any], scenario: Mapping[str, Any]) -> str | None:
    """The key of a tree's Served under the settings and scenario its conditions were set by (a
    condition decided on them may hide a send)."""
    if not tree_key:
        return None
    asked = repr((sorted(settings.items(), key=repr), sorted(scenario.items(), key=repr)))
    return "served:" + hashlib.sha1(f"{tree_key}:{asked}".encode()).hexdigest()
