"""Resolve per-module summaries into one call graph.

Every call site's callee expression is evaluated to the set of things it can denote:
modules, classes, instances of classes, functions, methods reached through an instance
(which dispatch to overrides in subclasses too), external names. Types come from where
values are made, never from names alone: `self.compute_api = compute.API()` makes the
attribute an instance of `API` (or of whatever the factory `compute.API` returns), and
`self.compute_api.create(...)` then calls `API.create`. An expression that cannot be
evaluated gives no edge (it is counted as unresolved), never a guess by method name.
"""

from __future__ import annotations

import builtins
import json
import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable

from stackread.diagnostics import Diagnostics
from stackread.program.modules import resolve_relative
from stackread.program.graph import CallGraph, Edge, ExternalCall, Node
from stackread.program.depth import CHECK_EVERY, CHECK_FROM, cut_message, stack_nearly_full
from stackread.program.mro import linearise

# ("mod", name) ("cls", full) ("inst", full[, True]) ("func", full) ("meth", full, recv[, True]); True marks an
# instance made right there (`compute.API()`): its class is exact, no subclass's override runs.
Value = tuple
#                ("super", class_full, self_class) ("ext", dotted) ("str", text)
#                ("cut", module): anything reached through a module of the tree that was skipped (it did
#                not parse or could not be read); a call to it is where a flow can no longer be followed.
_EMPTY: frozenset = frozenset()
_BUILTINS = frozenset(dir(builtins))
# Library calls that build an object from a dotted name held in a string (or a config option).
_IMPORTERS = {"import_object": 0, "import_class": 0, "import_module": 0, "try_import": 0,
              "import_object_ns": 1, "import_versioned_module": 1}
_CONF = "oslo_config.cfg.CONF"
OptionResolver = Callable[[str | None, str], str | None]


@dataclass(frozen=True, slots=True)
class Definition:
    module: str
    qualname: str
    kind: str  # class, function, method, classmethod, staticmethod, property
    line: int
    params: tuple[str, ...]
    bases: tuple
    decorators: tuple
    full: str  # module.qualname, made once: it is in every value, edge and memo entry
    defaults: tuple = ()  # (parameter, literal default) pairs


@dataclass
class ModuleFacts:
    name: str
    path: str
    is_package: bool
    summary: dict

    @cached_property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]

    def __post_init__(self) -> None:
        # Definitions, bindings and self-assignments are digested here and the raw records dropped:
        # with Nova's tests they would otherwise be held twice (~50 MB).
        self.defs: dict[str, Definition] = {
            d[0]: Definition(self.name, d[0], d[1], d[2], tuple(d[5]), tuple(d[6]), tuple(d[4]),
                             sys.intern(f"{self.name}.{d[0]}"), tuple(d[7].items()) if d[7] else ())
            for d in self.summary["defs"]}
        self.bindings = self._bindings()
        self.self_assigns = self._self_assigns()
        self.summary = {key: value for key, value in self.summary.items()
                        if key not in ("defs", "assigns", "imports")}

    def _bindings(self) -> dict[str, dict[str, list]]:
        """scope -> name -> binding records: ("def", qualname) ("import", module, name) ("assign", expr[, context]);
        an assignment under if/else/loop/except carries the index of its control context."""
        scopes: dict[str, dict[str, list]] = {}
        for qual in self.defs:
            parent, _, name = qual.rpartition(".")
            scopes.setdefault(parent, {}).setdefault(name, []).append(("def", qual))
        for scope, local, module, name, level, _line in self.summary["imports"]:
            absolute = self.absolute(module, level)
            if name == "*":
                scopes.setdefault(scope, {}).setdefault("*", []).append(("import", absolute, "*"))
            else:
                scopes.setdefault(scope, {}).setdefault(local, []).append(("import", absolute, name))
        for scope, target, expr, _line, context in self.summary["assigns"]:
            if not target.startswith("self."):
                record = ("assign", expr) if context is None else ("assign", expr, context)
                scopes.setdefault(scope, {}).setdefault(target, []).append(record)
        return scopes

    def _self_assigns(self) -> dict[str, list[tuple[str, list]]]:
        """attribute -> [(scope of the assigning function, expr)] for `self.attr = expr`."""
        found: dict[str, list] = {}
        for scope, target, expr, _line, _context in self.summary["assigns"]:
            if target.startswith("self."):
                found.setdefault(target[5:], []).append((scope, expr))
        return found

    def calls(self) -> list[list]:
        """[scope, callee, line, col, context, args, kwargs] per call site, decoded afresh (not kept)."""
        return _decoded(self.summary["calls"])

    def attr_loads(self) -> list[list]:
        return _decoded(self.summary["attr_loads"])

    def contexts(self) -> list[list]:
        return _decoded(self.summary["contexts"])

    def absolute(self, module: str, level: int) -> str:
        return resolve_relative(self.package, module, level)


