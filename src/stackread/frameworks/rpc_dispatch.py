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
