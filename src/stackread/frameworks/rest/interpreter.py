"""The small abstract interpreter the Routes reader runs a router's set-up code with.

Values beyond the evaluator's literals (instances of the tree's classes, bound methods,
`functools.partial`, local helper functions with the locals they see, the `self` a router
fills in) and the statements that matter to routing: assignments, loops over literal tables,
both branches of a condition (unless it is an `isinstance` test of a value held), calls of the
tree's functions up to a small depth. Mapper and extension calls are handed to the reader.
Nothing of the analysed code is imported or run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from stackread.program.evaluate import UNKNOWN, UNKNOWN_EV, DefRef, Ev, Evaluator, ExternalRef, Scope

VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
MAPPER_CALLS = ("resource", "connect", "create_route")
EXTENSION_CALLS = ("ResourceExtension", "ControllerExtension")
_MAX_LOOP = 5000  # rows in one routing table; more means we are interpreting something else
_MAX_CALL_DEPTH = 4


# -- values the interpreter knows beyond literals -------------------------------------------------


@dataclass(frozen=True, eq=False)
class Instance:
    """An object built by calling a class of the tree."""

    cls: DefRef
    args: tuple
    kwargs: dict


@dataclass(frozen=True, eq=False)
class Partial:
    """`functools.partial(func, *args)`: current Nova's controller factories."""

    func: Any
    args: tuple


@dataclass(frozen=True, eq=False)
class Bound:
    """A method of an instance, taken to be called: Trove's `InstanceController().create_resource()`."""

    func: DefRef
    obj: Any


@dataclass(frozen=True, eq=False)
class Closure:
    """A function defined inside the one being run, with the locals it sees."""

    func: DefRef
    env: dict


@dataclass(eq=False)
class Obj:
    """`self` of a router while it sets itself up: its class, and the attributes it assigns
    (`self.resources`)."""

    cls: DefRef | None = None
    attrs: dict = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Controllers:
    """What serves a route: the main controller class and the action controllers merged into it."""

    main: DefRef
    actions: tuple[DefRef, ...] = ()


class RouteEvaluator(Evaluator):
    """The static evaluator, plus instances, partials, `self` attributes and calls of our functions."""

    extends_rules = True

    def __init__(self, index, options=None):
        super().__init__(index, options)
        self.interpreter: Interpreter | None = None

    def attribute(self, base: Any, attr: str) -> Ev:
        if isinstance(base, Obj):
            if attr in base.attrs:
                return Ev(base.attrs[attr])
            found = self.class_attribute(base.cls, attr) if base.cls else None
            return found or UNKNOWN_EV
        if isinstance(base, Instance):
            found = self.class_attribute(base.cls, attr)
            if found is not None and isinstance(found.value, DefRef) and not found.value.is_class:
                return Ev(Bound(found.value, base))
            return found or UNKNOWN_EV
        return super().attribute(base, attr)

    def _eval_Call(self, node: ast.Call, scope: Scope) -> Ev:
        func = node.func
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return UNKNOWN_EV
        if isinstance(func, ast.Attribute) and func.attr in ("items", "keys", "values") and not node.args:
            receiver = self.eval(func.value, scope).value
            if isinstance(receiver, dict):
                return Ev(list(getattr(receiver, func.attr)()))
        if isinstance(func, ast.Name) and func.id in ("dict", "tuple", "list") and func.id not in scope.local \
                and func.id not in scope.module.bindings:
            return self._builtin(func.id, node, scope)
        found = super()._eval_Call(node, scope)
        if found.value is not UNKNOWN:
            return found
        callee = self.eval(func, scope).value
        if not isinstance(callee, (DefRef, Partial, ExternalRef, Bound, Closure)):
            return UNKNOWN_EV
        args = tuple(self.eval(a, scope).value for a in node.args)
        kwargs = {k.arg: self.eval(k.value, scope).value for k in node.keywords}
        if isinstance(callee, Closure) and self.interpreter is not None:
            return self.interpreter.call(callee.func, args, kwargs, callee.env)
        if isinstance(callee, Bound) and self.interpreter is not None:
            bound = self_bound(callee.func, callee.obj)
            return self.interpreter.call(callee.func, (*bound.values(), *args), kwargs)
        if isinstance(callee, DefRef) and callee.is_class:
            return Ev(Instance(callee, args, kwargs))
        if isinstance(callee, DefRef) and self.interpreter is not None:
            return self.interpreter.call(callee, args, kwargs)
        if isinstance(callee, ExternalRef) and callee.name == "functools.partial" and args:
            return Ev(Partial(args[0], args[1:]))
        if isinstance(callee, Partial):
            return Ev(callee)  # calling a controller factory gives the controller it stands for
        return UNKNOWN_EV

    def _builtin(self, name: str, node: ast.Call, scope: Scope) -> Ev:
        args = [self.eval(a, scope).value for a in node.args]
        if name == "dict" and not args:
            return Ev({k.arg: self.eval(k.value, scope).value for k in node.keywords})
        if name in ("tuple", "list") and len(args) <= 1 and not node.keywords:
            items = args[0] if args else ()
            if isinstance(items, (list, tuple)):
                return Ev(tuple(items) if name == "tuple" else list(items))
        return UNKNOWN_EV