@dataclass
class Scope:
    module: ModuleFacts
    function: str  # qualname of the function, "" at module level, a class qualname in a class body
    # The class `self` is an instance of, when it is a subclass of the method's own class: an
    # inherited __init__ building Target(topic=self.TOPIC) sends to the subclass's TOPIC (cinder).
    self_class: str | None = None
    self_exact: bool = False  # `self` is exactly of that class (made right there), not of a subclass

    @property
    def key(self) -> tuple:
        return (self.module.name, self.function, self.self_class, self.self_exact)


@dataclass
class Stats:
    calls: int = 0
    resolved: int = 0
    external: int = 0
    unresolved: int = 0


class Program:
    def __init__(self, modules: Iterable[ModuleFacts], options: OptionResolver | None = None,
                 dispatch_excludes: Callable[[str], bool] = lambda name: False, skipped: Iterable[str] = (),
                 diagnostics: Diagnostics | None = None):
        self.modules = {m.name: m for m in modules}
        self.skipped = frozenset(skipped) - self.modules.keys()  # modules of the tree not in the program
        self.diagnostics = diagnostics if diagnostics is not None else Diagnostics()  # chains cut short
        self.options = options
        self.dispatch_excludes = dispatch_excludes  # e.g. test classes: never an implementation
        # Whether a branch is taken under a configuration (module, context index) -> False when not:
        # `trace` reads `if is_neutron(): cls = NEUTRON_NET_API` on the option defaults. None: all are.
        self.branch_taken: Callable[[ModuleFacts, int], bool] | None = None
        self.defs: dict[str, Definition] = {}
        for module in self.modules.values():
            for definition in module.defs.values():
                self.defs[definition.full] = definition
        self._resolved: dict[tuple, dict[int, frozenset]] = {}  # scope key -> id(expr) -> values
        self._local_resolved: dict[tuple, dict[int, frozenset]] = {}
        self._calls_by_scope: dict[str, dict[str, list[list]]] = {}
        self._instance_attrs: dict[tuple, frozenset] = {}
        self._returns: dict[tuple, frozenset] = {}
        self._active: set = set()
        self._ctor_calls: dict[str, list] = {}
        self._mro: dict[str, list[str]] = {}
        self._chain = 0  # module_attr calls under way (the rest of the nesting is len(self._active))
        self._next_check = CHECK_FROM  # nesting at which the stack is measured next (program.depth)
        self._site: tuple[str, int] | None = None  # the call site being resolved: where a cut is reported
        self.stats = Stats()

    # -- names and modules -------------------------------------------------------------------

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
        if module is None or module_name in _seen or \
                len(self._active) + self._chain >= self._next_check and self._cut_short(module, ""):
            return _EMPTY
        self._chain += 1  # re-exports and star imports chain modules without passing through resolve
        try:
            return self._module_attr(module, module_name, name, _seen)
        finally:
            self._chain -= 1

    def _module_attr(self, module: ModuleFacts, module_name: str, name: str, _seen: frozenset) -> frozenset:
        records = module.bindings.get("", {}).get(name)
        if records:
            return self._binding_values(module, Scope(module, ""), records, _seen | {module_name})
        sub = f"{module_name}.{name}"
        if sub in self.modules:
            return frozenset({("mod", sub)})
        if sub in self.skipped:
            return frozenset({("cut", sub)})
        for record in module.bindings.get("", {}).get("*", []):
            found = self.module_attr(record[1], name, _seen | {module_name}) if not name.startswith("_") else _EMPTY
            if found:
                return found
        return _EMPTY

    def _binding_values(self, module: ModuleFacts, scope: Scope, records: list, _seen: frozenset = frozenset()) -> frozenset:
        values: set = set()
        for record in records:
            if record[0] == "def":
                definition = module.defs[record[1]]
                values.add(("cls" if definition.kind == "class" else "func", definition.full))
            elif record[0] == "import":
                values |= self.import_values(record[1], record[2], _seen)
            elif len(record) < 3 or self.branch_taken is None or self.branch_taken(module, record[2]):
                values |= self.resolve(record[1], scope)
        return frozenset(values)

    def import_values(self, module: str, name: str | None, _seen: frozenset = frozenset()) -> frozenset:
        if name is None:
            return frozenset({self.module_value(module)})
        full = f"{module}.{name}"
        if full in self.modules:
            return frozenset({("mod", full)})
        if module in self.modules:
            return self.module_attr(module, name, _seen)
        if full in self.skipped or module in self.skipped:
            return frozenset({("cut", full if full in self.skipped else module)})
        if self.is_project(module):
            return _EMPTY  # ours but missing
        return frozenset({("ext", full)})

    def resolve_dotted(self, dotted: str) -> frozenset:
        """`nova.compute.manager.ComputeManager` to what it names in the tree."""
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if module in self.modules:
                values = frozenset({("mod", module)})
                for attr in parts[cut:]:
                    values = frozenset(v for value in sorted(values) for v in self.attribute(value, attr))
                return values
            if module in self.skipped:
                return frozenset({("cut", module)})
        return frozenset({("ext", dotted)}) if not self.is_project(dotted) else _EMPTY

    # -- classes -----------------------------------------------------------------------------

    def bases(self, class_full: str) -> list[str]:
        definition = self.defs.get(class_full)
        if definition is None:
            return []
        module = self.modules[definition.module]
        scope = Scope(module, definition.qualname.rpartition(".")[0])
        found = []
        for base in definition.bases:
            for value in sorted(self.resolve(base, scope)):
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
            if self._class_assigns(owner, name):
                return owner, None
        return "", None

    def _class_assigns(self, class_full: str, name: str) -> list:
        definition = self.defs.get(class_full)
        if definition is None:
            return []
        module = self.modules[definition.module]
        return module.bindings.get(definition.qualname, {}).get(name, [])

    def instance_attr(self, class_full: str, name: str) -> frozenset:
        """What `self.name` holds: class attributes and `self.name = ...` in methods, through the MRO."""
        key = ("attr", class_full, name)
        cached = self._instance_attrs.get(key)
        if cached is not None:
            return cached
        return self._memoised(self._instance_attrs, key, lambda: self._instance_attr(class_full, name))

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
                    values |= self.resolve(expr, Scope(module, scope))
                    if scope == f"{definition.qualname}.__init__" and expr[0] == "n":
                        values |= self.constructor_args(owner, expr[1])
            records = self._class_assigns(owner, name)
            if records and not class_attribute_seen:
                class_attribute_seen = True
                values |= self._binding_values(module, Scope(module, definition.qualname), records)
        return frozenset(values)

    def constructor_args(self, class_full: str, param: str) -> frozenset:
        """What is passed as `param` wherever the class is constructed in the tree."""
        init = self.own_member(class_full, "__init__")
        if init is None or param not in init.params:
            return _EMPTY
        position = init.params.index(param) - 1  # `self` is not passed
        return self._passed(class_full.rpartition(".")[2], lambda v: v[0] == "cls" and v[1] == class_full,
                            param, position, follow=True)

    def parameter_values(self, function_full: str, param: str) -> frozenset:
        """What the tree's call sites of a function pass as one of its parameters (Cinder's
        `create_volume.get_flow(..., scheduler_rpcapi=self.scheduler_rpcapi)`)."""
        key = ("param", function_full, param)
        cached = self._instance_attrs.get(key)
        if cached is not None:
            return cached
        return self._memoised(self._instance_attrs, key, lambda: self._parameter_values(function_full, param))

    def _parameter_values(self, function_full: str, param: str) -> frozenset:
        definition = self.defs.get(function_full)
        if definition is None or definition.kind == "class" or param not in definition.params:
            return _EMPTY
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
        for module, scope_name, call in self._calls_named(name):
            scope = Scope(module, scope_name)
            if not any(is_callee(v) for v in self.resolve(call[1], scope)):
                continue
            args, kwargs = call[5], call[6]
            arg = kwargs.get(param) or (args[position] if 0 <= position < len(args) else None)
            if arg is None or arg[0] == "*":
                continue
            values |= self.resolve(arg, scope)
            if follow and arg[0] == "n":
                values |= self.parameter_values(f"{module.name}.{scope_name}", arg[1])
        return frozenset(values)

    def _calls_named(self, name: str) -> list[tuple[ModuleFacts, str, list]]:
        """Call sites whose callee is spelled `...name(...)`: the few worth resolving for a constructor."""
        if name in self._ctor_calls:
            return self._ctor_calls[name]
        found = self._ctor_calls[name] = []
        for module in self._modules_calling.get(name, []):
            for call in module.calls():
                callee = call[1]
                if (callee[0] == "n" and callee[1] == name) or (callee[0] == "a" and callee[2] == name):
                    found.append((module, call[0], call))
        return found

    @cached_property
    def _modules_calling(self) -> dict[str, list[ModuleFacts]]:
        index: dict[str, list[ModuleFacts]] = {}
        for module in self.modules.values():
            for name in module.summary["callee_names"]:
                index.setdefault(name, []).append(module)
        return index

    # -- expressions -------------------------------------------------------------------------

    def resolve(self, expr: list, scope: Scope) -> frozenset:
        key = id(expr)
        # Module-level and class-body bindings are asked for from everywhere; an expression in a
        # function body mostly once, so those are kept only while their module is being built.
        memos = self._resolved if scope.module.defs.get(scope.function) is None \
            or scope.module.defs[scope.function].kind == "class" else self._local_resolved
        memo = memos.get(scope.key)
        if memo is None:
            memo = memos[scope.key] = {}
        cached = memo.get(key)
        if cached is not None and cached[0] is expr:
            return cached[1]
        if len(self._active) + self._chain >= self._next_check and self._cut_short(scope.module, scope.function):
            return _EMPTY
        result = self._memoised(memo, key, lambda: self._resolve(expr, scope))
        if memo.get(key) is result:  # stored, not a provisional answer to a cycle
            # The entry holds the expression itself: while it exists, no other object can take its id.
            memo[key] = (expr, result)
        return result

    def _cut_short(self, module: ModuleFacts, function: str) -> bool:
        """Whether the chain being followed is too deep to go on (see program.depth); warns where."""
        depth = len(self._active) + self._chain
        if not stack_nearly_full():
            self._next_check = depth + CHECK_EVERY
            return False
        path, line = self._site or (module.path, module.defs[function].line if function in module.defs else None)
        self.diagnostics.warning(path, line, cut_message(depth))
        return True

    def _memoised(self, memo: dict, key, compute: Callable[[], frozenset]) -> frozenset:
        """Compute once. A computation that meets itself (`query = query.filter()`) gets an empty
        provisional answer there; value sets are walked in sorted order, so which answers are
        provisional, and so the result, never depends on hash seeds: every run gives the same graph."""
        active = (id(memo), key)
        if active in self._active:
            return _EMPTY
        self._active.add(active)
        try:
            result = compute()
        finally:
            self._active.discard(active)
        memo[key] = result
        return result

    def _resolve(self, expr: list, scope: Scope) -> frozenset:
        kind = expr[0]
        if kind == "n":
            return self.name(expr[1], scope)
        if kind == "a":
            return frozenset(v for base in sorted(self.resolve(expr[1], scope)) for v in self.attribute(base, expr[2]))
        if kind == "i":
            return self.lookup_table(expr[1], expr[2], scope)
        if kind == "either":
            return frozenset(v for operand in expr[1] for v in self.resolve(operand, scope))
        if kind == "d":
            return frozenset({("ext", "builtins.dict()")})
        if kind == "c" and expr[1][0] == "a" and expr[1][2] == "get" and expr[2] and self.tables(expr[1][1], scope):
            return self.lookup_table(expr[1][1], expr[2][0], scope)
        if kind == "c":
            return frozenset(v for func in sorted(self.resolve(expr[1], scope))
                             for v in self.call_result(func, expr, scope))
        if kind == "s":
            return frozenset({("str", expr[1])})
        if kind == "isa":  # `isinstance(x, C)`: an instance of C or of any subclass
            return frozenset(("inst", v[1]) for v in self.resolve(expr[1], scope) if v[0] == "cls")
        if kind == "k":  # by its repr: values are sorted, and None and 1 do not compare
            return frozenset({("const", repr(expr[1]))})
        if kind == "super":
            cls = self.enclosing_class(scope)
            return frozenset({("super", cls)}) if cls else _EMPTY
        return _EMPTY

    def enclosing_class(self, scope: Scope) -> str | None:
        parts = scope.function.split(".") if scope.function else []
        for cut in range(len(parts), 0, -1):
            qual = ".".join(parts[:cut])
            definition = scope.module.defs.get(qual)
            if definition is not None and definition.kind == "class":
                return definition.full
        return None

    def name(self, name: str, scope: Scope) -> frozenset:
        found = self._lookup(name, scope)
        if isinstance(found, frozenset):
            return found
        if found is not None:
            return self._binding_values(found[0].module, found[0], found[1])
        for record in scope.module.bindings.get("", {}).get("*", []):
            values = self.module_attr(record[1], name)
            if values:
                return values
        if name in _BUILTINS:
            return frozenset({("ext", f"builtins.{name}")})
        return _EMPTY

    def _lookup(self, name: str, scope: Scope) -> tuple[Scope, list] | frozenset | None:
        """Where `name` is bound as seen from `scope`: (scope of the binding, its records); or the
        value itself for a method's `self`/`cls`, an empty set for a parameter; None when unbound."""
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
                owner = scope.self_class or self.enclosing_class(Scope(module, function.rpartition(".")[0]))
                if owner:
                    if definition.kind == "classmethod":
                        return frozenset({("cls", owner)})
                    return frozenset({("inst", owner, True) if scope.self_exact else ("inst", owner)})
            records = module.bindings.get(function, {}).get(name)
            if records:
                return Scope(module, function, scope.self_class, scope.self_exact), records
            if name in definition.params or f"*{name}" in definition.params or f"**{name}" in definition.params:
                return _EMPTY  # a parameter: its type is not known here
            function = function.rpartition(".")[0]
        records = module.bindings.get("", {}).get(name)
        return (Scope(module, ""), records) if records else None

    def tables(self, expr: list, scope: Scope, depth: int = 0) -> list[tuple[list, Scope]]:
        """The dict literals an expression may be (`CELL_TYPE_TO_CLS_NAME`), with the scope of each."""
        if depth > 6:
            return []
        kind = expr[0]
        if kind == "d":
            return [(expr, scope)]
        if kind == "n":
            found = self._lookup(expr[1], scope)
            records = [] if found is None or isinstance(found, frozenset) else found[1]
            return [t for r in records for t in self._record_tables(r, found[0], depth)]
        if kind == "a":
            return [t for value in sorted(self.resolve(expr[1], scope)) if value[0] == "mod"
                    for r in self.modules[value[1]].bindings.get("", {}).get(expr[2], [])
                    for t in self._record_tables(r, Scope(self.modules[value[1]], ""), depth)]
        return []

    def _record_tables(self, record: tuple, scope: Scope, depth: int) -> list[tuple[list, Scope]]:
        if record[0] == "assign":
            return self.tables(record[1], scope, depth + 1)
        if record[0] == "import" and record[2] not in (None, "*") and record[1] in self.modules:
            owner = self.modules[record[1]]
            return [t for r in owner.bindings.get("", {}).get(record[2], [])
                    for t in self._record_tables(r, Scope(owner, ""), depth + 1)]
        return []

    def lookup_table(self, table_expr: list, key_expr: list | None, scope: Scope) -> frozenset:
        """`table[key]` / `table.get(key)`: the entry for a known key, every entry's value otherwise."""
        found = self.resolve(key_expr, scope) if key_expr else frozenset()
        keys = {v[1] for v in found if v[0] == "str"}
        constants = {v[1] for v in found if v[0] == "const"}  # CELL_TYPE_TO_CLS_NAME[None]
        values: set = set()
        for table, table_scope in self.tables(table_expr, scope):
            entries = table[1]
            chosen = [v for k, v in entries if k[0] == "s" and k[1] in keys or k[0] == "k" and repr(k[1]) in constants]
            for value_expr in chosen or [v for _k, v in entries]:
                values |= self.resolve(value_expr, table_scope)
        return frozenset(values)

    def attribute(self, value: Value, name: str) -> frozenset:
        kind = value[0]
        if kind == "mod":
            return self.module_attr(value[1], name)
        if kind in ("ext", "cut"):
            return frozenset({_external(f"{value[1]}.{name}")}) if kind == "ext" else frozenset({value})
        if kind in ("cls", "inst"):
            owner, member = self.find_member(value[1], name)
            if member is not None:
                if member.kind == "class":
                    return frozenset({("cls", member.full)})
                if member.kind == "property" and kind == "inst":
                    return self.returns(member.full)
                if member.kind in ("staticmethod",) or kind == "cls" and member.kind != "classmethod":
                    return frozenset({("func", member.full)})
                return frozenset({("meth", member.full, value[1]) + value[2:]})
            if kind == "inst":
                return self.instance_attr(value[1], name)
            if owner:
                definition = self.defs[owner]
                module = self.modules[definition.module]
                return self._binding_values(module, Scope(module, definition.qualname), self._class_assigns(owner, name))
            return _EMPTY
        if kind == "super":
            _owner, member = self.find_member(value[1], name, after=value[1])
            if member is not None and member.kind != "class":
                return frozenset({("func", member.full)})
            return _EMPTY
        return _EMPTY

    def call_result(self, func: Value, call: list, scope: Scope) -> frozenset:
        kind = func[0]
        if kind == "cls":
            return self._proxied(func[1], call, scope) or frozenset({("inst", func[1], True)})
        if kind in ("func", "meth"):
            definition = self.defs.get(func[1])
            if definition is not None and definition.kind == "class":
                return frozenset({("inst", definition.full, True)})
            return self.returns(func[1]) | self._checked(definition, call, scope)
        if kind == "ext":
            # What a library call returns stays outside the tree: `LOG = logging.getLogger()`
            # makes `LOG.debug(...)` an external call rather than an unresolved one.
            return self._library_call(func[1], call, scope) or frozenset({_external(f"{func[1]}()")})
        if kind == "cut":
            return frozenset({func})
        return _EMPTY

    def _checked(self, definition: Definition | None, call: list, scope: Scope) -> frozenset:
        """A type-check helper returns its argument as an instance of the class it is handed:
        `utils.check_isinstance(driver, ComputeDriver)` (Ocata's load_compute_driver) is a ComputeDriver."""
        if definition is None or len(call) < 4:
            return _EMPTY
        module = self.modules[definition.module]
        bindings = module.bindings.get(definition.qualname, {})
        params = list(definition.params)
        found: set = set()
        for returning, expr, _context in module.summary["returns"]:
            if returning != definition.qualname or expr[0] != "n":
                continue
            for record in bindings.get(expr[1], []):
                checked = record[1] if record[0] == "assign" and record[1][0] == "isa" else None
                if not checked or checked[1][0] != "n" or checked[1][1] not in params:
                    continue
                name = checked[1][1]
                position = params.index(name)
                arg = call[2][position] if position < len(call[2]) else call[3].get(name)
                if arg is not None:
                    found |= {("inst", v[1]) for v in self.resolve(arg, scope) if v[0] == "cls"}
        return frozenset(found)

    def _proxied(self, cls: str, call: list, scope: Scope) -> frozenset:
        """A lazy proxy (`LazyLoader(import_class('...SchedulerQueryClient'))`: a class whose
        `__getattr__` forwards everything) stands for the class it is handed."""
        if not call[2] or self.find_member(cls, "__getattr__")[1] is None:
            return _EMPTY
        return self._instantiate(frozenset(v for v in self.resolve(call[2][0], scope) if v[0] == "cls"))

    def returns(self, function_full: str) -> frozenset:
        """What a function returns (for factories: `def API(): return ComputeCellsAPI()`)."""
        key = ("returns", function_full)
        cached = self._returns.get(key)
        if cached is not None:
            return cached
        return self._memoised(self._returns, key, lambda: self._returns_of(function_full))

    def _returns_of(self, function_full: str) -> frozenset:
        definition = self.defs.get(function_full)
        values: set = set()
        if definition is not None:
            module = self.modules[definition.module]
            scope = Scope(module, definition.qualname)
            for returning, expr, context in module.summary["returns"]:
                if returning == definition.qualname and (
                        context is None or self.branch_taken is None or self.branch_taken(module, context)):
                    values |= self.resolve(expr, scope)
        return frozenset(values)

    def _library_call(self, dotted: str, call: list, scope: Scope) -> frozenset:
        position = _IMPORTERS.get(dotted.rpartition(".")[2])
        if position is None or len(call[2]) <= position:
            return _EMPTY
        result: set = set()
        for value in sorted(self.resolve(call[2][position], scope)):
            target = value[1] if value[0] == "str" else self.option_value(value)
            if not target:
                continue
            if dotted.endswith("import_object_ns") and position == 1:
                for ns in sorted(self.resolve(call[2][0], scope)):
                    if ns[0] == "str":
                        result |= self._instantiate(self.resolve_dotted(f"{ns[1]}.{target}"))
            if dotted.rpartition(".")[2] in ("import_class", "import_module", "try_import"):
                result |= self.resolve_dotted(target)
            else:
                result |= self._instantiate(self.resolve_dotted(target))
        return frozenset(result)

    @staticmethod
    def _instantiate(values: frozenset) -> frozenset:
        return frozenset(("inst", v[1], True) if v[0] == "cls" else v for v in values)

    def option_value(self, value: Value) -> str | None:
        """`CONF.compute_manager` / `CONF.conductor.manager` as the option's default string."""
        if value[0] != "ext" or not value[1].startswith(_CONF + ".") or self.options is None:
            return None
        parts = value[1][len(_CONF) + 1:].split(".")
        if len(parts) == 1:
            return self.options(None, parts[0])
        if len(parts) == 2:
            return self.options(parts[0], parts[1])
        return None

    # -- the graph ---------------------------------------------------------------------------

    def dispatch(self, method_full: str, receiver: str) -> list[str]:
        """The method and every override of it in subclasses of the receiver's class."""
        name = method_full.rpartition(".")[2]
        targets = [method_full]
        for sub in self.all_subclasses(receiver):
            if self.dispatch_excludes(sub):
                continue
            override = self.own_member(sub, name)
            if override is not None and override.full not in targets and override.kind != "class":
                targets.append(override.full)
        return targets

    def build(self) -> CallGraph:
        graph = CallGraph()
        for module in self.modules.values():
            graph.add_node(Node(module.name, "module", module.path, 1))
            for definition in module.defs.values():
                graph.add_node(Node(definition.full, _node_kind(module, definition), module.path, definition.line))
        for module in sorted(self.modules.values(), key=lambda m: m.name):
            self._module_edges(graph, module)
            self._local_resolved.clear()
        return graph

    def _module_edges(self, graph: CallGraph, module: ModuleFacts) -> None:
        seen: set[tuple] = set()

        def add(caller: str, callee: str, line: int, certain: bool) -> None:
            key = (caller, callee, line)
            if key not in seen and callee in graph:
                seen.add(key)
                graph.add_edge(Edge(caller, callee, module.path, line, certain))

        callers: dict[str, str] = {}  # one string per scope, shared by all its edges
        for record in module.calls():
            scope_name, line = record[0], record[2]
            caller = callers.get(scope_name)
            if caller is None:
                caller = callers[scope_name] = f"{module.name}.{scope_name}" if scope_name else module.name
            self.stats.calls += 1
            targets, externals = self.call_targets(module, record)
            for dotted in externals:
                graph.external.append(ExternalCall(caller, dotted, module.path, line))
                self.stats.external += 1
            for target, certain in targets:
                add(caller, target, line, certain)
            if externals or targets:
                self.stats.resolved += 1
            else:
                self.stats.unresolved += 1
        for scope_name, attr, line in module.attr_loads():
            scope = Scope(module, scope_name)
            owner = self.enclosing_class(scope)
            if owner is None:
                continue
            _cls, member = self.find_member(owner, attr)
            if member is not None and member.kind == "property":
                add(f"{module.name}.{scope_name}", member.full, line, True)

    def call_targets(self, module: ModuleFacts, record: list) -> tuple[list[tuple[str, bool]], list[str]]:
        """What one call site may run: (definition, certain) pairs, and the library names it calls.

        Functions handed to the call (spawn helpers, callbacks, functools.partial) count as called.
        """
        targets, externals = self.call_targets_as(module, record, None)
        return [(target, certain) for target, certain, _self, _exact in targets], externals

    def call_targets_as(self, module: ModuleFacts, record: list, self_class: str | None, self_exact: bool = False
                        ) -> tuple[list[tuple[str, bool, str | None, bool]], list[str]]:
        """`call_targets` for a method run on an instance of `self_class` (None: of its own class),
        exactly that class when `self_exact`. Each target comes with the class its own `self` is then
        an instance of (None: its own) and whether exactly.

        `TaskBase.execute` run by a LiveMigrationTask calls `self._execute()`: the live-migration
        task's, not every task's; `API.attach_volume` run by an `API()` calls `API._attach_volume`,
        not the cells subclass's override."""
        scope_name, callee, _line, _col, _ctx, args, kwargs = record
        scope = Scope(module, scope_name, self_class, self_exact)
        targets: list[tuple[str, bool, str | None, bool]] = []
        externals: list[str] = []
        site, self._site = self._site, (module.path, record[2])  # where a chain cut short is reported
        for value in sorted(self.resolve(callee, scope)):
            if value[0] == "ext":
                externals.append(value[1])
            else:
                targets += self._targets(value)
        for arg in list(args) + list(kwargs.values()):
            if arg[0] in ("n", "a"):
                for value in sorted(self.resolve(arg, scope)):
                    if value[0] in ("func", "meth"):
                        targets += self._targets(value)
        if callee[0] == "a" and callee[2] == "add":
            targets += self._flow_tasks(args, scope)
        self._site = site  # no finally: nothing catches an exception from here and goes on
        return targets, externals

    def _flow_tasks(self, args: list, scope: Scope) -> list[tuple[str, bool, str | None, bool]]:
        """`flow.add(VolumeCastTask(...), ...)`: a taskflow engine runs each task's `execute` (Cinder's
        and Manila's API flows); the flow is read as calling them where it is put together."""
        found = []
        for arg in args:
            if arg[0] != "c":
                continue
            for value in sorted(self.resolve(arg, scope)):
                if value[0] == "inst" and len(value) > 2:
                    _owner, execute = self.find_member(value[1], "execute")
                    if execute is not None and execute.kind == "method":
                        found.append((execute.full, True, self._receiver(execute.full, value[1]), True))
        return found

    def calls_in(self, function_full: str) -> list[list]:
        """The call records written in one function's own body (not in functions nested in it)."""
        definition = self.defs.get(function_full)
        if definition is None:
            return []
        module = self.modules[definition.module]
        by_scope = self._calls_by_scope.get(module.name)
        if by_scope is None:
            by_scope = self._calls_by_scope[module.name] = {}
            for record in module.calls():
                by_scope.setdefault(record[0], []).append(record)
        return by_scope.get(definition.qualname, [])

    def _targets(self, value: Value) -> list[tuple[str, bool, str | None, bool]]:
        kind = value[0]
        if kind == "func":
            definition = self.defs.get(value[1])
            if definition is not None and definition.kind == "class":
                return self._constructor(value[1])
            return [(value[1], True, None, False)]
        if kind == "meth":
            if len(value) > 3:  # on an instance made right there: no override runs
                return [(value[1], True, self._receiver(value[1], value[2]), True)]
            targets = self.dispatch(value[1], value[2])
            return [(t, len(targets) == 1, self._receiver(t, value[2]) if t == value[1] else None, False)
                    for t in targets]
        if kind == "cls":
            return self._constructor(value[1])
        if kind == "inst":
            _owner, member = self.find_member(value[1], "__call__")
            if member is None:
                return []
            return [(member.full, True, self._receiver(member.full, value[1]), len(value) > 2)]
        return []

    def _constructor(self, class_full: str) -> list[tuple[str, bool, str | None, bool]]:
        _owner, init = self.find_member(class_full, "__init__")
        if init is None:
            return [(class_full, True, None, True)]
        return [(init.full, True, self._receiver(init.full, class_full), True)]

    def _receiver(self, method_full: str, receiver: str) -> str | None:
        """The receiver class when it is not the method's own (an inherited method)."""
        return None if method_full.rpartition(".")[0] == receiver else receiver


def _decoded(part: str | list) -> list:
    return json.loads(part) if isinstance(part, str) else part


def _external(dotted: str) -> Value:
    """An external value, named at most one attribute past the first call.

    `query = query.filter(...)` repeated in a function would otherwise make ever longer names
    (`model_query().filter().filter()...`), each a distinct value.
    """
    head, call, rest = dotted.partition("()")
    if call:
        dotted = f"{head}()" if not rest.startswith(".") else f"{head}().{rest[1:].split('.')[0].split('(')[0]}"
    # Interned: the same library names (LOG.debug, ...) recur in tens of thousands of calls.
    return ("ext", sys.intern(dotted))


def _node_kind(module: ModuleFacts, definition: Definition) -> str:
    if definition.kind == "class":
        return "class"
    parent = module.defs.get(definition.qualname.rpartition(".")[0])
    return "method" if parent is not None and parent.kind == "class" else "function"
