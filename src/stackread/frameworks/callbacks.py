"""Neutron's callbacks registry (neutron_lib.callbacks.registry) as in-process event edges.

`registry.publish(resources.PORT, events.AFTER_CREATE, self, payload=...)` runs, in the same
process, every callback subscribed to the same (resource, event): by
`registry.subscribe(callback, resource, event)` (often in a notifier's `__init__`, in a loop over
resources), or by `@registry.receives(resource, [events])` on a method of a class marked
`@registry.has_registry_receivers`. The resource and event are neutron-lib constants (read with
`-L neutron-lib`), evaluated to their strings by the engine, so a publish and a subscription
meet on values, never on how the code spells them. A publish whose resource or event cannot be
evaluated joins nothing: no edge is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from stackread.frameworks.rpc_values import Reader
from stackread.program.facts import Scope, enclosing_class

REGISTRY = "neutron_lib.callbacks.registry"
_PUBLISH = ("publish", "notify")  # notify: the registry's older name for publish (neutron-lib < 2.x)


@dataclass(frozen=True)
class Subscriber:
    """A callback run when (resource, event) is published; `receiver` the class of its `self`."""

    callback: str
    receiver: str | None
    resource: str
    event: str
    path: str
    line: int  # where it is subscribed (the subscribe call, or the @receives decorator's method)


class Events:
    """The registry's subscriptions of one program, read once on first use."""

    def __init__(self, program):
        self.program = program
        self._reader = Reader(program)

    def published(self, module, record, self_class: str | None) -> list[tuple[str, str]] | None:
        """The (resource, event) pairs a call site publishes; None when it is no registry publish."""
        if _called_name(record) not in _PUBLISH or self._registry_function(module, record, self_class) not in _PUBLISH:
            return None
        args = record[5]
        if len(args) < 2:
            return []
        scope = Scope(module, record[0], self_class=self_class)
        resources, events = self._strings(args[0], scope), self._strings(args[1], scope)
        return [(r, e) for r in sorted(resources) for e in sorted(events)]

    def edges(self):
        """(caller, callee, path, line, "resource event") of every publish site of the program and
        each callback it runs: the call graph's event edges."""
        for module in sorted(self.program.modules.values(), key=lambda m: m.name):
            for record in module.calls():
                if _called_name(record) not in _PUBLISH:
                    continue
                scope_name = record[0]
                self_class = enclosing_class(Scope(module, scope_name))
                caller = f"{module.name}.{scope_name}" if scope_name else module.name
                for resource, event in self.published(module, record, self_class) or ():
                    for subscriber in self.subscribers(resource, event):
                        yield caller, subscriber.callback, module.path, record[2], f"{resource} {event}"

    def subscribers(self, resource: str, event: str) -> list[Subscriber]:
        return self._subscriptions.get((resource, event), [])

    # -- reading the tree ------------------------------------------------------------------------

    @cached_property
    def _subscriptions(self) -> dict[tuple[str, str], list[Subscriber]]:
        found: dict[tuple[str, str], list[Subscriber]] = {}
        for module in list(self.program.modules.values()):
            if module.name.startswith(REGISTRY.rpartition(".")[0]):
                continue  # the registry's own code subscribes what it is handed
            for subscriber in (*self._subscribe_calls(module), *self._receivers(module)):
                found.setdefault((subscriber.resource, subscriber.event), []).append(subscriber)
        return {key: sorted(set(found[key]), key=lambda s: (s.path, s.line, s.callback)) for key in found}

    def _subscribe_calls(self, module) -> list[Subscriber]:
        found = []
        for record in module.calls():
            if _called_name(record) != "subscribe" or len(record[5]) < 3:
                continue
            scope = Scope(module, record[0])
            self_class = enclosing_class(scope)
            if self._registry_function(module, record, self_class) != "subscribe":
                continue
            scope = Scope(module, record[0], self_class=self_class)
            callback, resource, event = record[5][:3]
            for target, receiver in self._callbacks(callback, scope, self_class):
                for r in sorted(self._strings(resource, scope)):
                    for e in sorted(self._strings(event, scope)):
                        found.append(Subscriber(target, receiver, r, e, module.path, record[2]))
        return found

    def _receivers(self, module) -> list[Subscriber]:
        """`@registry.receives(resources.PORT, [events.AFTER_CREATE])` methods: the class decorator
        `has_registry_receivers` subscribes them on each instance (a plain function at once)."""
        found = []
        for definition in module.defs.values():
            for decorator in definition.decorators:
                if decorator[0] != "c" or len(decorator[2]) < 2 or _name_of(decorator[1]) != "receives":
                    continue
                parent = definition.qualname.rpartition(".")[0]
                scope = Scope(module, parent)
                if not self._is_registry(self.program.resolve(decorator[1], scope), "receives"):
                    continue
                cls = module.defs.get(parent)
                receiver = cls.full if cls is not None and cls.kind == "class" else None
                events = decorator[2][1]
                listed = events[2] if events[0] == "l" else [events]
                for r in sorted(self._strings(decorator[2][0], scope)):
                    for e in sorted(s for item in listed for s in self._strings(item, scope)):
                        found.append(Subscriber(definition.full, receiver, r, e, module.path, definition.line))
        return found

    def _callbacks(self, expr, scope: Scope, self_class: str | None) -> list[tuple[str, str | None]]:
        """The functions a subscribed callback expression names: `self._notify` a method run with
        `self` of the subscribing class, a module function or a class's static method."""
        found = []
        for value in sorted(self.program.resolve(expr, scope)):
            if value[0] in ("func", "meth") and value[1] in self.program.defs:
                on_self = expr[0] == "a" and expr[1] == ["n", "self"]
                found.append((value[1], self_class if on_self else None))
        return found

    def _registry_function(self, module, record, self_class: str | None) -> str | None:
        """Which of the registry's functions the call runs (read in the tree with -L, or external)."""
        targets, externals = self.program.call_targets_as(module, record, self_class)
        names = [t[0] for t in targets] + list(externals)
        for name in names:
            if name.rpartition(".")[0] == REGISTRY:
                return name.rpartition(".")[2]
        return None

    def _is_registry(self, values, name: str) -> bool:
        return any(v[0] in ("func", "ext") and v[1] == f"{REGISTRY}.{name}" for v in values)

    def _strings(self, expr, scope: Scope) -> set[str]:
        return self._reader.strings(expr, scope)


def _called_name(record) -> str | None:
    return _name_of(record[1])


def _name_of(callee) -> str | None:
    if callee[0] == "a":
        return callee[2]
    if callee[0] == "n":
        return callee[1]
    return None
