"""What a function's `*args` and `**kwargs` hold, and whether a function handed in them is called there.

`def call_all(*funcs)` called as `call_all(first, second)` holds the tuple of what every call site
passes from that position on (a starred argument's elements too); `def execute(**kwargs)` called
as `execute(callback=on_done)` holds the dict of the keywords no named parameter takes (a forwarded
`**kw`'s entries too). Both are containers (program.containers), so `for f in funcs`, `kwargs['cb']`
and `kwargs.get('cb')` read them as any container is read.

A function handed in them is called where the function calls it: through a name bound from them
(`for func in funcs: func()`, `callback = kwargs['callback']`), an entry called right there
(`kwargs['cb']()`), or by the function they are forwarded to (`inner(**kwargs)`, whose parameter
`callback` is called); otherwise the caller keeps the edge, as for a named parameter (program.calls).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackread.program.containers import Box
from stackread.program.depth import Guard
from stackread.program.facts import EMPTY, Definition, ModuleFacts, Scope

if TYPE_CHECKING:
    from stackread.program.classes import Classes
    from stackread.program.params import Parameters
    from stackread.program.values import Values

_READERS = frozenset({"get", "pop", "setdefault"})  # `kwargs.get('cb')`
# Call sites beyond which a star parameter is a shared helper's (`NovaException(**kwargs)`, raised from
# 1500 places): its entries would tie all those callers' values together, at a cost; not followed.
_MAX_SITES = 32
# Nesting of the engine's chains beyond which a star parameter not yet read is left empty. Nova's chains
# run hundreds deep, near the stack's limit; following `*args` from there (every caller's arguments, each
# resolved in its own scope) made other chains cut short, and Nova lost 600 resolved call sites.
_SHALLOW = 16


class StarParameters:
    def __init__(self, modules: dict[str, ModuleFacts], defs: dict[str, Definition], guard: Guard,
                 values: Values, classes: Classes, params: Parameters):
        self.modules = modules
        self.defs = defs
        self.guard = guard
        self.values = values
        self.classes = classes
        self.params = params
        self._memo: dict[tuple, frozenset] = {}
        self._calls: dict[tuple, bool] = {}
        self._decoded: dict[str, list[list]] = {}

    def value(self, function_full: str, param: str) -> frozenset:
        """What `*args` / `**kwargs` (named with its stars) holds: one container of every site's arguments."""
        key = ("star", function_full, param)
        found = self._memo.get(key)
        if found is None and len(self.guard.active) > _SHALLOW:
            return EMPTY  # asked deep in a chain: not followed from there (see _SHALLOW)
        return found if found is not None else self.guard.memoised(self._memo, key, lambda: self._value(function_full, param))

    def _value(self, function_full: str, param: str) -> frozenset:
        definition = self.defs.get(function_full)
        if definition is None or param not in definition.params:
            return EMPTY
        params = definition.params
        keywords = param.startswith("**")
        named = {p for p in params if not p.startswith("*")}
        start = params.index(param)
        items: list = []
        sites = self.params.sites(function_full)
        if len(sites) > _MAX_SITES:
            return EMPTY
        for site in sites:
            module, scope_name, args, kwargs, offset = site[:5]
            scope = Scope(module, scope_name)
            if keywords:
                for keyword, arg in kwargs.items():
                    if keyword == "**":
                        items.append((("**",), ("e", arg[1], scope)))  # `f(**other)`: other's entries
                    elif keyword not in named:
                        items.append((("v", frozenset({("str", keyword)})), ("e", arg, scope)))
                continue
            for at, arg in enumerate(args):
                if arg[0] == "*":
                    items.append((None, ("*", arg[1], scope)))
                elif at + offset >= start:
                    items.append((None, ("e", arg, scope)))
        box = Box("dict" if keywords else "tuple", tuple(items), 0)
        return frozenset({self.values.containers.make(("star", function_full, param), box)})

    def calls_argument(self, function_full: str, offset: int, position: int | None, keyword: str | None) -> bool | None:
        """Whether the function calls what an argument (at `position` after `offset` filled parameters, or
        by `keyword`) hands it in its `*args`/`**kwargs`; None when the argument does not land in one."""
        definition = self.defs.get(function_full)
        if definition is None:
            return None
        params = definition.params
        if keyword is not None:
            if keyword in params:
                return None
            star = next((p for p in params if p.startswith("**")), None)
            return None if star is None else self.calls(function_full, star, keyword)
        at = position + offset
        index = next((i for i, p in enumerate(params) if p.startswith("*") and not p.startswith("**")), None)
        if index is None or at < index:
            return None
        return self.calls(function_full, params[index], at - index)

    def calls(self, function_full: str, param: str, key: str | int) -> bool:
        """Whether the function calls entry `key` (a keyword, or an index into `*args`) of its star parameter."""
        memo = (function_full, param, key)
        found = self._calls.get(memo)
        if found is None:
            self._calls[memo] = False  # a cycle back here: not called on that way
            found = self._calls[memo] = self._calls_entry(self.defs[function_full], param, key)
        return found

    def _calls_entry(self, definition: Definition, param: str, key: str | int) -> bool:
        module = self.modules[definition.module]
        qual, name = definition.qualname, param.lstrip("*")
        inside = lambda scope: scope == qual or scope.startswith(qual + ".")  # noqa: E731
        aliases = {var for scope, names in module.bindings.items() if inside(scope)
                   for var, records in names.items()
                   if any(r[0] == "assign" and _entry_of(r[1], name, key) for r in records)}
        calls = [call for call in self._module_calls(module) if inside(call[0])]
        if any(call[1][0] == "n" and call[1][1] in aliases or _entry_of(call[1], name, key) for call in calls):
            return True
        starred = ["*", ["n", name]]
        for call in calls:
            if param.startswith("**") and call[6].get("**") == starred:
                where: list = [(None, key)]
            elif not param.startswith("**") and starred in call[5]:
                where = [(call[5].index(starred) + key, None)]
            else:
                continue
            for value in sorted(self.values.resolve(call[1], Scope(module, call[0]))):
                for called, offset in self.params.called(value):
                    for position, keyword in where:
                        if self._called_there(called, offset, position, keyword):
                            return True
        return False

    def _module_calls(self, module: ModuleFacts) -> list[list]:
        """Every call record of the module (`kwargs['cb']()` too, whose callee has no name), decoded once."""
        found = self._decoded.get(module.name)
        if found is None:
            found = self._decoded[module.name] = module.calls()
        return found

    def _called_there(self, function_full: str, offset: int, position: int | None, keyword: str | None) -> bool:
        inner = self.params.param_at(function_full, offset, position, keyword)
        if inner is not None:
            return self.params.calls_parameter(function_full, inner) and not self.params.shared(function_full, inner)
        return bool(self.calls_argument(function_full, offset, position, keyword))


def _entry_of(expr: list, name: str, key: str | int) -> bool:
    """Whether the expression reads entry `key` of the container `name` (any entry when not known)."""
    if expr[0] == "iter":
        return expr[1] == ["n", name]
    if expr[0] == "i":
        base, index = expr[1], expr[2]
    elif expr[0] == "c" and expr[1][0] == "a" and expr[1][2] in _READERS and expr[2]:
        base, index = expr[1][1], expr[2][0]
    else:
        return False
    if base != ["n", name]:
        return False
    return index[0] not in ("s", "k") or index[1] == key
