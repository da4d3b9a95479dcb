"""Routes of pecan applications (Ironic, Octavia, Designate, Magnum, Zun, Watcher, Cyborg, Barbican).

pecan routes by object traversal, so the routes are read by walking the controller tree from the
root the app factory names, without importing anything:
- the root: a pecan config's `'root': 'pkg.mod.RootController'`, or the controller instance given
  to `pecan.make_app(...)` / `pecan.Pecan(...)`, directly or through a factory's parameter
  (Barbican's `build_wsgi_app(versions.V1Controller())`);
- children: class attributes and `self.x = X()` / `setattr(self, 'x-y', X())` in `__init__`. Under a
  `RestController` a child sits after as many ids as `get_one` (or `get`) requires, as pecan's
  `_route` counts them, and the child's methods receive those ids as their first arguments;
- `_lookup(self, key, *remainder)`: each returned controller is mounted at the literal the key (or
  `remainder[0]`) is compared with on the way to that return, else at `/{key}`; one returned from
  a dict attribute indexed by the key (Ironic's `_subcontroller_map`) is mounted once per entry;
- methods: RestController's conventions (`get_all`, `get_one`, `get`, `post`, `put`, `patch`,
  `delete` and their `_all`/`_one` forms), `_custom_actions` (`{'power': ['PUT']}` is PUT .../power),
  and on plain objects `index`, other exposed methods and `@index.when(method='POST')` handlers
  (Barbican's `on_post`).
A method takes an id from the path when it requires one more argument than the ids it inherits and
that argument is named like an id; body arguments (`boot_device`) are not path segments.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import Any

from stackread.frameworks.rest import paste
from stackread.frameworks.rest.route import Route
from stackread.frameworks.rest.interpreter import ClassMembers, Instance, Obj, RouteEvaluator
from stackread.frameworks.rest.routes_mapper import _versions
from stackread.program.evaluate import DefRef, Ev, ExternalRef, Scope

_ROOT_KEY = re.compile(rb"['\"]root['\"]\s*:")
_MAX_DEPTH = 12  # controller nesting; deeper means a cycle the seen-set did not catch
_MAX_ROUTES = 5000
_MAX_VISITS = 20000  # controllers reached by many paths (each child under every parent) grow fast
_ID = re.compile(r"(^|_)(id|ident|uuid|name)$")
_VERBS = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE", "head": "HEAD"}


def may_declare(data: bytes) -> bool:
    """Whether a file may make a pecan app or name its root (a byte test before anything is parsed)."""
    # Plain `in` tests first: a regular expression over all of Nova costs a quarter second.
    root_key = (b"'root'" in data or b'"root"' in data) and _ROOT_KEY.search(data)
    return bool(b"make_app(" in data or b"Pecan(" in data or root_key)


def mentions_pecan(data: bytes) -> bool:
    return b"pecan" in data


def read_routes(project, among: list[str]) -> list[Route]:
    """Every route of the pecan apps of a project, from the files `may_declare` found; [] when it has
    none."""
    from stackread.source.observed import scan

    # A config's 'root' names a root only where pecan makes the app (Zun's config.py). Tested, not
    # read: a tree without pecan keeps its routes through an edit of a file that names a 'root'.
    if not scan(project.tree, among, [mentions_pecan])[mentions_pecan]:
        return []
    ev = RouteEvaluator(project.index, project.options)
    modules = [m for m in map(project.index.get_by_path, among) if m is not None]
    walker = _Walker(ev)
    mounts = paste.mounts_by_class(ev, paste.mounts(project), walker.mro)
    found: list[Route] = []
    for root, where, makers in _roots(modules, ev):
        walker.walk(root, "", 0, where, frozenset(), 0)
        found += _mounted(walker.found, [mounts[m] for m in sorted(makers) if m in mounts])
        walker.found = []
    unique: dict[tuple, Route] = {}
    for route in found:
        unique.setdefault((route.verb, route.path, route.controller, route.min_version), route)
    return list(unique.values())


def _mounted(routes: list[Route], prefixes: list[tuple[str, ...]]) -> list[Route]:
    """The routes of one root under the prefixes paste deploy mounts the app factories it is made in
    under (Barbican's create_main_app at /v1): the path a client sends. No factory in the paste
    file: as found; a factory declared but mounted nowhere: as found, marked unmounted."""
    if not prefixes:
        return routes
    every = sorted({p for found in prefixes for p in found})
    if not every:
        return [replace(r, mounts=()) for r in routes]
    return [replace(r, path=(prefix.rstrip("/") + r.path) if r.path != "/" else prefix, mounts=(prefix,))
            for prefix in every for r in routes]


# -- the roots ------------------------------------------------------------------------------------


def _roots(modules, ev: RouteEvaluator) -> list[tuple[DefRef, tuple[str, int], set[str]]]:
    """Each root controller, where it is named, and the functions it is named in (the app factories
    paste deploy may name)."""
    roots: dict[str, tuple[DefRef, tuple[str, int], set[str]]] = {}
    factories: dict[str, int] = {}  # functions that hand their parameter N to make_app
    within: dict[int, str] = {}  # node -> the outermost function it is in
    for module in modules:
        for func in _outer_functions(module.tree.body, module.name):
            within.update((id(n), func[0]) for n in ast.walk(func[1]))

    def add(value: Any, module, node: ast.AST) -> None:
        cls = _class_of(value)
        if cls is not None:
            found = roots.setdefault(cls.dotted, (cls, (module.path, node.lineno), set()))
            if id(node) in within:
                found[2].add(within[id(node)])

    for module in modules:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if isinstance(key, ast.Constant) and key.value == "root" \
                            and isinstance(value, ast.Constant) and isinstance(value.value, str):
                        add(ev.resolve_dotted(value.value), module, value)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                params = [a.arg for a in node.args.args]
                for call in ast.walk(node):
                    if isinstance(call, ast.Call) and _name(call.func) in ("make_app", "Pecan") and call.args:
                        for part in _alternatives(call.args[0]):
                            if isinstance(part, ast.Name) and part.id in params:
                                factories[node.name] = params.index(part.id)
                            else:
                                add(ev.eval(part, Scope(module)).value, module, call)
    for module in modules:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and _name(node.func) in factories:
                index = factories[_name(node.func)]
                if index < len(node.args):
                    add(ev.eval(node.args[index], Scope(module)).value, module, node)
    return list(roots.values())


def _outer_functions(body: list[ast.stmt], prefix: str):
    """(dotted name, def) of a module's functions and its classes' methods."""
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield f"{prefix}.{stmt.name}", stmt
        elif isinstance(stmt, ast.ClassDef):
            yield from _outer_functions(stmt.body, f"{prefix}.{stmt.name}")


def _refuses(fn: ast.AST, flags: frozenset[str]) -> bool:
    """A method that begins `if self.<flag>: raise ...` (or abort): it does not serve a flagged mount."""
    body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    first = body[0] if body else None
    if not (isinstance(first, ast.If) and isinstance(first.test, ast.Attribute) and first.test.attr in flags
            and isinstance(first.test.value, ast.Name) and first.test.value.id == "self"):
        return False
    last = first.body[-1]
    return isinstance(last, ast.Raise) or (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
                                           and _name(last.value.func) == "abort")


def _alternatives(node: ast.AST) -> list[ast.AST]:
    """`controller or Default()`: each operand may be the root."""
    return list(node.values) if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) else [node]


# -- the walk -------------------------------------------------------------------------------------


class _Walker(ClassMembers):
    def __init__(self, ev: RouteEvaluator):
        self.ev = ev
        self.found: list[Route] = []
        self.visits = 0
        self._members: dict[str, dict[str, list[tuple[DefRef, ast.AST]]]] = {}

    def walk(self, cls: DefRef, base: str, inherited: int, where: tuple[str, int], seen: frozenset,
             depth: int, flags: frozenset[str] = frozenset()) -> None:
        """The routes under `cls` mounted at `base`. `flags`: attributes its mounting class set true on
        this instance (Ironic's `nodes.from_chassis = True`): a view of a controller mounted in full
        elsewhere, serving only its own level's methods that do not refuse the flag, so that
        /v1/chassis/{id}/nodes does not repeat every route of /v1/nodes."""
        self.visits += 1
        if cls.dotted in seen or depth > _MAX_DEPTH or len(self.found) > _MAX_ROUTES or self.visits > _MAX_VISITS:
            return
        seen = seen | {cls.dotted}
        members = self.members(cls)
        if flags:
            members = {name: [(o, f) for o, f in defs if not _refuses(f, flags)] for name, defs in members.items()}
        rest = self.is_rest(cls)
        custom = self._custom_actions(cls)
        key = (self._child_ids(members, inherited) or [None])[0] if rest else None
        for name, verbs in custom.items():
            for owner, fn in members.get(name, []):
                ids = _path_ids(fn, inherited, key)
                for verb in verbs:
                    self._add(verb, f"{base}{ids}/{name}", owner, fn, where)
        if rest:
            self._rest_methods(members, base, inherited, where, set(custom), key)
        else:
            self._plain_methods(members, base, where)
        if flags:
            return
        ids = self._child_ids(members, inherited) if rest else []
        flagged = self._flagged(cls)
        for name, child, line in self._children(cls):
            path = base + "".join(f"/{{{i}}}" for i in ids) + f"/{name}"
            self.walk(child, path, inherited + len(ids), (line[0], line[1]), seen, depth + 1,
                      flagged.get(name, frozenset()))
        for owner, fn in members.get("_lookup", [])[:1]:
            for suffix, child in _LookupReader(self.ev, owner, fn).mounts():
                self.walk(child, base + suffix, 0, (owner.module.path, fn.lineno), seen, depth + 1)

    def _rest_methods(self, members, base: str, inherited: int, where, custom: set[str], key: str | None) -> None:
        for name, defs in members.items():
            verb, _, form = name.partition("_")
            if verb not in _VERBS or name in custom or form not in ("", "all", "one"):
                continue
            for owner, fn in defs:
                if not _exposed(fn):
                    continue
                if form == "one":
                    rest = _required(fn)[inherited:]
                    path = f"{base}/{{{rest[0] if rest else 'id'}}}"
                elif form == "all" or verb == "post":
                    path = base
                else:
                    path = base + _path_ids(fn, inherited, key, verb == "get")
                self._add(_VERBS[verb], path, owner, fn, where)

    def _plain_methods(self, members, base: str, where) -> None:
        for name, defs in members.items():
            for owner, fn in defs:
                generic, verbs = _when(fn)
                if generic is not None:
                    path = base if generic == "index" else f"{base}/{generic}"
                    for verb in verbs:
                        self._add(verb, path or "/", owner, fn, where)
                elif not name.startswith("_") and _exposed(fn) and not _is_generic(fn):
                    self._add("GET", (base if name == "index" else f"{base}/{name}") or "/", owner, fn, where)

    def _add(self, verb: str, path: str, owner: DefRef, fn: ast.AST, where) -> None:
        low, high = _versions(fn, owner, self.ev)
        self.found.append(Route(verb, path or "/", None, f"{owner.dotted}.{fn.name}", owner.module.path,
                                fn.lineno, low, high, *where))

    def _child_ids(self, members, inherited: int) -> list[str]:
        """The ids before a RestController's child: what `get_one` (else `get`) requires beyond the
        ids it inherits."""
        for name in ("get_one", "get"):
            for _, fn in members.get(name, [])[:1]:
                return _required(fn)[inherited:]
        return []

    def _custom_actions(self, cls: DefRef) -> dict[str, list[str]]:
        found = self.ev.class_attribute(cls, "_custom_actions")
        value = found.value if found is not None else None
        actions: dict[str, list[str]] = {}
        if isinstance(value, dict):
            for name, verbs in value.items():
                if isinstance(name, str) and isinstance(verbs, (list, tuple)):
                    actions[name] = [v.upper() for v in verbs if isinstance(v, str)]
        return actions

    def _children(self, cls: DefRef) -> list[tuple[str, DefRef, tuple[str, int]]]:
        """Sub-controllers: class attributes and what `__init__` assigns to `self`, nearest class first."""
        found: dict[str, tuple[str, DefRef, tuple[str, int]]] = {}
        for owner in self.mro(cls):
            scope = Scope(owner.module, {})
            for stmt in owner.node.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                    self._child(found, stmt.targets[0].id, stmt.value, scope, owner)
                elif isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__" and stmt.args.args:
                    this = stmt.args.args[0].arg
                    local = Scope(owner.module, {})
                    for node in ast.walk(stmt):
                        if isinstance(node, ast.Assign) and len(node.targets) == 1:
                            target = node.targets[0]
                            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                                    and target.value.id == this:
                                self._child(found, target.attr, node.value, local, owner)
                        elif isinstance(node, ast.Call) and _name(node.func) == "setattr" and len(node.args) == 3 \
                                and isinstance(node.args[0], ast.Name) and node.args[0].id == this \
                                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                            self._child(found, node.args[1].value, node.args[2], local, owner)
        return list(found.values())

    def _flagged(self, cls: DefRef) -> dict[str, frozenset[str]]:
        """Children whose instance the class body flags: `nodes.from_chassis = True`."""
        found: dict[str, set[str]] = {}
        for owner in self.mro(cls):
            for stmt in owner.node.body:
                target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                        and isinstance(stmt.value, ast.Constant) and stmt.value.value is True:
                    found.setdefault(target.value.id, set()).add(target.attr)
        return {name: frozenset(attrs) for name, attrs in found.items()}

    def _child(self, found: dict, name: str, node: ast.AST, scope: Scope, owner: DefRef) -> None:
        if name in found or name.startswith("_") or not isinstance(node, ast.Call):
            return
        value = self.ev.eval(node, scope).value
        if isinstance(value, Instance) and self.is_controller(value.cls):
            found[name] = (name, value.cls, (owner.module.path, node.lineno))


    def is_rest(self, cls: DefRef) -> bool:
        """Whether pecan routes this class by RestController's conventions: a base, in the tree or
        pecan's own, named RestController."""
        for owner in self.mro(cls):
            if owner.node.name == "RestController":
                return True
            for base in owner.node.bases:
                value = self.ev.eval(base, Scope(owner.module)).value
                if isinstance(value, ExternalRef) and value.name.endswith("RestController"):
                    return True
        return False

    def is_controller(self, cls: DefRef) -> bool:
        """A class pecan can route into: it exposes a method or is a RestController. Keeps WSME
        types and repositories that controllers also hold as attributes out of the walk."""
        if self.is_rest(cls):
            return True
        return any(_exposed(fn) for defs in self.members(cls).values() for _, fn in defs)


class _LookupReader:
    """Where a `_lookup(self, key, *remainder)` sends a request: (path suffix, controller class)."""

    def __init__(self, ev: RouteEvaluator, owner: DefRef, fn: ast.FunctionDef):
        self.ev = ev
        self.owner = owner
        self.fn = fn
        params = [a.arg for a in fn.args.args[1:]]
        self.key = params[0] if params else None
        self.remainder = fn.args.vararg.arg if fn.args.vararg else None
        self.assigned: dict[str, ast.AST] = {}
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.assigned.setdefault(node.targets[0].id, node.value)
        self.scope = Scope(owner.module, {fn.args.args[0].arg: _self_ev(owner)} if fn.args.args else {})

    def mounts(self) -> list[tuple[str, DefRef]]:
        if self.key is None:
            return []
        found: list[tuple[str, DefRef]] = []
        for ret, tests in self._returns(self.fn.body, []):
            target = ret.elts[0] if isinstance(ret, ast.Tuple) and ret.elts else ret
            mapped = self._mapped(target)
            if mapped is not None:
                found += mapped
                continue
            cls = _class_of(self._value(target))
            if cls is None:
                continue
            literals = [lit for test in tests for lit in self._compared(test)]
            if not literals:
                literals = [(lit, False) for lit, after_key in self._compared(self.fn) if not after_key]
            if literals:
                found += [(self._suffix(lit, after_key), cls) for lit, after_key in literals]
            else:
                found.append((f"/{{{self.key}}}", cls))
        return found

    def _suffix(self, literal: str, after_key: bool) -> str:
        return f"/{{{self.key}}}/{literal}" if after_key else f"/{literal}"

    def _returns(self, body: list[ast.stmt], tests: list[ast.AST]):
        for stmt in body:
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                yield stmt.value, tests
            elif isinstance(stmt, ast.If):
                yield from self._returns(stmt.body, tests + [stmt.test])
                yield from self._returns(stmt.orelse, tests)
            elif isinstance(stmt, (ast.For, ast.While, ast.With, ast.Try)):
                for inner in (getattr(stmt, "body", []), getattr(stmt, "orelse", []),
                              *(h.body for h in getattr(stmt, "handlers", [])), getattr(stmt, "finalbody", [])):
                    yield from self._returns(inner, tests)

    def _compared(self, test: ast.AST) -> list[tuple[str, bool]]:
        """Literals a test compares the key with (False) or the next segment with (True)."""
        found = []
        for node in ast.walk(test):
            if isinstance(node, ast.Compare) and len(node.ops) == 1:
                side = self._segment(node.left)
                if side is None:
                    continue
                value = self.ev.eval(node.comparators[0], self.scope).value
                values = value if isinstance(value, (tuple, list)) else [value]
                found += [(v, side) for v in values if isinstance(v, str) and v]
        return found

    def _segment(self, node: ast.AST) -> bool | None:
        """False if `node` is the key, True if it is `remainder[0]` (directly or through a local)."""
        if isinstance(node, ast.Name):
            if node.id == self.key:
                return False
            if node.id in self.assigned:
                return True if self._is_next(self.assigned[node.id]) else None
        return True if self._is_next(node) else None

    def _is_next(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
            and node.value.id == self.remainder and isinstance(node.slice, ast.Constant) and node.slice.value == 0

    def _mapped(self, target: ast.AST) -> list[tuple[str, DefRef]] | None:
        """`controller = self._subcontroller_map.get(key)`; `return controller(...), remainder`."""
        node = target.func if isinstance(target, ast.Call) else target
        source = self.assigned.get(node.id) if isinstance(node, ast.Name) else None
        if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute) and source.func.attr == "get" \
                and source.args:
            table, index = source.func.value, source.args[0]
        elif isinstance(source, ast.Subscript):
            table, index = source.value, source.slice
        else:
            return None
        side = self._segment(index)
        entries = self.ev.eval(table, self.scope).value
        if side is None or not isinstance(entries, dict):
            return None
        return [(self._suffix(name, side), cls) for name, value in entries.items()
                if isinstance(name, str) and (cls := _class_of(value)) is not None]

    def _value(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Name) and node.id in self.assigned:
            node = self.assigned[node.id]
        return self.ev.eval(node, self.scope).value


# -- helpers --------------------------------------------------------------------------------------


def _self_ev(owner: DefRef) -> Ev:
    return Ev(Obj(owner))


def _class_of(value: Any) -> DefRef | None:
    if isinstance(value, Instance):
        return value.cls
    if isinstance(value, DefRef) and value.is_class:
        return value
    return None


def _path_ids(fn: ast.AST, inherited: int, key: str | None, any_name: bool = False) -> str:
    """`/{node_ident}` when a method takes an id from the path beyond those it inherits: an argument
    it requires, named like an id or as `get_one`'s (Watcher's `patch(self, audit, patch)`); body
    arguments (`put(self, node_ident, boot_device)` under /boot_device) are not in the path."""
    rest = _required(fn)[inherited:]
    if rest and (any_name or rest[0] == key or _ID.search(rest[0])):
        return f"/{{{rest[0]}}}"
    return ""


def _required(fn: ast.AST) -> list[str]:
    """Positional parameters without a default, after `self`."""
    args = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)][1:]
    return args[:len(args) - len(fn.args.defaults)] if fn.args.defaults else args


def _decorators(fn: ast.AST) -> list[tuple[str, ast.AST]]:
    return [(_name(d.func if isinstance(d, ast.Call) else d), d) for d in fn.decorator_list]


def _exposed(fn: ast.AST) -> bool:
    return any("expose" in name or name == "when" for name, _ in _decorators(fn))


def _is_generic(fn: ast.AST) -> bool:
    return any(isinstance(d, ast.Call) and "expose" in name and any(
        k.arg == "generic" and isinstance(k.value, ast.Constant) and k.value.value is True for k in d.keywords)
        for name, d in _decorators(fn))


def _when(fn: ast.AST) -> tuple[str | None, list[str]]:
    """`@index.when(method='POST')`: the generic method it serves and its verbs."""
    for name, d in _decorators(fn):
        if name == "when" and isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) \
                and isinstance(d.func.value, ast.Name):
            verbs = [k.value.value for k in d.keywords if k.arg == "method" and isinstance(k.value, ast.Constant)]
            return d.func.value.id, [v.upper() for v in verbs if isinstance(v, str)]
    return None, []


def _name(node: ast.AST) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""

