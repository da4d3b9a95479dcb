"""What the default scenario makes of a function's locals and of the arguments it passes.

`needs_device_returned = not api_version_request.is_supported(req, '2.101')` and, a call later,
`do_cast=not needs_device_returned`: the summary (index/summary) keeps neither expression (a `not` is
none of its kinds), so they are read from the function's own AST, the tree's ModuleIndex parsing
each module once. Only functions that may read the scenario are read so: those whose module calls
one of its checks (`is_supported`, `can`, an assumed predicate) or that are handed a value it gave.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from stackread.flows.scenario import BODY, SET, Assumed

_HELD = (bool, int, str, type(None))
_OPEN = object()  # a local's value the default path does not decide


class Values:
    def __init__(self, conditions, program):
        self.conditions = conditions
        self.program = program
        scenario = conditions.scenario
        self.index = scenario.index if scenario is not None else None
        self.names = frozenset({"is_supported", "matches", "can", *scenario.assumed}) if scenario is not None else frozenset()
        self._functions: dict[str, ast.AST | None] = {}
        self._calls: dict[str, dict[tuple[int, int], ast.Call]] = {}

    def reads_scenario(self, module) -> bool:
        return self.index is not None and bool(self.names.intersection(module.summary.get("callee_names", ())))

    def function(self, function: str) -> ast.AST | None:
        """The function's definition node, found by its qualname in its module's AST."""
        if function not in self._functions:
            self._functions[function] = self._find(function)
        return self._functions[function]

    def _find(self, function: str) -> ast.AST | None:
        definition = self.program.defs.get(function)
        if definition is None or self.index is None:
            return None
        own = self.index.function_node(definition.module, definition.qualname.rpartition(".")[2],
                                       definition.line, definition.end)
        if own is not None:
            return own
        source = self.index.get(definition.module)
        if source is None:
            return None
        body, node = source.tree.body, None
        for part in definition.qualname.split("."):
            node = next((n for n in reversed(body) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                      ast.ClassDef)) and n.name == part), None)
            if node is None:
                return None
            body = node.body
        return node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None

    def locals(self, function: str, module, arguments: dict[str, Any], state: dict) -> dict[str, Any]:
        """Locals bound once in the function to what the scenario decides, as Assumed values."""
        node = self.function(function) if self.reads_scenario(module) or arguments else None  # literal ones too
        if node is None:
            return {}
        bound: dict[str, list[ast.AST | None]] = {}
        for part in _own_nodes(node):
            if isinstance(part, ast.Assign) and len(part.targets) == 1 and isinstance(part.targets[0], ast.Name):
                bound.setdefault(part.targets[0].id, []).append(part.value)
            elif isinstance(part, ast.Name) and isinstance(part.ctx, ast.Store):
                bound.setdefault(part.id, []).append(None)  # bound otherwise too (for, with, unpacking)
        found: dict[str, Any] = {}
        params = set(self.program.defs[function].params) if function in self.program.defs else set()
        pending = {}
        for name, values in bound.items():
            # An Assign's target is a Store Name too: one Assign is two entries, value and None.
            assigned = [v for v in values if v is not None]
            if len(assigned) == 1 and len(values) == 2 and name not in arguments and name not in params:
                pending[name] = assigned[0]
        # A local made of another (`method_name = '.'.join((resource, action, 'end'))` of `action`): rounds.
        for _round in range(4):
            progressed = False
            for name, value in list(pending.items()):
                known = {**arguments, **found}
                decided = self._decided(value, module, known, state) or self._literal(value, module, known, state)
                if decided is not None:
                    found[name] = decided.value if isinstance(decided, _Literal) else decided
                    del pending[name]
                    progressed = True
            if not progressed:
                break
        for name, values in bound.items():
            if name not in found and name not in arguments and name not in params and len(values) > 2:
                decided = self._unless_rebound(node, name, module, {**arguments, **found}, state)
                if decided is not None:
                    found[name] = decided
        return found

    def _unless_rebound(self, function: ast.AST, name: str, module, known: dict[str, Any],
                        state: dict) -> Assumed | None:
        """A local set to a literal, then set again only under `if`s the scenario decides: it holds
        what the last binding on the decided way gives (`force = False`, then `if force_flag is not
        None: force = ...` with the flag absent from the body: False; `is_local_delete = True`, then
        under the taken `if instance.host is not None:` `is_local_delete = not service_is_up(...)`:
        False). A `try` runs its body (its handlers are the error path). Read only where every use
        of the local comes after its last binding."""
        local = _Local(name, module, known, state, [])
        value = self._run(function.body, local, _OPEN)
        lines = [(n.lineno, isinstance(n.ctx, ast.Store)) for n in _own_nodes(function)
                 if isinstance(n, ast.Name) and n.id == name]
        last = max((line for line, store in lines if store), default=0)
        if value is _OPEN or any(line < last for line, store in lines if not store):
            return None
        return Assumed(value, tuple(dict.fromkeys(local.labels))) if local.labels and isinstance(value, _HELD) else None

    def _run(self, statements: list, local: "_Local", value: Any) -> Any:
        """The local's value past these statements (`_OPEN`: not known), as the default path runs them."""
        for statement in statements:
            if not any(isinstance(n, ast.Name) and n.id == local.name and isinstance(n.ctx, ast.Store)
                       for n in ast.walk(statement)):
                continue
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
                    isinstance(statement.targets[0], ast.Name):
                if isinstance(statement.value, ast.Constant):
                    value = statement.value.value
                    continue
                if value is _OPEN:  # set first to what the scenario says: not this rule's (locals)
                    return _OPEN
                value, used = self.conditions.value(statement.value, local.known, local.module, local.state)
            elif isinstance(statement, ast.If):
                taken, used = self.conditions.value(statement.test, local.known, local.module, local.state)
                if not isinstance(taken, _HELD) and taken is not SET:
                    return _OPEN
                value = self._run(statement.body if taken else statement.orelse, local, value)
            elif isinstance(statement, ast.Try):
                value, used = self._run(statement.body + statement.orelse + statement.finalbody, local, value), ()
            else:
                return _OPEN
            if value is _OPEN or not isinstance(value, _HELD):
                return _OPEN
            local.labels.extend(used)
        return value

    def _literal(self, node: ast.AST, module, arguments: dict[str, Any], state: dict) -> "_Literal | None":
        """A local computed from the path's literal arguments alone is a literal of the path too:
        `action = event.replace('after_', '')` with event='after_create' (a registry callback's)."""
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - {"self"}  # its objects: state
        if not names or any(n not in arguments or isinstance(arguments[n], Assumed) for n in names):
            return None
        value, labels = self.conditions.value(node, arguments, module, state)
        return _Literal(value) if not labels and (isinstance(value, _HELD) or value is SET) else None

    def rebound(self, function: str, module, arguments: dict[str, Any], state: dict) -> list[tuple[int, str, Any]]:
        """(line, parameter, value) where the function's own body rebinds a parameter of the path's
        arguments, unconditionally (`method_name = method_name.replace(".", "_")`): past that line it
        holds the value (None: no longer known), not what the caller passed."""
        node = self.function(function) if arguments else None
        found = []
        for part in node.body if node is not None else ():
            if isinstance(part, ast.Assign) and len(part.targets) == 1 and isinstance(part.targets[0], ast.Name) \
                    and part.targets[0].id in arguments:
                name = part.targets[0].id
                decided = self._decided(part.value, module, arguments, state) or \
                    self._literal(part.value, module, arguments, state)
                found.append((part.lineno, name, decided.value if isinstance(decided, _Literal) else decided))
        return found

    def argument(self, caller: str, record: list, parameter: tuple[str, int | None],
                 arguments: dict[str, Any], state: dict) -> Assumed | None:
        """The scenario's value of one argument the call site passes (`do_cast=not needs_device_returned`):
        the parameter's (name, position), the position None when it is passed by keyword."""
        name, position = parameter
        call = self._call_at(caller, record[2], record[3])
        module = self.program.modules[self.program.defs[caller].module]
        if call is None:
            return None
        node = next((k.value for k in call.keywords if k.arg == name), None)
        if node is None and position is not None and position < len(call.args):
            node = call.args[position]
        return self._decided(node, module, arguments, state) if node is not None else None

    def keys_passed(self, keywords: dict, caller) -> set[str] | None:
        """The keywords a call passes, a `**kwargs` dict's keys among them where the caller (a
        Definition) builds it with literal keys only (Cinder's `kwargs['snapshot'] = ...`, then
        `create(..., **kwargs)`): what it leaves out has its default. None: a `**` may pass any."""
        passed = set(keywords) - {"**"}
        if "**" not in keywords:
            return passed
        if caller is None:
            return None
        from stackread.program.facts import Scope

        scope = Scope(self.program.modules[caller.module], caller.qualname)
        containers = self.program.values.containers
        values = self.program.resolve(keywords["**"][1], scope)
        if not values or any(v[0] != "box" or containers.boxes[v[1]].kind != "dict" or
                             any(key is None or key == ("**",) for key, _v in containers.boxes[v[1]].items)
                             for v in values):
            return None
        keys = {k for v in values for k in containers.keys(v[1])}
        if not all(k[0] == "str" for k in keys) or not self._kept_local(caller.full, keywords["**"][1]):
            return None
        return passed | {k[1] for k in keys}

    def _kept_local(self, function: str, expr: list) -> bool:
        """`kwargs` is a local the function only indexes, `.get`s and hands on as `**kwargs`: no other
        function can add a key (Nova's `create_kwargs` goes to each extension, which may)."""
        node = self.function(function) if expr[0] == "n" else None
        if node is None:
            return False
        parents = {id(child): part for part in _own_nodes(node) for child in ast.iter_child_nodes(part)}
        for use in _own_nodes(node):
            if not (isinstance(use, ast.Name) and use.id == expr[1]) or isinstance(use.ctx, ast.Store):
                continue
            parent = parents.get(id(use))
            if isinstance(parent, ast.Subscript) or isinstance(parent, ast.keyword) and parent.arg is None:
                continue
            if isinstance(parent, ast.Attribute) and parent.attr == "get":
                continue
            return False
        return True

    def _call_at(self, function: str, line: int, col: int) -> ast.Call | None:
        if function not in self._calls:
            node = self.function(function)
            self._calls[function] = {(c.lineno, c.col_offset): c for c in _own_nodes(node)
                                     if isinstance(c, ast.Call)} if node is not None else {}
        calls = self._calls[function]
        return calls.get((line, col)) or next((c for (ln, _c), c in calls.items() if ln == line), None)

    def _decided(self, node: ast.AST, module, arguments: dict[str, Any], state: dict) -> Assumed | None:
        value, labels = self.conditions.value(node, arguments, module, state)
        if value is BODY:  # `server = body['server']`: the body's parts are the body's
            return Assumed(value, labels)
        return Assumed(value, labels) if labels and isinstance(value, _HELD) else None


@dataclass(frozen=True)
class _Literal:
    value: Any


@dataclass(frozen=True)
class _Local:
    """A local read through the function's statements: where, with what known, and the labels used."""

    name: str
    module: Any
    known: dict
    state: dict
    labels: list


def _own_nodes(function: ast.AST):
    """The nodes of a function's body, not those of functions or classes defined inside it."""
    todo = list(function.body)
    while todo:
        node = todo.pop()
        yield node
        todo.extend(child for child in ast.iter_child_nodes(node)
                    if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)))
