"""Two hosts: an operation that moves an instance runs on a source and a destination of one service.

Resize, migrate, live-migrate and evacuate send to `nova-compute` on two machines; a reader draws
them as `nova-compute (source)` and `nova-compute (dest)`. Which one a hop reaches is written in
the routing expression of the client's `prepare(server=...)` and in what the callers passed for
it (`server=host`, called with `host=migration.dest_compute`): the walk hands over that chain of
texts, innermost first (walker.py), and this module reads their words. The rule is general, never
a list of method names:

- a word `source`/`src`/`origin` names the source, `dest`/`destination`/`target` the destination,
  in the name that holds the host (`migration.source_compute`, `self.source`, `server=destination`;
  not `dest_vol.service_topic_queue`, a volume's own backend); the innermost text that names one
  decides (what the client wrote is more precise than what a caller happened to call it);
- otherwise the expression is either the instance's own host (`_compute_host(None, instance)`,
  `instance.host`) or another host given by the caller (`host`). In an operation that moves the
  instance, one where some hop to that service names its destination, the instance's host is the source
  (it is where the instance runs until the move is done) and another host is the destination;
  in any other operation both are just the service (create_server's `nova-compute`; delete's
  `terminate_instance` beside the `confirm_resize` of a pending resize, sent to its source).
"""

from __future__ import annotations

import re

from stackread.flows.flow import Step

_SOURCE = frozenset({"source", "src", "origin"})
_DEST = frozenset({"dest", "destination", "target"})
# Kinds a hop is routed by, before the whole flow is known: a named role, or one of these two.
INSTANCE_HOST, OTHER_HOST = "instance host", "other host"
# A name that holds a value: not the object an attribute is read from, not a function called.
_HOLDER = re.compile(r"(?<!\w)([A-Za-z_]\w*)(?!\w|\s*[.(\[])")
# A name used as a value: not an attribute (`.host`), not a function called (`_compute_host(`).
_BASE_NAME = re.compile(r"(?<![.\w])([A-Za-z_]\w*)\b(?!\s*\()")
_BARE = re.compile(r"(?<![.\w])([A-Za-z_]\w*)(?!\w|\s*[.(\[])")  # a variable used whole


def named_role(text: str) -> str | None:
    """`source` or `dest` when a name that holds the host says which (`migration.source_compute`,
    `self.source`, `dest`): the last of an attribute chain, not the object it is read from (Cinder's
    `dest_vol.service_topic_queue` is the queue of a volume's own backend, not a named host)."""
    words = {part.lower() for identifier in _HOLDER.findall(text) for part in identifier.split("_")}
    if words & _SOURCE and not words & _DEST:
        return "source"
    if words & _DEST and not words & _SOURCE:
        return "dest"
    return None


def routing(chain: tuple[str, ...]) -> str | None:
    """How a hop is routed, from its routing expression and what the callers passed for it
    (innermost first): a role, INSTANCE_HOST, OTHER_HOST, or None (no server: any host)."""
    if not chain or not chain[0]:
        return None
    for text in chain:
        role = named_role(text)
        if role is not None:
            return role
    names = {n for n in _BASE_NAME.findall(chain[0]) if n not in ("None", "self", "cls")}
    return INSTANCE_HOST if names == {"instance"} else OTHER_HOST


def host_queue(host_topic: str | None, server_route: str | None, route: str | None) -> str | None:
    """The send's per-host topic with the host the caller passed: `cinder-volume.<volume.service_topic_queue>`
    of VolumeAPI.attachment_update, reached from `attachment_update(ctxt, vref, ...)`, is
    `cinder-volume.<vref.service_topic_queue>`."""
    if not host_topic or not server_route or not route:
        return host_topic
    return host_topic.replace(f"<{server_route}>", f"<{route}>")


def expand(text: str, chains: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The expression, then what the callers passed for each variable in it that holds the host
    (`host` in `_compute_host(host, instance)`), with their chains. The object a host is read from
    (`volume` in `volume.service_topic_queue`) is not followed: what a caller calls that object
    (`dest_vol`) says nothing of which host holds it."""
    found = [text]
    for name in dict.fromkeys(_BARE.findall(text)):
        found += [t for t in chains.get(name, ()) if t not in found]
    return tuple(found)


def name_hosts(root: Step) -> None:
    """Names the processes of a flow that moves an instance by their role, in place: each hop's
    target, the steps run there, and the hops they send. A hop keeps `role` source/dest or None."""
    moved = {step.hop.target for step in _hop_steps(root) if step.hop.role == "dest"}
    for step in _hop_steps(root):
        role = step.hop.role
        if role in (INSTANCE_HOST, OTHER_HOST):
            role = None if step.hop.target not in moved else "source" if role == INSTANCE_HOST else "dest"
        step.hop.role = role
    _rename(root, root.process)


def _rename(step: Step, process: str) -> None:
    step.process = process
    for child in step.children:
        if child.kind == "hop" and child.hop is not None:
            child.hop.source = process
            target = f"{child.hop.target} ({child.hop.role})" if child.hop.role else child.hop.target
            child.hop.target = target
            _rename(child, target)
        else:
            _rename(child, process)


def _hop_steps(root: Step):
    todo = [root]
    while todo:
        step = todo.pop()
        if step.kind == "hop" and step.hop is not None:
            yield step
        todo.extend(step.children)
