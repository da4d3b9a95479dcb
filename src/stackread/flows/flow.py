"""A traced flow as data: the tree of steps an operation runs through, and its hops between processes.

`trace` builds one (flows/trace.py), the cache stores and reads it back through index/datacodec
(so every field type here must be one the codec knows), `--diff` compares two, and render draws
them. Plain dataclasses with `path` and `line` on everything that points into code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stackread.diagnostics import Diagnostic
from stackread.flows.release import Release
from stackread.frameworks.rest.route import Route


@dataclass
class Hop:
    source: str  # the sending process (service binary)
    target: str
    method: str
    kind: str  # cast | call
    fanout: bool
    client: str
    client_path: str
    client_line: int
    endpoint: str
    endpoint_path: str
    endpoint_line: int
    route: str | None
    condition: str | None
    default_path: bool
    error_path: bool
    assumed: list[str] = field(default_factory=list)  # the default scenario's assumptions that decided its branch
    role: str | None = None  # source | dest: which of the two hosts of a move it reaches (hosts.py)
    # The per-host topic a send routed to one host lands on, as the caller names the host
    # (`cinder-volume.<vref.service_topic_queue>`, hosts.host_queue); None when the rpc reader saw none.
    host_topic: str | None = None
    open: bool = False  # on the default path only if a condition the scenario cannot decide holds


@dataclass
class Step:
    function: str
    path: str
    line: int
    process: str
    kind: str = "call"  # entry | call | hop | driver | service | event | cut
    call_line: int | None = None  # where the caller calls it
    condition: str | None = None
    loop: str | None = None
    error_path: bool = False
    default_path: bool = True
    open: bool = False  # reached on the default path only if a condition the scenario leaves open holds
    service: str | None = None  # for service leaves: neutron, glance, ...
    hop: Hop | None = None
    receiver: str | None = None  # the class `self` is an instance of, when the method is inherited
    receiver_exact: bool = False  # `self` is exactly of that class (no subclass override runs)
    seen_above: bool = False  # already expanded earlier in the tree
    children: list["Step"] = field(default_factory=list)
    cut: str | None = None  # kind "cut": why the flow cannot be followed into `path` (see cuts.py)
    # A service step of the `story` level (detail.py): every call of that service it stands for, itself first.
    calls: list["Step"] = field(default_factory=list)
    assumed: list[str] = field(default_factory=list)  # the default scenario's assumptions that decided its branch
    # The call line of each other call under the same parent drawn just like this one, folded into it (fold.py).
    folded: list[int] = field(default_factory=list)
    event: str | None = None  # kind "event": the (resource, event) published that runs it: "port after_create"
    # A function handed to its parent step, run where the parent calls it: "called back as post_method at
    # nova/virt/libvirt/driver.py:11855" (handing.py)
    callback: str | None = None


@dataclass
class Trace:
    operation: str
    entry: Route
    source: str
    revision: str | None
    root: Step
    hops: list[Hop]
    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    release: Release | None = None  # what the tree read says it is: links and diff titles name it
    detail: str = "steps"  # the level of detail of `root` (detail.py): hops | story | steps | all
    # The serving trees REST hops were followed into (crossing.py): their steps link into them.
    servers: list[Release] = field(default_factory=list)


def in_flow_order(root: Step) -> list[Hop]:
    """Hops as a reader meets them: depth first through the tree, calls in source order."""
    hops: list[Hop] = []
    todo = [root]
    while todo:
        step = todo.pop()
        if step.hop is not None:
            hops.append(step.hop)
        todo.extend(reversed(step.children))
    return hops
