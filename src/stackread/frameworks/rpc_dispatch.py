"""Which method an endpoint object serves for a message's method name.

oslo.messaging's dispatcher looks the name up with `getattr(endpoint, method)`: through the
endpoint class's C3 MRO, a `def` or anything else the class body binds to that name. A class-body
alias of a method (`failover_host = failover` in Cinder's volume manager, kept so that old
clients' messages still land) is therefore served as the method it names: the function the
alias was bound to when the class body ran, even if a subclass overrides that name later.
A name found nowhere in the MRO goes to the class's `__getattr__`: the names a forwarding one
answers (frameworks.rpc_forwarding) are served by the function it returns for each.
"""

from __future__ import annotations

from stackread.frameworks.rpc_forwarding import forwarding


def served_method(program, cls: str, name: str):
    """The Definition of the method `getattr(cls(), name)` runs, or None when the class has no
    callable of that name (a nested class, a non-method attribute, nothing at all)."""
    owner, member = program.find_member(cls, name)
    if member is not None:
        return None if member.kind == "class" else member
    if owner:
        # The nearest class in the MRO binds the name in its body: what it binds is what getattr finds.
        for value in sorted(program.classes.class_attribute(owner, name)):
            found = program.defs.get(value[1]) if value[0] in ("func", "meth") else None
            if found is not None and found.kind != "class":
                return found
        return None
    forwarded = forwarding(program, cls)
    function = forwarded.served(name) if forwarded is not None else None
    return program.defs.get(function) if function else None


def why_unmatched(program, send, endpoints: list, topics: tuple[str, ...], unserved=None) -> str:
    """Why no endpoint serves the send, in the order the dispatcher decides: the topic (`topics` is
    the send's, or those its client class may name when the client side left it unknown), a
    server on it, an endpoint there with the method, its namespace, its version. `unserved` is a
    method of that name on a class no server read serves (the reading may have missed its server);
    where servers do listen on the topic, what they serve is said first: their dispatcher tries
    those endpoints alone."""
    method = send.method
    defining = [e for e in endpoints if _defines(program, e.cls, method)]
    label = " or ".join(topics)
    on_topic = [e for e in endpoints if e.topic in topics]
    missed = None if unserved is None else (f"{'.'.join(unserved.full.split('.')[-2:])} "
                                            f"({program.modules[unserved.module].path}:{unserved.line}) does, "
                                            f"on a class no server read serves")
    if not defining and missed and not on_topic:
        return f"topic unknown; no endpoint read defines {method}; {missed}" if not topics else \
            f"no server listens on topic {label}; no endpoint read defines {method}; {missed}"
    if not topics:
        if defining:
            return f"topic unknown; {_on(defining[0])} defines {method}"
        return f"topic unknown; no endpoint in the tree defines {method}"
    elsewhere = [e for e in defining if e.topic not in topics]
    if not on_topic:
        found = f"no server listens on topic {label}"
        if elsewhere:
            return f"{found}; {_on(elsewhere[0])} does"
        return f"{found}; no endpoint in the tree defines {method}"
    here = [e for e in on_topic if e in defining]
    if here:
        same = [e for e in here if e.namespace == send.namespace]
        if not same:
            return (f"{_on(here[0])} defines {method} in namespace {here[0].namespace or 'none'}; "
                    f"the send's is {send.namespace or 'none'}")
        return f"{_on(same[0])} serves version {same[0].version}; the send asks for {send.version}"
    classes = list(dict.fromkeys(e.cls for e in on_topic))
    # A `__getattr__` that forwards by a prefix of the name says how it reads this one: that is
    # what the dispatcher meets, before any class elsewhere that may define the name.
    forwarded = [f"{_labels(classes)[cls]}.{f.reading(method)}" for cls in classes
                 if (f := forwarding(program, cls)) is not None]
    if forwarded or elsewhere:
        missed = None
    found = f"no endpoint of topic {label} defines {method}; {_on(elsewhere[0])} does" if elsewhere else \
        f"no endpoint {'read' if missed else 'in the tree'} defines {method}; " \
        f"the servers of topic {label} serve {_listed(classes)}"
    return "; ".join([found, *forwarded, *([missed] if missed else [])])


def _listed(classes: list[str], most: int = 5) -> str:
    labels = _labels(classes)
    shown = [labels[cls] for cls in classes[:most]]
    return ", ".join(shown) + (f" and {len(classes) - most} more" if len(classes) > most else "")


def _labels(classes: list[str]) -> dict[str, str]:
    """Each class by its last two dotted parts, more where two would read the same."""
    labels = {}
    for cls in classes:
        parts = cls.split(".")
        size = 2
        while size < len(parts) and any(other != cls and other.split(".")[-size:] == parts[-size:] for other in classes):
            size += 1
        labels[cls] = ".".join(parts[-size:])
    return labels


def _defines(program, cls: str, method: str) -> bool:
    return served_method(program, cls, method) is not None


def _on(endpoint) -> str:
    return f"{'.'.join(endpoint.cls.split('.')[-2:])} on topic {endpoint.topic}"


def off_endpoint_methods(program, clients: set[str]) -> dict[str, list]:
    """Method name -> the public methods of that name on classes that are neither RPC clients (nor
    their subclasses or bases) nor nested: where a send's method lives when no endpoint read has it."""
    found: dict[str, list] = {}
    for definition in program.defs.values():
        if definition.kind != "method" or definition.qualname.count(".") != 1:
            continue
        cls = definition.full.rpartition(".")[0]
        if clients.intersection(program.mro(cls)) or any(cls in program.mro(c) for c in clients):
            continue
        found.setdefault(definition.qualname.rpartition(".")[2], []).append(definition)
    return found
