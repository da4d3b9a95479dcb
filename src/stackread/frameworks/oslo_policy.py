"""oslo.policy defaults in code: who `context.can('compute:servers:resize:cross_cell', fatal=False)` lets through.

A project declares its rules as `policy.RuleDefault('admin_api', 'is_admin:True')` or
`policy.DocumentedRuleDefault(name=CROSS_CELL_RESIZE, check_str=base.RULE_NOBODY, ...)` (Nova's
nova/policies/, Cinder's cinder/policies/); names and check strings are module constants a few
hops away, read with the same evaluator as option defaults. A check string is decided only where
it does not depend on who asks: `!` lets nobody through, `@` (or an empty string) everybody;
`rule:NAME` reads the named rule; `and`, `or`, `not` and parentheses combine them. `role:admin`
or `project_id:%(project_id)s` depend on the caller: None, the check stays open.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property

from stackread.program.evaluate import UNKNOWN, Evaluator, Scope
from stackread.program.modules import ModuleIndex
from stackread.source.observed import scan

_RULE_CALL = re.compile(rb"RuleDefault\(")
_TOKEN = re.compile(r"\(|\)|[^\s()]+")


@dataclass(frozen=True)
class PolicyDef:
    name: str
    check_str: str
    path: str
    line: int


@dataclass(frozen=True)
class PolicyRules:
    """The rules a tree declares in code, by name: what PolicyIndex reads, as the cache keeps it."""

    rules: dict[str, PolicyDef]


def may_declare_rules(data: bytes) -> bool:
    """The byte test of a file that may declare a rule: the others are never parsed for one."""
    return _RULE_CALL.search(data) is not None


class PolicyIndex:
    """The policy-in-code defaults of a tree, with `--set-policy NAME=RULE` over them. `kept`: the
    rules `declared` read of the same tree before (flows/scenario.py keeps them by what they read)."""

    def __init__(self, index: ModuleIndex, packages: list[str], overrides: dict[str, str] | None = None,
                 kept: PolicyRules | None = None):
        self.index = index
        self.packages = packages
        self.overrides = dict(overrides or {})
        self.evaluator = Evaluator(index)
        self._kept = kept

    @cached_property
    def rules(self) -> dict[str, PolicyDef]:
        return (self._kept or self.declared()).rules

    def declared(self) -> PolicyRules:
        """The rules read from the tree: the files that pass the byte test, parsed, their
        RuleDefault calls evaluated (a scan: a file that fails it is observed as failing it)."""
        found: dict[str, PolicyDef] = {}
        files = self.index.python_files(self.packages)
        for path in scan(self.index.tree, files, [may_declare_rules])[may_declare_rules]:
            module = self.index.get(self.index.module_name(path))
            if module is None:
                continue
            for node in ast.walk(module.tree):
                if isinstance(node, ast.Call) and _call_name(node).endswith("RuleDefault"):
                    rule = self._rule(module, node)
                    if rule is not None:
                        found.setdefault(rule.name, rule)
        return PolicyRules(found)

    def _rule(self, module, node: ast.Call) -> PolicyDef | None:
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        name_node = node.args[0] if node.args else keywords.get("name")
        check_node = node.args[1] if len(node.args) > 1 else keywords.get("check_str")
        if name_node is None or check_node is None:
            return None
        name = self.evaluator.eval(name_node, Scope(module)).value
        check = self.evaluator.eval(check_node, Scope(module)).value
        if not isinstance(name, str) or not isinstance(check, str):
            return None
        return PolicyDef(name, check, module.path, node.lineno)

    def check_str(self, name: str) -> str | None:
        if name in self.overrides:
            return self.overrides[name]
        rule = self.rules.get(name)
        return rule.check_str if rule else None

    def allows(self, name: str) -> bool | None:
        """Whether the rule lets everybody (True) or nobody (False) through; None when it depends on who asks."""
        return self._allows(name, frozenset())

    def _allows(self, name: str, seen: frozenset) -> bool | None:
        check = self.check_str(name)
        if check is None or name in seen:
            return None
        return self.evaluate(check, seen | {name})

    def evaluate(self, check: str, seen: frozenset = frozenset()) -> bool | None:
        tokens = _TOKEN.findall(check)
        if not tokens:
            return True  # an empty check string: anybody
        value, rest = self._or(tokens, seen)
        return value if not rest else None

    # A small recursive descent over `a or b and not (c)`, three-valued (None: depends on the caller).
    def _or(self, tokens: list[str], seen) -> tuple[bool | None, list[str]]:
        value, tokens = self._and(tokens, seen)
        while tokens and tokens[0] == "or":
            other, tokens = self._and(tokens[1:], seen)
            value = True if value is True or other is True else (None if None in (value, other) else False)
        return value, tokens

    def _and(self, tokens: list[str], seen) -> tuple[bool | None, list[str]]:
        value, tokens = self._not(tokens, seen)
        while tokens and tokens[0] == "and":
            other, tokens = self._not(tokens[1:], seen)
            value = False if value is False or other is False else (None if None in (value, other) else True)
        return value, tokens

    def _not(self, tokens: list[str], seen) -> tuple[bool | None, list[str]]:
        if not tokens:
            return None, []
        if tokens[0] == "not":
            value, tokens = self._not(tokens[1:], seen)
            return (None if value is None else not value), tokens
        if tokens[0] == "(":
            value, tokens = self._or(tokens[1:], seen)
            return value, tokens[1:] if tokens and tokens[0] == ")" else tokens
        return self._atom(tokens[0], seen), tokens[1:]

    def _atom(self, atom: str, seen) -> bool | None:
        if atom == "!":
            return False
        if atom == "@":
            return True
        kind, _sep, what = atom.partition(":")
        if kind == "rule":
            return self._allows(what, seen)
        return None


def policy_name(evaluator: Evaluator, module, node: ast.AST):
    """The rule name a `can(...)` checks, as a string, or UNKNOWN."""
    value = evaluator.eval(node, Scope(module)).value
    return value if isinstance(value, str) else UNKNOWN


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
