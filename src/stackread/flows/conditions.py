"""Conditions a flow's calls are written under, decided where the configuration can decide them.

A call's context is its if/else/loop/except chain (index/summary). A condition on an oslo.config
option (`CONF.cells.enable`, `not CONF.use_neutron`, `CONF.x == 'direct'`) is evaluated on the
option's default, or on the value `--set group.option=value` gives it; an argument-less call of a
function that returns an option (`utils.is_neutron()`) reads as that option; the literal
arguments of one call path (`live=False`) decide the conditions on parameters. What cannot be
decided is None: neither on nor off the default path.
"""

from __future__ import annotations

import ast
import functools
from typing import Any


class Conditions:
    """Conditions on oslo.config options, evaluated on their defaults: True, False, or None (cannot say)."""

    def __init__(self, options, settings: dict[str, Any], program=None):
        self.options = options
        self.settings = settings
        self.program = program  # to read `is_neutron()`: a function returning an option
        self._memo: dict[tuple[str, str | None], bool | None] = {}
        self._contexts: dict[str, list] = {}

    def holds(self, text: str, arguments: dict[str, Any] | None = None, module=None) -> bool | None:
        """Whether the condition holds under the settings (and the literal arguments of this call path);
        calls of argument-less functions that return an option are read in the module of the condition."""
        node = _parsed(text)
        if node is None:
            return None
        if arguments and names_in(text) & arguments.keys():
            value = self._value(node, arguments, module)
            return bool(value) if value is not _UNKNOWN else None
        key = (text, module.name if module is not None and "(" in text else None)
        if key not in self._memo:
            value = self._value(node, {}, module)
            self._memo[key] = bool(value) if value is not _UNKNOWN else None
        return self._memo[key]

    def branch_taken(self, module, context_index: int) -> bool:
        """For `Program.branch_taken`: an assignment under a branch the settings rule out binds nothing."""
        return self.taken(module, self.contexts(module)[context_index])

    def contexts(self, module) -> list:
        if module.name not in self._contexts:
            self._contexts[module.name] = module.contexts()
        return self._contexts[module.name]

    def taken(self, module, context: list) -> bool:
        """False when an if/else of the context goes the other way under the settings."""
        for kind, text, _line in context:
            holds = self.holds(text, module=module) if kind in ("if", "else") else None
            if holds is not None and (kind == "if") != holds:
                return False
        return True

    def _returned(self, module, func: ast.AST) -> ast.AST | None:
        """What `is_neutron()` stands for: the one expression the function returns, when it is an option."""
        chain = _attribute_chain(func)
        if self.program is None or module is None or not chain:
            return None
        from stackread.program.facts import Scope

        expr: list = ["n", chain[0]]
        for attr in chain[1:]:
            expr = ["a", expr, attr]
        values = [v for v in self.program.resolve(expr, Scope(module, "")) if v[0] == "func"]
        if len(values) != 1 or values[0][1] not in self.program.defs:
            return None
        definition = self.program.defs[values[0][1]]
        owner = self.program.modules[definition.module]
        returns = [e for scope, e, _context in owner.summary["returns"] if scope == definition.qualname]
        if len(returns) != 1:
            return None
        parts, e = [], returns[0]
        while e[0] == "a":
            parts.append(e[2])
            e = e[1]
        return _parsed(".".join([e[1], *reversed(parts)])) if e[0] == "n" and e[1] == "CONF" and parts else None

    def residue(self, text: str, arguments: dict[str, Any]) -> str:
        """The part of a condition the arguments leave open: `not live and not rebuild and flavor`
        with live=False, rebuild=False is `flavor`."""
        node = _parsed(text)
        if node is None or not isinstance(node, ast.BoolOp):
            return text
        keep = [v for v in node.values if self._value(v, arguments) is _UNKNOWN]
        if len(keep) == len(node.values):
            return text
        return ast.unparse(keep[0]) if len(keep) == 1 else ast.unparse(ast.BoolOp(node.op, keep))

    def _value(self, node: ast.AST, arguments: dict[str, Any], module=None) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name) and node.id in arguments:
            return arguments[node.id]
        if isinstance(node, ast.Call) and not node.args and not node.keywords:
            returned = self._returned(module, node.func)
            return self._value(returned, arguments) if returned is not None else _UNKNOWN
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self._value(node.operand, arguments, module)
            return _UNKNOWN if inner is _UNKNOWN else not inner
        if isinstance(node, ast.BoolOp):
            values = [self._value(v, arguments, module) for v in node.values]
            decided = [v for v in values if v is not _UNKNOWN]
            if isinstance(node.op, ast.And):
                return False if any(not v for v in decided) else (_UNKNOWN if len(decided) < len(values) else True)
            return True if any(decided) else (_UNKNOWN if len(decided) < len(values) else False)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = self._value(node.left, arguments, module), self._value(node.comparators[0], arguments, module)
            if left is _UNKNOWN or right is _UNKNOWN:
                return _UNKNOWN
            op = node.ops[0]
            compare = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
                       ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b}.get(type(op))
            return compare(left, right) if compare else _UNKNOWN
        chain = _attribute_chain(node)
        if chain and chain[0] == "CONF" and len(chain) in (2, 3):
            group, name = (chain[1], chain[2]) if len(chain) == 3 else (None, chain[1])
            key = f"{group}.{name}" if group else name
            if key in self.settings:
                return self.settings[key]
            found = self.options.lookup(group, name)
            if found is not None and isinstance(found.value, (bool, int, float, str, type(None))):
                return found.value
        return _UNKNOWN


_UNKNOWN = object()


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> ast.AST | None:
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError:
        return None


@functools.lru_cache(maxsize=4096)
def names_in(text: str) -> frozenset[str]:
    """The plain names a condition reads (`live`, `rebuild`), not attributes of them."""
    node = _parsed(text)
    return frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name)) if node is not None else frozenset()


def _attribute_chain(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None
