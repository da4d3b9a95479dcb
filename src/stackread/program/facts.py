"""What the engine knows of each module before it resolves anything, and the values it answers with.

A module's summary (from the index) is digested once into its definitions, its bindings per
scope and its `self.x = ...` assignments; call sites and attribute loads are decoded afresh each
time they are read, not kept. A `Scope` is where an expression is read: a module, a function or
class body in it, and what `self` is there.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import cached_property

from stackread.program.modules import resolve_relative

# ("mod", name) ("cls", full) ("inst", full[, True]) ("func", full) ("meth", full, recv[, True]); True marks an
# instance made right there (`compute.API()`): its class is exact, no subclass's override runs.
# ("part", func value, positional arguments pre-bound, (keywords pre-bound)): `functools.partial(f, x)`.
Value = tuple
#                ("super", class_full, self_class) ("ext", dotted) ("str", text)
#                ("cut", module): anything reached through a module of the tree that was skipped (it did
#                not parse or could not be read); a call to it is where a flow can no longer be followed.
EMPTY: frozenset = frozenset()


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
    default_exprs: tuple = ()  # (parameter, default expression) pairs, every default
    abstract: bool = False  # only raises NotImplementedError (or is an @abstractmethod): a declaration
    end: int = 0  # its last line


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
                             sys.intern(f"{self.name}.{d[0]}"), tuple(d[7].items()) if d[7] else (),
                             tuple(d[8].items()) if d[8] else (), _abstract(d), d[3])
            for d in self.summary["defs"]}
        self.bindings = self._bindings()
        self.self_assigns = self._self_assigns()
        self.self_grows: dict[str, list[tuple]] = {}  # attribute -> [(scope, key, expr)]: `self.x.append(v)`
        # (function, parameter) -> [(key, expr)]: `kwargs['server'] = host` on a `**kwargs` parameter,
        # which a helper hands on (`prepare(**kwargs)`: frameworks.rpc_clients)
        self.keyword_grows: dict[tuple[str, str], list[tuple]] = {}
        self._place_grows()
        # [scope, "a.b", attr, expr, line] for `a.b.attr = expr` (index.summary); read by frameworks only
        self.attr_assigns: list[list] = self.summary.get("attr_assigns", [])
        self.summary = {key: value for key, value in self.summary.items()
                        if key not in ("defs", "assigns", "imports", "grows", "globals", "rebound", "attr_assigns")}

    def _bindings(self) -> dict[str, dict[str, list]]:
        """scope -> name -> binding records: ("def", qualname) ("import", module, name) ("assign", expr[, context]);
        an assignment under if/else/loop/except carries the index of its control context; ("global", expr,
        function): `global name` then `name = expr` in that function, a binding of the module's.

        A module-level name bound again unconditionally (the summary's "rebound") holds, as functions and
        other modules see it, what that binding and the ones after it hold; what it held before is kept
        in `module_reads` for the module's own top-level code, which may read it in between."""
        scopes: dict[str, dict[str, list]] = {}
        lines: dict[int, int] = {}  # id(module-level record) -> its line
        rebound = {name: line for name, line in self.summary.get("rebound", ())}

        def bind(scope: str, name: str, record: tuple, line: int) -> None:
            scopes.setdefault(scope, {}).setdefault(name, []).append(record)
            if not scope and name in rebound:
                lines[id(record)] = line

        for definition in self.defs.values():
            parent, _, name = definition.qualname.rpartition(".")
            bind(parent, name, ("def", definition.qualname), definition.line)
        for scope, local, module, name, level, line in self.summary["imports"]:
            absolute = self.absolute(module, level)
            if name == "*":
                bind(scope, "*", ("import", absolute, "*"), line)
            else:
                bind(scope, local, ("import", absolute, name), line)
        globals_ = {(scope, name) for scope, name in self.summary.get("globals", ())}
        for scope, target, expr, line, context in self.summary["assigns"]:
            if (scope, target) in globals_:
                bind("", target, ("global", expr, scope), 1 << 30)  # made when the function runs: after all
            elif not target.startswith("self."):
                bind(scope, target, ("assign", expr) if context is None else ("assign", expr, context), line)
        self.module_reads: dict[str, list] = {}
        module_scope = scopes.get("", {})
        for name, line in rebound.items():
            records = module_scope.get(name, [])
            kept = [r for r in records if lines.get(id(r), line) >= line]
            if kept and len(kept) < len(records):
                self.module_reads[name] = records
                module_scope[name] = kept
        return scopes

    def _place_grows(self) -> None:
        """`x.append(v)`, `x[k] = v`: a ("grow", key, expr, scope) record where x is bound, read with its
        other bindings (program.containers). Inside a function that does not bind x, x is the enclosing
        scope's; a grown parameter or unbound name is left out (what was passed is not known here)."""
        for scope, name, key, expr, _context in self.summary.get("grows", ()):
            if name.startswith("self."):
                self.self_grows.setdefault(name[5:], []).append((scope, key, expr))
                continue
            definition = self.defs.get(scope)
            if definition is not None and f"**{name}" in definition.params:
                self.keyword_grows.setdefault((scope, name), []).append((key, expr))
                continue
            where: str | None = scope
            while where is not None:
                records = self.bindings.get(where, {}).get(name)
                if records:
                    records.append(("grow", key, expr, scope))
                    break
                definition = self.defs.get(where)
                if where == "" or definition is not None and definition.kind != "class" and \
                        (name in definition.params or f"*{name}" in definition.params):
                    break
                where = where.rpartition(".")[0]
                while where and self.defs.get(where) is not None and self.defs[where].kind == "class":
                    where = where.rpartition(".")[0]

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

    def attr_stores(self) -> list[list]:
        return _decoded(self.summary.get("attr_stores", "[]"))

    def implicit(self) -> list[list]:
        """[scope, dunder, expr, line] per site that runs a dunder unwritten (program.implicit)."""
        return _decoded(self.summary.get("implicit", "[]"))

    def contexts(self) -> list[list]:
        return _decoded(self.summary["contexts"])

    def flows(self) -> list[list]:
        """[spelling, into, where] per way a value may flow into another name (index.summary)."""
        return _decoded(self.summary.get("flows", "[]"))

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
    # (parameter, values) pairs one call path binds: read there, a parameter holds what that caller
    # passed, not what every caller passes (program.params).
    args: tuple = ()

    @property
    def key(self) -> tuple:
        return (self.module.name, self.function, self.self_class, self.self_exact, self.args)


def _abstract(definition: list) -> bool:
    if len(definition) > 9 and definition[9]:
        return True
    return any((d[1] if d[0] == "n" else d[2] if d[0] == "a" else "") == "abstractmethod" for d in definition[4])


def enclosing_class(scope: Scope) -> str | None:
    """The innermost class whose body or methods the scope is in."""
    parts = scope.function.split(".") if scope.function else []
    for cut in range(len(parts), 0, -1):
        qual = ".".join(parts[:cut])
        definition = scope.module.defs.get(qual)
        if definition is not None and definition.kind == "class":
            return definition.full
    return None


def _decoded(part: str | list) -> list:
    return json.loads(part) if isinstance(part, str) else part
