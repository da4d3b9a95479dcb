"""What a decorated name is bound to when it is called: `@deco def f` makes `f()` call what `deco(f)`
returns (its `wrapper`), and the wrapper calls f through its parameter (program.params binds the
decorator's parameter to f at the decoration). Stacked decorators apply bottom up; `@retry(3)` is what
`retry(3)` returns applied to f; a decorator class is instantiated with f and its `__call__` runs.

A decorator from outside the tree (`functools.lru_cache`, `six.wraps`), a builtin one (property,
classmethod, staticmethod, abc) or one whose result cannot be resolved leaves the function itself:
nothing is lost where nothing is known.

The values of the engine keep the function itself (`self.build_and_run_instance` is the manager
method: RPC endpoints and `trace` walk into its body); only the call graph asks for the wrappers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackread.program.depth import Guard
from stackread.program.facts import EMPTY, Definition, ModuleFacts, Scope, Value

if TYPE_CHECKING:
    from stackread.program.values import Values

_BUILTIN = frozenset({"property", "classmethod", "staticmethod", "setter", "getter", "deleter", "abstractmethod",
                      "abstractproperty", "wraps", "cached_property"})
_CALLABLE = ("func", "meth", "cls", "inst", "part")


class Decorators:
    def __init__(self, modules: dict[str, ModuleFacts], defs: dict[str, Definition], guard: Guard, values: Values):
        self.modules = modules
        self.defs = defs
        self.guard = guard
        self.values = values
        self._memo: dict[tuple, frozenset] = {}
        self._chains: dict[str, tuple[str, ...]] = {}  # function -> the decorators' definitions applied to it

    def applied(self, value: Value) -> frozenset:
        """What calling a function value runs once its decorators are applied (the value itself if none apply)."""
        definition = self.defs.get(value[1])
        if definition is None or not definition.decorators or definition.kind == "class":
            return frozenset({value})
        key = ("decorated", value)
        found = self.guard.cached(self._memo, key, lambda: self._applied(definition, value))
        return found or frozenset({value})

    def chain(self, function_full: str) -> tuple[str, ...]:
        """The definitions of the decorators applied to the function (after `applied`)."""
        return self._chains.get(function_full, ())

    def wraps(self, caller_full: str, function_full: str) -> bool:
        """Whether the caller is (inside) one of the function's own decorators: there the wrapped function
        is called itself (`wrapper` calling `func(*args)`), not wrapped again."""
        return any(caller_full == d or caller_full.startswith(d + ".") for d in self._chains.get(function_full, ()))

    def _applied(self, definition: Definition, value: Value) -> frozenset:
        module = self.modules[definition.module]
        scope = Scope(module, definition.qualname.rpartition(".")[0])
        current = frozenset({value})
        applied: list = ["n", definition.qualname.rpartition(".")[2]]
        for decorator in reversed(definition.decorators):
            if _last_name(decorator) in _BUILTIN:
                continue
            call = ["c", decorator, [applied], {}]
            results: set = set()
            for deco in sorted(self.values.resolve(decorator, scope)):
                if deco[0] in _CALLABLE:
                    self._chains[definition.full] = self._chains.get(definition.full, ()) + _owners(deco)
                    results |= {v for v in self.values.call_result(deco, call, scope) if v[0] in _CALLABLE}
            if results:
                current = frozenset(results)
            applied = call
        return current if current != frozenset({value}) else EMPTY


def _last_name(expr: list) -> str:
    if expr[0] == "c":
        expr = expr[1]
    return expr[1] if expr[0] == "n" else expr[2] if expr[0] == "a" else ""


def _owners(value: Value) -> tuple[str, ...]:
    """The definitions a decorator value runs in: the function, or the class (its `__init__`, `__call__`)."""
    if value[0] == "part":
        return _owners(value[1])
    return (value[1],)
