"""Which method an endpoint object serves for a message's method name.

oslo.messaging's dispatcher looks the name up with `getattr(endpoint, method)`: through the
endpoint class's C3 MRO, a `def` or anything else the class body binds to that name. A class-body
alias of a method (`failover_host = failover` in Cinder's volume manager, kept so that old
clients' messages still land) is therefore served as the method it names: the function the
alias was bound to when the class body ran, even if a subclass overrides that name later.
"""

from __future__ import annotations


def served_method(program, cls: str, name: str):
    """The Definition of the method `getattr(cls(), name)` runs, or None when the class has no
    callable of that name (a nested class, a non-method attribute, nothing at all)."""
    owner, member = program.find_member(cls, name)
    if member is not None:
        return None if member.kind == "class" else member
    if not owner:
        return None
    # The nearest class in the MRO binds the name in its body: what it binds is what getattr finds.
    for value in sorted(program.classes.class_attribute(owner, name)):
        found = program.defs.get(value[1]) if value[0] in ("func", "meth") else None
        if found is not None and found.kind != "class":
            return found
    return None


def why_unmatched(program, send, endpoints: list, topics: tuple[str, ...]) -> str:
    """Why no endpoint serves the send, in the order the dispatcher decides: the topic (`topics` is
    the send's, or those its client class may name when the client side left it unknown), a
    server on it, an endpoint there with the method, its namespace, its version."""
    method = send.method
    defining = [e for e in endpoints if _defines(program, e.cls, method)]
    if not topics:
        if defining:
            return f"topic unknown; {_on(defining[0])} defines {method}"
        return f"topic unknown; no endpoint in the tree defines {method}"
    label = " or ".join(topics)
    on_topic = [e for e in endpoints if e.topic in topics]
    elsewhere = [e for e in defining if e.topic not in topics]
    if not on_topic:
        found = f"no server listens on topic {label}"
    else:
        here = [e for e in on_topic if e in defining]
        if here:
            same = [e for e in here if e.namespace == send.namespace]
            if not same:
                return (f"{_on(here[0])} defines {method} in namespace {here[0].namespace or 'none'}; "
                        f"the send's is {send.namespace or 'none'}")
            return f"{_on(same[0])} serves version {same[0].version}; the send asks for {send.version}"
        found = f"no endpoint of topic {label} defines {method}"
    if elsewhere:
        return f"{found}; {_on(elsewhere[0])} does"
    return f"{found}; no endpoint in the tree does" if on_topic else \
        f"{found}; no endpoint in the tree defines {method}"


def _defines(program, cls: str, method: str) -> bool:
    return served_method(program, cls, method) is not None


def _on(endpoint) -> str:
    return f"{'.'.join(endpoint.cls.split('.')[-2:])} on topic {endpoint.topic}"