# -- the interpreter ------------------------------------------------------------------------------


class Interpreter:
    """Runs a function's statements in order over evaluated values; reports mapper and extension calls."""

    def __init__(self, evaluator: RouteEvaluator, reader: "Any"):
        self.ev = evaluator
        self.reader = reader
        self.depth = 0
        evaluator.interpreter = self

    def run(self, func: DefRef, bound: dict[str, Any], outer: dict[str, Ev] | None = None) -> list[Any]:
        """Run `func` with some parameters bound (in the locals of the function it is defined in, if
        any); the values it returns."""
        node = func.node
        params = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
        env: dict[str, Ev] = dict(outer or {}) | {name: Ev(bound.get(name, UNKNOWN)) for name in params}
        returns: list[Any] = []
        self._block(node.body, Scope(func.module, env), returns)
        return returns

    def call(self, func: DefRef, args: tuple, kwargs: dict, outer: dict[str, Ev] | None = None) -> Ev:
        if self.depth >= _MAX_CALL_DEPTH or not isinstance(func.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return UNKNOWN_EV
        params = [a.arg for a in (*func.node.args.posonlyargs, *func.node.args.args)]
        bound = dict(zip(params, args)) | kwargs
        self.depth += 1
        try:
            returns = [r for r in self.run(func, bound, outer) if r is not UNKNOWN]
        finally:
            self.depth -= 1
        return Ev(returns[0]) if returns else UNKNOWN_EV

    def _block(self, stmts: list[ast.stmt], scope: Scope, returns: list) -> None:
        for stmt in stmts:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                # A helper defined where it is used sees the router's locals: Heat's `connect()`.
                scope.local[stmt.name] = Ev(Closure(DefRef(scope.module, stmt.name, stmt), scope.local))
                continue
            if isinstance(stmt, ast.ClassDef):
                continue
            if isinstance(stmt, (ast.Expr, ast.Assign, ast.Return, ast.AnnAssign)):
                self._calls(stmt, scope)
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and (
                    isinstance(stmt.value.func, ast.Name)
                    and isinstance(scope.local.get(stmt.value.func.id, UNKNOWN_EV).value, Closure)
                    or _hands_the_mapper(stmt.value)):
                # Only local helpers and helpers handed the mapper (Masakari's `self.map_path(mapper,
                # wsgi_resource, '/')`): a call's value is otherwise unused.
                self.ev.eval(stmt.value, scope)
            if isinstance(stmt, ast.Assign):
                value = self.ev.eval(stmt.value, scope).value
                for target in stmt.targets:
                    self._bind(target, value, scope)
            elif isinstance(stmt, ast.Return) and stmt.value is not None:
                returns.append(self.ev.eval(stmt.value, scope).value)
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                items = self.ev.eval(stmt.iter, scope).value
                items = list(items) if isinstance(items, dict) else items  # a dict's keys: Neutron's attribute maps
                if isinstance(items, (list, tuple)) and len(items) <= _MAX_LOOP:
                    for item in items:
                        self._bind(stmt.target, item, scope)
                        self._block(stmt.body, scope, returns)
                else:
                    self._bind(stmt.target, UNKNOWN, scope)
                    self._block(stmt.body, scope, returns)
                self._block(stmt.orelse, scope, returns)
            elif isinstance(stmt, ast.If) and self._known(stmt.test, scope) is not None:
                self._block(stmt.body if self._known(stmt.test, scope) else stmt.orelse, scope, returns)
            elif isinstance(stmt, (ast.If, ast.While)):
                # Both branches: a router declares what it may serve; conditions are configuration.
                # An elif ladder is walked in this loop, not one call deeper per branch.
                while len(stmt.orelse) == 1 and isinstance(stmt.orelse[0], ast.If):
                    self._block(stmt.body, scope, returns)
                    stmt = stmt.orelse[0]
                self._block(stmt.body, scope, returns)
                self._block(stmt.orelse, scope, returns)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                self._block(stmt.body, scope, returns)
            elif isinstance(stmt, ast.Try):
                for body in (stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody):
                    self._block(body, scope, returns)

    def _known(self, test: ast.expr, scope: Scope) -> bool | None:
        """`isinstance(x, str)` of a value the interpreter holds: Heat's `if isinstance(methods, str):
        methods = [methods]` would otherwise wrap a list of verbs once more. Anything else: None."""
        if not (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance"
                and len(test.args) == 2 and isinstance(test.args[1], ast.Name) and test.func.id not in scope.local):
            return None
        kinds = {"str": str, "list": list, "tuple": tuple, "dict": dict}
        value = self.ev.eval(test.args[0], scope).value
        kind = kinds.get(test.args[1].id)
        if kind is None or value is UNKNOWN or isinstance(value, (Instance, Obj, DefRef, Partial, Bound, Closure)):
            return None
        return isinstance(value, kind)

    def _bind(self, target: ast.AST, value: Any, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.local[target.id] = Ev(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            same = isinstance(value, (tuple, list)) and len(value) == len(target.elts)
            for i, element in enumerate(target.elts):
                self._bind(element, value[i] if same else UNKNOWN, scope)
        elif isinstance(target, ast.Attribute):
            owner = self.ev.eval(target.value, scope).value
            if isinstance(owner, Obj):
                owner.attrs[target.attr] = value
        elif isinstance(target, ast.Subscript):
            owner = self.ev.eval(target.value, scope).value
            key = self.ev.eval(target.slice, scope).value
            if owner is UNKNOWN and isinstance(target.value, ast.Attribute):
                # `self.resources['volumes'] = ...` in a method other than the one that made the dict.
                base = self.ev.eval(target.value.value, scope).value
                if isinstance(base, Obj):
                    owner = base.attrs.setdefault(target.value.attr, {})
            if isinstance(owner, dict) and isinstance(key, str):
                owner[key] = value

    def _calls(self, stmt: ast.stmt, scope: Scope) -> None:
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in MAPPER_CALLS and isinstance(func, ast.Attribute) \
                    and "map" in ast.unparse(func.value).lower():
                self.reader.mapper_call(name, node, scope)
            elif name in EXTENSION_CALLS:
                self.reader.extension_call(name, node, scope)

def _hands_the_mapper(call: ast.Call) -> bool:
    """Whether a call passes the mapper on (an argument named for it, as mapper calls are found)."""
    return not (isinstance(call.func, ast.Attribute) and call.func.attr in MAPPER_CALLS) and any(
        isinstance(arg, (ast.Name, ast.Attribute)) and "map" in ast.unparse(arg).lower()
        for arg in (*call.args, *(k.value for k in call.keywords)))


def call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def self_bound(func: DefRef, obj: Any) -> dict[str, Any]:
    """A method's first parameter bound to the object it runs on (static methods have none)."""
    node = func.node
    if any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list):
        return {}
    params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
    return {params[0]: obj} if params else {}


class ClassMembers:
    """What a router reader asks of the tree's classes: methods by name and bases, through the
    evaluator it holds (`self.ev`); `self._members` is its memo, made in its `__init__`."""

    ev: RouteEvaluator
    _members: dict

    def members(self, cls: DefRef) -> dict[str, list[tuple[DefRef, ast.AST]]]:
        """Public and private methods by name, nearest class first; every same-named def of that class
        is kept, since microversioned controllers define one per version range (Magnum's `post`)."""
        if cls.dotted not in self._members:
            members: dict[str, list] = {}
            for owner in self.mro(cls):
                own: dict[str, list] = {}
                for stmt in owner.node.body:
                    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        own.setdefault(stmt.name, []).append((owner, stmt))
                for name, defs in own.items():
                    members.setdefault(name, defs)
            self._members[cls.dotted] = members
        return self._members[cls.dotted]

    def mro(self, cls: DefRef) -> list[DefRef]:
        """The class and its bases, depth first, each once (from a stack: chains may be hundreds deep)."""
        order: list[DefRef] = []
        seen: set[str] = set()
        stack = [cls]
        while stack:
            c = stack.pop()
            if c.dotted in seen:
                continue
            seen.add(c.dotted)
            order.append(c)
            stack.extend(reversed(self.ev.bases(c)))
        return order
