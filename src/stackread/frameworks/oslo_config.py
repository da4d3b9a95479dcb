"""oslo.config options: the default of `CONF.compute_topic` or `CONF.conductor.topic`, read from source.

An option is declared as `cfg.StrOpt('topic', default='conductor')` inside a list, and
the list gets its group where it is registered: `conf.register_opts(opts, group=conductor_group)`
with `conductor_group = cfg.OptGroup('conductor')`, or `group='cells'`. Only files that
mention the option's name are parsed, so a lookup costs a few files, not the tree. Each option
keeps what `--set` checks a value against: its class (IntOpt, BoolOpt, ...), literal choices and bounds.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property

from stackread.program.evaluate import UNKNOWN, Ev, Evaluator, OptionLookup, Scope
from stackread.program.modules import Module, ModuleIndex

_REGISTER = frozenset({"register_opts", "register_opt", "register_cli_opts", "register_cli_opt"})
_OPT_CALL = re.compile(rb"[A-Za-z]Opt\(")
DEFAULT_GROUP = "DEFAULT"


def declares_options(data: bytes) -> bool:
    return b"Opt(" in data and _OPT_CALL.search(data) is not None


@dataclass(frozen=True)
class OptionDef:
    group: str | None  # None: declared, but registered somewhere this module does not show
    name: str
    default: Ev
    path: str
    line: int
    kind: str = "Opt"  # the declaring class: IntOpt, BoolOpt, StrOpt, ... ("Opt": the type is not known)
    choices: tuple | None = None  # the values it allows, when the source lists them as literals
    minimum: int | float | None = None
    maximum: int | float | None = None
    ignore_case: bool = False  # choices compare case-insensitively


class OptionIndex(OptionLookup):
    def __init__(self, index: ModuleIndex, packages: list[str]):
        self.index = index
        self.packages = packages
        self.evaluator = Evaluator(index)  # option defaults are literals; no options needed for them
        self._by_module: dict[str, list[OptionDef]] = {}
        self._lookups: dict[tuple[str | None, str], Ev | None] = {}

    @cached_property
    def _option_files(self) -> dict[str, bytes]:
        """Source of every non-test file that declares options at all."""
        from stackread.source.observed import scan

        files = scan(self.index.tree, self.index.python_files(self.packages), [declares_options])[declares_options]
        return {path: self.index.tree.read_bytes(path) for path in files}

    def definitions(self, name: str) -> list[OptionDef]:
        quoted = (f"'{name}'".encode(), f'"{name}"'.encode())
        found: list[OptionDef] = []
        for path, data in self._option_files.items():
            if quoted[0] in data or quoted[1] in data:
                found += [opt for opt in self._module_options(path) if opt.name == name]
        return found

    def all_options(self) -> list[OptionDef]:
        """Every option the tree declares (parses every file that declares any: for suggestions)."""
        return [opt for path in self._option_files for opt in self._module_options(path)]

    def lookup(self, group: str | None, name: str) -> Ev | None:
        key = (group, name)
        if key not in self._lookups:
            self._lookups[key] = self._lookup(group or DEFAULT_GROUP, name)
        return self._lookups[key]

    def _lookup(self, group: str, name: str) -> Ev | None:
        candidates = self.definitions(name)
        exact = [opt for opt in candidates if opt.group == group]
        if exact:
            return exact[0].default
        unplaced = [opt for opt in candidates if opt.group is None]
        if len(unplaced) == 1:
            return unplaced[0].default
        return None

    def _module_options(self, path: str) -> list[OptionDef]:
        if path not in self._by_module:
            module = self.index.get(self.index.module_name(path))
            self._by_module[path] = self._scan(module) if module else []
        return self._by_module[path]

    def _scan(self, module: Module) -> list[OptionDef]:
        holders = _opt_holders(module.tree)
        groups = self._registered_groups(module, holders)
        options = []
        for node in ast.walk(module.tree):
            if not _is_opt_call(node):
                continue
            name = _opt_name(node)
            if name is None:
                continue
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            value = self._literal(module, keywords.get("default"))
            # A value from an option points at the option's declaration: that is what a reader opens.
            default = Ev(value, module.path, node.lineno)
            group = groups.get(id(node))
            options.append(OptionDef(group, name, default, module.path, node.lineno, _call_name(node),
                                     _choices(self._literal(module, keywords.get("choices"))),
                                     _number(self._literal(module, keywords.get("min"))),
                                     _number(self._literal(module, keywords.get("max"))),
                                     self._literal(module, keywords.get("ignore_case")) is True))
        return options

    def _literal(self, module: Module, node: ast.AST | None):
        return self.evaluator.eval(node, Scope(module)).value if node is not None else None

    def _registered_groups(self, module: Module, holders: dict[str, set[int]]) -> dict[int, str]:
        """id(opt call) -> group, from the register calls in the module (or its list_opts table)."""
        groups: dict[int, str] = {}
        for node in ast.walk(module.tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _REGISTER):
                continue
            if not node.args:
                continue
            group_node = next((k.value for k in node.keywords if k.arg == "group"), node.args[1] if len(node.args) > 1 else None)
            group = self._group_name(module, group_node)
            if group is None:
                continue
            for call_id in _opt_calls_in(node.args[0], holders):
                groups.setdefault(call_id, group)
        return groups

    def _group_name(self, module: Module, node: ast.AST | None) -> str | None:
        if node is None:
            return DEFAULT_GROUP
        if isinstance(node, ast.Attribute) and node.attr == "name":
            node = node.value
        if isinstance(node, ast.Name):
            for stmt in reversed(module.bindings.get(node.id, [])):
                if isinstance(stmt, ast.Assign):
                    node = stmt.value
                    break
        if isinstance(node, ast.Call) and _call_name(node).endswith("OptGroup"):
            name_node = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
            node = name_node
        if node is None:
            return None
        value = self.evaluator.eval(node, Scope(module)).value
        if value is None:
            return DEFAULT_GROUP
        return value if isinstance(value, str) and value is not UNKNOWN else None


def _opt_holders(tree: ast.Module) -> dict[str, set[int]]:
    """Module-level names bound to lists of options (directly, or as sums/chains of such lists)."""
    holders: dict[str, set[int]] = {}
    assigns = [s for s in tree.body if isinstance(s, ast.Assign)]
    for stmt in assigns:
        calls = {id(n) for n in ast.walk(stmt.value) if _is_opt_call(n)}
        for target in stmt.targets:
            if isinstance(target, ast.Name) and calls:
                holders.setdefault(target.id, set()).update(calls)
    for stmt in assigns:  # ALL_OPTS = opts_a + opts_b, or itertools.chain(...)
        refs = {n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name) and n.id in holders}
        for target in stmt.targets:
            if isinstance(target, ast.Name) and refs:
                merged = set().union(*(holders[r] for r in refs))
                holders.setdefault(target.id, set()).update(merged)
    return holders


def _choices(value) -> tuple | None:
    """`choices=['a', 'b']` or `[('a', 'help'), ...]`; None when any of them is not a literal."""
    if not isinstance(value, (list, tuple)) or not value:
        return None
    found = tuple(item[0] if isinstance(item, tuple) and item else item for item in value)
    return found if all(isinstance(item, (str, int, float, type(None))) for item in found) else None


def _number(value) -> int | float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _opt_calls_in(node: ast.AST, holders: dict[str, set[int]]) -> set[int]:
    found = {id(n) for n in ast.walk(node) if _is_opt_call(n)}
    for name in (n.id for n in ast.walk(node) if isinstance(n, ast.Name)):
        found |= holders.get(name, set())
    return found


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _is_opt_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = _call_name(node)
    return name.endswith("Opt") and name[:1].isupper()


def _opt_name(node: ast.Call) -> str | None:
    name_node = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
    if isinstance(name_node, ast.Constant) and isinstance(name_node.value, str):
        return name_node.value
    return None
