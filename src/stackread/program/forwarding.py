"""Attributes a class answers through a `__getattr__` that forwards every name to an object it holds.

Python asks `__getattr__` for a name the instance and its class do not have. A wrapper that hands
each such name on to an object it keeps (nova/network/neutron.py's ClientWrapper around
neutronclient's Client) makes `wrapper.create_port` the held object's `create_port`:

    def __getattr__(self, name):
        base_attr = getattr(self.base_client, name)
        if callable(base_attr):
            return self.proxy(base_attr)   # a closure calling what it is handed
        return base_attr

The shape read: a return of `getattr(HELD, name)` with the name `__getattr__` is asked for, as it is
or through a local assigned it unconditionally, or handed to a function whose own function (the
closure it returns) calls that parameter. The lookup must not depend on the name: a return under a
condition (`if name in self._proxy_as_attr: return getattr(...)`) forwards only some names, and is
not read. What comes back is the held object's member itself, not the closure (as a decorated
method is the method for the values: program.decorators), so a walk goes on into its body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackread.program.facts import Definition, ModuleFacts, Scope, enclosing_class

if TYPE_CHECKING:
    from stackread.program.values import Values


def forwarded(values: Values, class_full: str, name: str) -> frozenset:
    """A name the class does not have, answered by a `__getattr__` that forwards every name to an
    object it holds: that object's attribute by the same name."""
    _owner, method = values.classes.find_member(class_full, "__getattr__")
    if method is None or method.kind != "method":
        return frozenset()
    return values.guard.cached(values._returns, ("forwarded", class_full, name),
                               lambda: forwarded_attribute(values, method, class_full, name))


def forwarded_attribute(values: Values, getattr_method: Definition, class_full: str, name: str) -> frozenset:
    """What `name` is on an instance of the class, through its `__getattr__`: each held object's
    attribute by that name (nothing when the `__getattr__` has no such shape)."""
    module = values.modules[getattr_method.module]
    own = enclosing_class(Scope(module, getattr_method.qualname))
    scope = Scope(module, getattr_method.qualname, self_class=class_full if class_full != own else None)
    return frozenset(v for held in held_objects(values, getattr_method, scope)
                     for base in sorted(values.resolve(held, scope)) for v in values.attribute(base, name))


def held_objects(values: Values, getattr_method: Definition, scope: Scope) -> list[list]:
    """The expressions (in the `__getattr__`'s scope) of the objects it forwards every name to."""
    module = values.modules[getattr_method.module]
    qualname = getattr_method.qualname
    if len(getattr_method.params) < 2:
        return []
    asked = getattr_method.params[1]
    found: list[list] = []
    for returning, expr, context in module.summary["returns"]:
        if returning != qualname:
            continue
        unconditional = context is None
        if expr[0] == "c" and len(expr[2]) == 1 and not expr[3] and _calls_what_it_is_handed(values, expr, scope):
            expr, unconditional = expr[2][0], False  # the wrapper's argument is what is looked up
        for lookup in _lookups(module, qualname, expr, unconditional):
            if lookup[2][:2] == ["n", asked] and not _mentions(lookup[1], asked) and lookup[1] not in found:
                found.append(lookup[1])
    return found


def _lookups(module: ModuleFacts, qualname: str, expr: list, unconditional: bool) -> list[list]:
    """The `getattr(base, name)` an expression is, run whatever the name: returned unconditionally
    itself, or a local assigned it unconditionally."""
    if expr[0] == "ga":
        return [expr] if unconditional else []
    if expr[0] == "n":
        records = module.bindings.get(qualname, {}).get(expr[1], ())
        return [r[1] for r in records if r[0] == "assign" and len(r) == 2 and r[1][0] == "ga"]
    return []


def _calls_what_it_is_handed(values: Values, call: list, scope: Scope) -> bool:
    """Whether the function called returns a function of its own that calls the parameter it is
    handed (`proxy(self, obj)` returning `wrapper`, which calls `obj(*args, **kwargs)`)."""
    for func in sorted(values.resolve(call[1], scope)):
        definition = values.defs.get(func[1]) if func[0] in ("func", "meth") else None
        if definition is None or definition.kind == "class":
            continue
        offset = 1 if definition.kind in ("method", "classmethod") else 0
        if len(definition.params) <= offset:
            continue
        handed = ["n", definition.params[offset]]
        module = values.modules[definition.module]
        inner = {r[1][1] for r in module.summary["returns"] if r[0] == definition.qualname and r[1][0] == "n"}
        closures = {f"{definition.qualname}.{name}" for name in inner
                    if module.defs.get(f"{definition.qualname}.{name}") is not None}
        if any(record[0] in closures and record[1] == handed for record in values.classes.module_calls(module)):
            return True
    return False


def _mentions(expr, name: str) -> bool:
    if isinstance(expr, list):
        if expr[:2] == ["n", name]:
            return True
        return any(_mentions(part, name) for part in expr[1:])
    if isinstance(expr, dict):
        return any(_mentions(part, name) for part in expr.values())
    return False
