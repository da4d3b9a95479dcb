"""Endpoints that answer message names through `__getattr__`, by a prefix of the name.

oslo.messaging's dispatcher asks `hasattr(endpoint, method)`, so a name the endpoint class does
not define still lands when its `__getattr__` returns something for it. The shape read here is a
manager that forwards `<prefix><sep><action>` to an object a loader builds from the prefix:

    def __getattr__(self, name):
        manager, sep, method = name.partition('_')
        task_strategy = strategy.load_taskmanager_strategy(manager)
        return task_strategy.task_manager_manager_actions.get(method)

- the prefix and the rest are bound from `name.partition(sep)` (or `name.split(sep, 1)`);
- a returned lookup of the rest (`X.get(rest)`, `X[rest]`, `getattr(X, rest)`) in an object, or in
  an attribute of an object, that a call made with the prefix returns;
- that call's function picks an oslo.config group by its parameter at run time
  (`CONF.get(manager).get('taskmanager_strategy')`, `CONF[manager].opt`): each group that declares
  the option is a prefix the name can have, and its option's default names the class built.
The names answered are each group's prefix, the separator and each key of the mapping (each public
method, for `getattr`); anything else raises AttributeError there, and the dispatcher finds nothing.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from stackread.frameworks.rpc_values import Reader, runtime_group
from stackread.program.facts import Scope

_memo: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Forwarding:
    """What an endpoint class's `__getattr__` answers."""

    cls: str  # the endpoint class
    path: str  # where its `__getattr__` is
    line: int
    separator: str
    names: tuple[tuple[str, str], ...]  # (message name, dotted function returned for it)

    def served(self, name: str) -> str | None:
        return next((function for answered, function in self.names if answered == name), None)

    def reading(self, name: str) -> str:
        """How the `__getattr__` reads a name it does not answer, for a reason text."""
        prefix, _sep, rest = name.partition(self.separator)
        answered = ", ".join(f"{n} ({'.'.join(f.split('.')[-2:])})" for n, f in self.names) or "no name"
        return (f"__getattr__ ({self.path}:{self.line}) splits {name} at {self.separator!r} into {prefix!r} "
                f"and {rest!r}, and answers only {answered}")


def forwarding(program, cls: str) -> Forwarding | None:
    """The names the class's `__getattr__` answers, or None when it has none of the shape above."""
    memo = _memo.setdefault(program, {})
    if cls not in memo:
        memo[cls] = _read(program, cls)
    return memo[cls]


def _read(program, cls: str) -> Forwarding | None:
    _owner, member = program.find_member(cls, "__getattr__")
    if member is None or member.kind != "method" or len(member.params) < 2:
        return None
    module = program.modules[member.module]
    scope = Scope(module, member.qualname, self_class=cls)
    bindings = module.bindings.get(member.qualname, {})
    split = _split(bindings, member.params[1])
    if split is None:
        return None
    separator, prefixes, rests = split
    names: list[tuple[str, str]] = []
    for returning, expr, _context in module.summary["returns"]:
        if returning != member.qualname:
            continue
        looked = _lookup(expr, rests)
        if looked is None:
            continue
        holder, by_attribute = looked
        base, attributes = _base_name(holder)
        if base is None:
            continue
        for made in (r[1] for r in bindings.get(base, []) if r[0] == "assign"):
            for prefix, classes in _loaded(program, made, prefixes, scope):
                for loaded in classes:
                    for key, function in _answers(program, loaded, attributes, by_attribute):
                        if (prefix + separator + key, function) not in names:
                            names.append((prefix + separator + key, function))
    return Forwarding(cls, module.path, member.line, separator, tuple(sorted(names)))


def _split(bindings: dict, name: str) -> tuple[str, set[str], set[str]] | None:
    """(separator, the names holding the prefix, those holding the rest) of `name.partition(sep)`."""
    separator = None
    prefixes: set[str] = set()
    rests: set[str] = set()
    for bound, records in bindings.items():
        for record in records:
            expr = record[1] if record[0] == "assign" else None
            if not expr or expr[0] != "i" or expr[2][0] != "k" or expr[1][0] != "c":
                continue
            call = expr[1]
            if call[1][0] != "a" or call[1][1] != ["n", name] or not call[2] or call[2][0][0] != "s":
                continue
            how, index = call[1][2], expr[2][1]
            rest_index = 2 if how == "partition" else 1 if how == "split" and _once(call) else None
            if rest_index is None or index not in (0, rest_index):
                continue
            separator = call[2][0][1]
            (prefixes if index == 0 else rests).add(bound)
    return (separator, prefixes, rests) if separator and prefixes and rests else None


def _once(call) -> bool:
    """`name.split(sep, 1)`: the rest is whole."""
    maxsplit = call[2][1] if len(call[2]) > 1 else call[3].get("maxsplit")
    return maxsplit is not None and maxsplit[0] == "k" and maxsplit[1] == 1


