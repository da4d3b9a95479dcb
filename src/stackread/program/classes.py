"""The tree's classes: their bases and MRO, their subclasses, the member a name finds through the
MRO, and what an instance's attributes hold (class attributes, `self.x = ...` in any method of
the MRO, and what the tree's call sites pass to the constructor or to a parameter).

Base classes and attribute values are expressions, so this part asks the values part for them.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Callable

from stackread.program.depth import Guard
from stackread.program.facts import EMPTY, Definition, ModuleFacts, Scope, Value
from stackread.program.mro import linearise
from stackread.program.names import Names

if TYPE_CHECKING:
    from stackread.program.values import Values


class Classes:
    def __init__(self, modules: dict[str, ModuleFacts], defs: dict[str, Definition], guard: Guard,
                 values: Values, names: Names):
        self.modules = modules
        self.defs = defs
        self.guard = guard
        self.values = values
        self.names = names
        self._mro: dict[str, list[str]] = {}
        self._instance_attrs: dict[tuple, frozenset] = {}  # instance attributes and parameter values
        self._ctor_calls: dict[str, list] = {}
        self._calls_by_name: dict[str, dict[str, list]] = {}

    def bases(self, class_full: str) -> list[str]:
        definition = self.defs.get(class_full)
        if definition is None:
            return []
        module = self.modules[definition.module]
        scope = Scope(module, definition.qualname.rpartition(".")[0])
        found = []
        for base in definition.bases:
            for value in sorted(self.values.resolve(base, scope)):
                if value[0] == "cls" and value[1] != class_full:
                    found.append(value[1])
        return found

    def mro(self, class_full: str) -> list[str]:
        return self._mro.get(class_full) or linearise(class_full, self.bases, self._mro)  # never empty

    @cached_property
    def subclasses(self) -> dict[str, list[str]]:
        children: dict[str, list[str]] = {}
        for full, definition in self.defs.items():
            if definition.kind == "class":
                for base in self.bases(full):
                    children.setdefault(base, []).append(full)
        return children

    def all_subclasses(self, class_full: str) -> list[str]:
        seen: list[str] = []
        stack = list(self.subclasses.get(class_full, []))
        while stack:
            cls = stack.pop()
            if cls not in seen:
                seen.append(cls)
                stack += self.subclasses.get(cls, [])
        return seen

    def own_member(self, class_full: str, name: str) -> Definition | None:
        return self.defs.get(f"{class_full}.{name}")

    def find_member(self, class_full: str, name: str, after: str | None = None) -> tuple[str, Definition | None]:
        """(owner class, method definition) for `name` through the MRO; owner is '' when absent."""
        order = self.mro(class_full)
        if after is not None:
            order = order[order.index(after) + 1:] if after in order else []
        for owner in order:
            member = self.own_member(owner, name)
            if member is not None:
                return owner, member
            if self.class_assigns(owner, name):
                return owner, None
        return "", None

    def class_assigns(self, class_full: str, name: str) -> list:
        definition = self.defs.get(class_full)
        if definition is None:
            return []
        module = self.modules[definition.module]
        return module.bindings.get(definition.qualname, {}).get(name, [])

    def class_attribute(self, owner: str, name: str) -> frozenset:
        """What the class body of `owner` binds `name` to."""
        definition = self.defs[owner]
        module = self.modules[definition.module]
        return self.names.binding_values(module, Scope(module, definition.qualname), self.class_assigns(owner, name))

    def forget(self) -> None:
        """Drop the instance attributes and parameter values memoised (see Values.forget)."""
        self._instance_attrs.clear()

    def instance_attr(self, class_full: str, name: str) -> frozenset:
        """What `self.name` holds: class attributes and `self.name = ...` in methods, through the MRO."""
        key = ("attr", class_full, name)
        return self.guard.cached(self._instance_attrs, key, lambda: self._instance_attr(class_full, name))

    def _instance_attr(self, class_full: str, name: str) -> frozenset:
        values: set = set()
        class_attribute_seen = False  # the first class in the MRO that defines it wins, as in Python
        for owner in self.mro(class_full):
            definition = self.defs.get(owner)
            if definition is None:
                continue
            module = self.modules[definition.module]
            for scope, expr in module.self_assigns.get(name, []):
                if scope == definition.qualname or scope.startswith(definition.qualname + "."):
                    values |= self.values.resolve(expr, Scope(module, scope))
                    if scope == f"{definition.qualname}.__init__" and expr[0] == "n":
                        values |= self.constructor_args(owner, expr[1])
            records = self.class_assigns(owner, name)
            if records and not class_attribute_seen:
                class_attribute_seen = True
                values |= self.names.binding_values(module, Scope(module, definition.qualname), records)
        grows = self.values.containers.attr_grows(class_full, name)  # `self.handlers.append(f)`
        if grows:
            return self.values.containers.grown(frozenset(values), grows, ("attr", class_full, name))
        return frozenset(values)

    def constructor_args(self, class_full: str, param: str) -> frozenset:
        """What is passed as `param` wherever the class is constructed in the tree."""
        init = self.own_member(class_full, "__init__")
        if init is None or param not in init.params:
            return EMPTY
        position = init.params.index(param) - 1  # `self` is not passed
        return self._passed(class_full.rpartition(".")[2], lambda v: v[0] == "cls" and v[1] == class_full,
                            param, position, follow=True)

    def parameter_values(self, function_full: str, param: str) -> frozenset:
        """What the tree's call sites of a function pass as one of its parameters (Cinder's
        `create_volume.get_flow(..., scheduler_rpcapi=self.scheduler_rpcapi)`)."""
        key = ("param", function_full, param)
        return self.guard.cached(self._instance_attrs, key, lambda: self._parameter_values(function_full, param))

    def _parameter_values(self, function_full: str, param: str) -> frozenset:
        definition = self.defs.get(function_full)
        if definition is None or definition.kind == "class" or param not in definition.params:
            return EMPTY
        bound = definition.kind in ("method", "classmethod")
        position = definition.params.index(param) - (1 if bound else 0)
        return self._passed(definition.qualname.rpartition(".")[2],
                            lambda v: v[0] in ("func", "meth") and v[1] == function_full, param, position)

    def _passed(self, name: str, is_callee: Callable[[Value], bool], param: str, position: int,
                follow: bool = False) -> frozenset:
        """What the call sites spelled `name(...)` whose callee `is_callee` pass as `param` (by keyword or
        at `position`); with `follow`, an argument that is the caller's own parameter is followed to
        what the caller's callers pass (`VolumeCastTask(scheduler_rpcapi)` inside get_flow)."""
        values: set = set()
        resolve = self.values.resolve
        for module, scope_name, call in self.calls_named(name):
            scope = Scope(module, scope_name)
            if not any(is_callee(v) for v in resolve(call[1], scope)):
                continue
            args, kwargs = call[5], call[6]
            arg = kwargs.get(param) or (args[position] if 0 <= position < len(args) else None)
            if arg is None or arg[0] == "*":
                continue
            values |= resolve(arg, scope)
            if follow and arg[0] == "n":
                values |= self.parameter_values(f"{module.name}.{scope_name}", arg[1])
        return frozenset(values)

    def calls_named(self, name: str) -> list[tuple[ModuleFacts, str, list]]:
        """Call sites whose callee is spelled `...name(...)` (constructors, and program.params' sites)."""
        found = self._ctor_calls.get(name)
        if found is None:
            found = self._ctor_calls[name] = [site for module in self._modules_calling.get(name, [])
                                              for site in self._module_calls_named(module).get(name, ())]
        return found

    def module_calls(self, module: ModuleFacts) -> list[list]:
        """A module's call records, decoded once (with `calls_named`)."""
        return [site[2] for sites in self._module_calls_named(module).values() for site in sites]

    def _module_calls_named(self, module: ModuleFacts) -> dict[str, list]:
        """A module's call sites by callee name, decoded once: a common name is asked for in many modules."""
        index = self._calls_by_name.get(module.name)
        if index is None:
            index = self._calls_by_name[module.name] = {}
            for call in module.calls():
                callee = call[1]
                name = callee[1] if callee[0] == "n" else callee[2] if callee[0] == "a" else None
                if name is not None:
                    index.setdefault(name, []).append((module, call[0], call))
        return index

    @cached_property
    def _modules_calling(self) -> dict[str, list[ModuleFacts]]:
        index: dict[str, list[ModuleFacts]] = {}
        for module in self.modules.values():
            for name in module.summary["callee_names"]:
                index.setdefault(name, []).append(module)
        return index
