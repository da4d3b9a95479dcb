"""What a name means where it is read: local, enclosing and module scopes, imports, re-exports and
star imports, and dotted names (`nova.compute.manager.ComputeManager`) as the tree spells them.

A name bound by assignment is worth what its expression is worth, so this part asks the values
part (program.values) for those; a name from outside the tree is an external value, never a guess.
"""

from __future__ import annotations

import builtins
from functools import cached_property
from typing import TYPE_CHECKING, Callable

from stackread.program.depth import Guard
from stackread.program.facts import EMPTY, ModuleFacts, Scope, Value, enclosing_class

if TYPE_CHECKING:
    from stackread.program.values import Values

_BUILTINS = frozenset(dir(builtins))


class Names:
    def __init__(self, modules: dict[str, ModuleFacts], skipped: frozenset, guard: Guard, values: Values):
        self.modules = modules
        self.skipped = skipped  # modules of the tree not in the program
        self.guard = guard
        self.values = values
        # What a parameter holds at the call sites of its function (program.params; set by Program).
        self.parameter: Callable[[str, str], frozenset] = lambda function_full, name: EMPTY
        # What `*args`/`**kwargs` (named with the stars) hold from the call sites (program.stars; set by Program).
        self.star: Callable[[str, str], frozenset] = lambda function_full, name: EMPTY
        # Whether a branch is taken under a configuration (module, context index) -> False when not:
        # `trace` reads `if is_neutron(): cls = NEUTRON_NET_API` on the option defaults. None: all are.
        self.branch_taken: Callable[[ModuleFacts, int], bool] | None = None

    def taken(self, module: ModuleFacts, context: int | None) -> bool:
        """Whether code under that control context (None: under none) runs in the configuration read."""
        return context is None or self.branch_taken is None or self.branch_taken(module, context)

    def module_value(self, name: str) -> Value:
        if name in self.modules:
            return ("mod", name)
        return ("cut", name) if name in self.skipped else ("ext", name)

    def is_project(self, dotted: str) -> bool:
        return dotted.split(".")[0] in self._tops

    @cached_property
    def _tops(self) -> set[str]:
        return {name.split(".")[0] for name in self.modules}

    def module_attr(self, module_name: str, name: str, _seen: frozenset = frozenset()) -> frozenset:
        module = self.modules.get(module_name)
        guard = self.guard
        if module is None or module_name in _seen or \
                len(guard.active) + guard.chain >= guard.next_check and guard.cut_short(module, ""):
            return EMPTY
        guard.chain += 1  # re-exports and star imports chain modules without passing through resolve
        try:
            return self._module_attr(module, module_name, name, _seen)
        finally:
            guard.chain -= 1

    def _module_attr(self, module: ModuleFacts, module_name: str, name: str, _seen: frozenset) -> frozenset:
        for home, seen in self.binders(module, name, _seen):
            if isinstance(home, frozenset):
                return home
            if home is module:
                values = self.binding_values(home, Scope(home, ""), home.bindings[""][name], seen)
            else:  # read where the star import brings it from, as that module itself answers it
                values = self.module_attr(home.name, name, seen - {home.name})
            if values:
                return values
        return EMPTY

    def binders(self, module: ModuleFacts, name: str, _seen: frozenset = frozenset(), own: bool = True):
        """The modules whose own statements may bind `name` as read from `module`, in the order Python
        would take them: the module itself, else those its star imports bring it from (the last star
        import that exports it first); a reader takes the first that gives it a value. Or what the name
        is without a binding (a submodule). Not `own`: only what the star imports bring (a name a
        function reads that its module does not bind). A loop, not a recursion: a chain of star imports
        is as long as the code makes it. program.constants asks this too: every reader follows a
        re-export the same way."""
        # Each module with the modules the chain passed through to reach it: what it binds is read with
        # those cut (program.names' `_seen`), as when the chain is followed one module_attr at a time.
        stack: list = [(module, _seen)]
        while stack:
            module, seen = stack.pop()
            if isinstance(module, str):  # a star import's source, read only when its turn comes
                module = self.modules.get(module)
                if module is None or not self.exported(module, name):
                    continue
            if module.name in seen:
                continue  # star imports in a cycle
            seen = seen | {module.name}
            scope = module.bindings.get("", {})
            if not own:
                own = True
            elif scope.get(name):
                yield module, seen
                continue  # its own statement binds the name: its star imports do not
            elif f"{module.name}.{name}" in self.modules:
                yield frozenset({("mod", f"{module.name}.{name}")}), seen
                return
            elif f"{module.name}.{name}" in self.skipped:
                yield frozenset({("cut", f"{module.name}.{name}")}), seen
                return
            stack += [(record[1], seen) for record in scope.get("*", ())]  # in order: the last is tried first

    @staticmethod
    def exported(module: ModuleFacts, name: str) -> bool:
        """Whether `from module import *` brings `name`: its `__all__` when a literal list says, else
        every public name."""
        records = module.bindings.get("", {}).get("__all__")
        if records and records[-1][0] == "assign" and records[-1][1][0] == "l" and len(records) == 1:
            elements = records[-1][1][2]
            if all(e[0] == "s" for e in elements):
                return any(e[1] == name for e in elements)
        return not name.startswith("_")

    def binding_values(self, module: ModuleFacts, scope: Scope, records: list, _seen: frozenset = frozenset()) -> frozenset:
        values: set = set()
        grows = []
        for record in records:
            if record[0] == "grow":  # `x.append(v)`: see program.containers
                # Grown in the function read on one call path: its elements are read on that path too.
                grows.append((record[1], record[2], Scope(module, record[3], scope.self_class, scope.self_exact,
                                                          scope.args if record[3] == scope.function else ())))
            elif record[0] == "def":
                definition = module.defs[record[1]]
                values.add(("cls" if definition.kind == "class" else "func", definition.full))
            elif record[0] == "import":
                values |= self.import_values(record[1], record[2], _seen)
            elif record[0] == "global":  # assigned by a function: its expression is read there
                values |= self.values.resolve(record[1], Scope(module, record[2]))
            elif len(record) < 3 or self.branch_taken is None or self.branch_taken(module, record[2]):
                values |= self.values.resolve(record[1], scope)
        if grows:
            return self.values.containers.grown(frozenset(values), grows, (id(records), scope.key))
        return frozenset(values)

    def import_values(self, module: str, name: str | None, _seen: frozenset = frozenset()) -> frozenset:
        if name is None:
            return frozenset({self.module_value(module)})
        site = self.import_site(module, name)
        return self.module_attr(site, name, _seen) if isinstance(site, str) else site

    def import_site(self, module: str, name: str) -> str | frozenset:
        """What `from module import name` binds: the module of the tree to look `name` up in, else the
        value itself (a submodule, a module skipped, a library name; EMPTY when ours but missing)."""
        full = f"{module}.{name}"
        if full in self.modules:
            return frozenset({("mod", full)})
        if module in self.modules:
            return module
        if full in self.skipped or module in self.skipped:
            return frozenset({("cut", full if full in self.skipped else module)})
        if self.is_project(module):
            return EMPTY  # ours but missing
        return frozenset({("ext", full)})

    def resolve_dotted(self, dotted: str) -> frozenset:
        """`nova.compute.manager.ComputeManager` to what it names in the tree."""
        found = self.split_dotted(dotted)
        if isinstance(found, frozenset):
            return found
        module, attrs = found
        values = frozenset({("mod", module)})
        for attr in attrs:
            values = frozenset(v for value in sorted(values) for v in self.values.attribute(value, attr))
        return values

    def split_dotted(self, dotted: str) -> tuple[str, list[str]] | frozenset:
        """A dotted name as (the longest module of the tree it starts with, the attributes after it), or
        what it is when no module of the tree starts it."""
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if module in self.modules:
                return module, parts[cut:]
            if module in self.skipped:
                return frozenset({("cut", module)})
        return frozenset({("ext", dotted)}) if not self.is_project(dotted) else EMPTY

    def passed(self, name: str, scope: Scope) -> frozenset:
        """What the parameter `name` of the scope's function was passed (index.summary's ["n", name, "p"]):
        what this call path binds, else what every caller passes; never what the function assigns it."""
        definition = scope.module.defs.get(scope.function)
        if definition is None or name not in definition.params:
            return EMPTY
        bound = dict(scope.args)
        return bound[name] if name in bound else self.parameter(definition.full, name)

    def name(self, name: str, scope: Scope) -> frozenset:
        found = self.lookup(name, scope)
        if isinstance(found, frozenset):
            return found
        if found is not None:
            values = self.binding_values(found[0].module, found[0], found[1])
            if not self.values.on_path:
                return values
            # A parameter the function assigns only under a condition (`if not version: version = ...`)
            # may still hold what was passed: read so on one path (`Values.on_path`). Written here, not
            # in a helper: a frame more on this recursion would move where the Guard cuts deep chains.
            definition = found[0].module.defs.get(found[0].function)
            if definition is not None and name in definition.params and definition.kind != "class" and \
                    all(r[0] == "grow" or r[0] == "assign" and len(r) > 2 for r in found[1]):
                bound = dict(found[0].args)
                values = values | (bound[name] if name in bound else self.parameter(definition.full, name))
            return values
        for home, _seen in self.binders(scope.module, name, own=False):
            values = home if isinstance(home, frozenset) else self.module_attr(home.name, name)
            if values:
                return values
        if name in _BUILTINS:
            return frozenset({("ext", f"builtins.{name}")})
        return EMPTY

    def lookup(self, name: str, scope: Scope) -> tuple[Scope, list] | frozenset | None:
        """Where `name` is bound as seen from `scope`: (scope of the binding, its records); or the
        value itself for a method's `self`/`cls` and for a parameter (what its callers pass); None when unbound."""
        module = scope.module
        function = scope.function
        while function:
            definition = module.defs.get(function)
            if definition is None:
                break
            if definition.kind == "class":
                # A class body's names are not visible from its methods; from the body itself they are.
                if function == scope.function:
                    records = module.bindings.get(function, {}).get(name)
                    if records:
                        return Scope(module, function), records
                function = function.rpartition(".")[0]
                continue
            if definition.params and name == definition.params[0] and definition.kind in ("method", "property", "classmethod"):
                owner = scope.self_class or enclosing_class(Scope(module, function.rpartition(".")[0]))
                if owner:
                    if definition.kind == "classmethod":
                        return frozenset({("cls", owner)})
                    return frozenset({("inst", owner, True) if scope.self_exact else ("inst", owner)})
            records = module.bindings.get(function, {}).get(name)
            if records:
                return Scope(module, function, scope.self_class, scope.self_exact,
                             scope.args if function == scope.function else ()), records
            if name in definition.params:
                if scope.args and function == scope.function:
                    bound = dict(scope.args)
                    if name in bound:
                        return bound[name]
                return self.parameter(definition.full, name)
            if f"*{name}" in definition.params or f"**{name}" in definition.params:
                # `*args`, `**kwargs`: containers of what the callers pass there
                return self.star(definition.full, f"*{name}" if f"*{name}" in definition.params else f"**{name}")
            function = function.rpartition(".")[0]
        # The module's own top-level code runs between its bindings: it may see any of them.
        records = (not scope.function and module.module_reads.get(name)) or module.bindings.get("", {}).get(name)
        return (Scope(module, ""), records) if records else None