def _lookup(expr, rests: set[str]):
    """(the holder, whether by attribute) of `X.get(rest)`, `X[rest]`, `getattr(X, rest)`."""
    def is_rest(e):
        return e[0] == "n" and e[1] in rests

    if expr[0] == "c" and expr[1][0] == "a" and expr[1][2] == "get" and expr[2] and is_rest(expr[2][0]):
        return expr[1][1], False
    if expr[0] == "i" and is_rest(expr[2]):
        return expr[1], False
    if expr[0] == "ga" and is_rest(expr[2]):
        return expr[1], True
    return None


def _base_name(holder) -> tuple[str | None, list[str]]:
    """`task_strategy.task_manager_manager_actions` -> ("task_strategy", ["task_manager_manager_actions"])."""
    attributes: list[str] = []
    while holder[0] == "a":
        attributes.insert(0, holder[2])
        holder = holder[1]
    return (holder[1], attributes) if holder[0] == "n" and holder[1] != "self" else (None, [])


def _loaded(program, made, prefixes: set[str], scope: Scope) -> list[tuple[str, list[str]]]:
    """(prefix, classes built) for each option group the loader call `f(prefix)` can pick."""
    if made[0] != "c":
        return []
    position = next((i for i, arg in enumerate(made[2]) if arg[0] == "n" and arg[1] in prefixes), None)
    if position is None:
        return []
    found = []
    for value in sorted(program.resolve(made[1], scope)):
        loader = program.defs.get(value[1]) if value[0] in ("func", "meth") else None
        if loader is None or value[0] == "meth" and position + 1 >= len(loader.params):
            continue
        parameter = loader.params[position + (1 if value[0] == "meth" else 0)]
        loader_module = program.modules[loader.module]
        for group in _groups(program, loader, parameter):
            pins = {(loader.full, ""): None, (loader.full, parameter): (["s", group], Scope(loader_module, ""))}
            classes = Reader(program, pins).classes(made, scope)
            if classes:
                found.append((group, classes))
    return found


def _groups(program, loader, parameter: str) -> list[str]:
    """The option groups that declare the option the loader reads from `CONF.get(parameter)` or
    `CONF[parameter]`: the values its parameter can usefully hold."""
    options = getattr(program.values, "options", None)
    if options is None or not hasattr(options, "definitions"):
        return []
    module = program.modules[loader.module]
    scope = Scope(module, loader.qualname)
    exprs = [r[1] for records in module.bindings.get(loader.qualname, {}).values() for r in records if r[0] == "assign"]
    exprs += [expr for returning, expr, _context in module.summary["returns"] if returning == loader.qualname]
    names: set[str] = set()
    for expr in exprs:
        names |= _options_read(program, expr, parameter, scope)
    return sorted({d.group for name in sorted(names) for d in options.definitions(name) if d.group})


def _options_read(program, expr, parameter: str, scope: Scope) -> set[str]:
    """Option names read as `G.get('opt')` or `G.opt` with G the group the parameter names."""
    found: set[str] = set()
    if not isinstance(expr, list) or not expr:
        return found
    if expr[0] == "c" and expr[1][0] == "a" and expr[1][2] == "get" and expr[2] and expr[2][0][0] == "s" \
            and runtime_group(program, expr[1][1], scope) == ["n", parameter]:
        found.add(expr[2][0][1])
    elif expr[0] == "a" and runtime_group(program, expr[1], scope) == ["n", parameter]:
        found.add(expr[2])
    for part in expr[1:]:
        if isinstance(part, list):
            found |= _options_read(program, part, parameter, scope)
            if part and isinstance(part[0], list):
                for item in part:
                    found |= _options_read(program, item, parameter, scope)
        elif isinstance(part, dict):
            for item in part.values():
                found |= _options_read(program, item, parameter, scope)
    return found


def _answers(program, cls: str, attributes: list[str], by_attribute: bool) -> list[tuple[str, str]]:
    """(key, dotted function) of the mapping `cls().<attributes>` holds, or, looked up by `getattr`
    on the object itself, its public methods."""
    definition = program.defs.get(cls)
    if definition is None:
        return []
    if by_attribute:
        if attributes:
            return []
        found = []
        for owner in program.mro(cls):
            owner_def = program.defs.get(owner)
            if owner_def is None:
                continue
            for qual, member in program.modules[owner_def.module].defs.items():
                parent, _, name = qual.rpartition(".")
                if parent == owner_def.qualname and member.kind == "method" and not name.startswith("_") \
                        and all(name != key for key, _f in found):
                    found.append((name, member.full))
        return found
    if len(attributes) != 1:
        return []
    reader = Reader(program)
    scope = Scope(program.modules[definition.module], definition.qualname, self_class=cls)
    found = []
    for expr, expr_scope in reader._attribute_sources(attributes[0], scope):
        if expr[0] != "d":
            continue
        for key, value in expr[1]:
            texts = sorted(reader.strings(key, expr_scope)) if key is not None else []
            functions = sorted(v[1] for v in program.resolve(value, expr_scope) if v[0] in ("func", "meth"))
            if len(texts) == 1 and functions:
                found.append((texts[0], functions[0]))
    return found
