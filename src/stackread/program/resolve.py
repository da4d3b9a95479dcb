"""The whole program, resolved from its per-module summaries: the one object every reader asks.

It owns the engine's parts, one concern each, and answers through them:
- program.names: what a name means in a scope, imports and re-exports, dotted names;
- program.classes: bases, MRO, members, subclasses and what instance attributes hold;
- program.values: what an expression can be (attributes, calls, returns, tables, options);
- program.params: what a parameter holds, from every call site of its function;
- program.stars: what `*args`/`**kwargs` hold, and whether a function handed in them is called;
- program.calls: what a call site runs, dispatched to overrides;
- program.callgraph: all of it as one call graph;
and program.depth's Guard keeps the recursion they share finite and within the stack.
"""

from __future__ import annotations

from typing import Callable, Iterable

from stackread.diagnostics import Diagnostics
from stackread.program.callgraph import Stats, build_callgraph
from stackread.program.calls import Calls, Target
from stackread.program.classes import Classes
from stackread.program.depth import Guard
from stackread.program.facts import EMPTY, Definition, ModuleFacts, Scope, Value, enclosing_class
from stackread.program.graph import CallGraph
from stackread.program.names import Names
from stackread.program.params import Parameters
from stackread.program.stars import StarParameters
from stackread.program.values import OptionLookup, Values


class Program:
    def __init__(self, modules: Iterable[ModuleFacts] | dict[str, ModuleFacts], options: OptionLookup | None = None,
                 dispatch_excludes: Callable[[str], bool] = lambda name: False, skipped: Iterable[str] = (),
                 diagnostics: Diagnostics | None = None):
        # A mapping as it is: program.ondemand's summarises its modules when first asked for.
        self.modules = modules if isinstance(modules, dict) else {m.name: m for m in modules}
        self.skipped = frozenset(skipped) - self.modules.keys()  # modules of the tree not in the program
        self.diagnostics = diagnostics if diagnostics is not None else Diagnostics()  # chains cut short
        self.defs: dict[str, Definition] = {}
        for module in self.modules.values():
            for definition in module.defs.values():
                self.defs[definition.full] = definition
        guard = Guard(self.diagnostics)
        self.values = Values(self.modules, self.defs, guard, options)
        self.names = Names(self.modules, self.skipped, guard, self.values)
        self.classes = Classes(self.modules, self.defs, guard, self.values, self.names)
        self.values.names, self.values.classes = self.names, self.classes  # see Values
        self.params = Parameters(self.modules, self.defs, guard, self.values, self.classes)
        self.values.bind_path = self.params.bind
        self.stars = StarParameters(self.modules, self.defs, guard, self.values, self.classes, self.params)
        self.follow_parameters = True
        self.calls = Calls(self.modules, self.defs, guard, self.values, self.classes, self.params, dispatch_excludes,
                           self.stars)
        self.stats = Stats()
        # The tree's concrete values read from the AST (program.constants), for a Program on demand.
        self.constants = None

    @property
    def follow_parameters(self) -> bool:
        """Whether a parameter holds what every call site passes (program.params). Off, it holds only what
        `Scope.args` binds: `trace`'s walk reads parameters through the literal arguments of its own call
        path (flows/walker.py), and every caller's values would lead one wrapper everywhere any caller's
        does. Set before resolving."""
        return self.names.parameter == self.params.value

    @follow_parameters.setter
    def follow_parameters(self, follow: bool) -> None:
        self.names.parameter = self.params.value if follow else (lambda function_full, name: EMPTY)
        self.names.star = self.stars.value if follow else (lambda function_full, name: EMPTY)
        # A function handing back its parameter returns what each caller passed: on the same switch.
        self.values.bind = self.params.bind if follow else (lambda scope, record, function_full: ())
        self.values.on_path = False

    def follow_parameters_of(self, followed: Callable[[str], bool]) -> None:
        """`follow_parameters` for the functions `followed` says (by dotted name) only; the others' hold
        what `Scope.args` binds. A client library read beside a tree keeps what its constructors are
        handed by every caller, while the calling tree's `context` does not lead through all of it; a
        call read on one path returns what the function makes of that call's arguments, and a parameter
        bound again holds what was passed where it can (index.summary's ["n", name, "p"], Names.name). Only
        here: read so by the whole program, those two rules meet its memoised cycles in another order
        and move ~100 of Nova 34's call-graph edges (measured 2026-12-03), some real ones lost."""
        value, star, bind = self.params.value, self.stars.value, self.params.bind
        self.names.parameter = lambda function_full, name: value(function_full, name) if followed(function_full) else EMPTY
        self.names.star = lambda function_full, name: star(function_full, name) if followed(function_full) else EMPTY
        self.values.bind = lambda scope, record, function_full: bind(scope, record, function_full) \
            if followed(function_full) else ()
        self.values.on_path = True  # a call read on one path returns what its arguments make

    def forget_values(self) -> None:
        """Drop every answer memoised that depends on how parameters are read: switched between
        `follow_parameters` and `follow_parameters_of`, each reads its own."""
        values = self.values
        for memo in (values._resolved, values._local_resolved, values._returns, values.containers._elements,
                     self.classes._instance_attrs, self.params._memo, self.stars._memo, self.calls.decorators._memo):
            memo.clear()

    @property
    def branch_taken(self) -> Callable[[ModuleFacts, int], bool] | None:
        """Whether a branch is taken under a configuration (see Names.branch_taken); set before resolving."""
        return self.names.branch_taken

    @branch_taken.setter
    def branch_taken(self, taken: Callable[[ModuleFacts, int], bool] | None) -> None:
        self.names.branch_taken = taken

    # What the frameworks and flows ask; each answer is one part's.

    def resolve(self, expr: list, scope: Scope) -> frozenset:
        return self.values.resolve(expr, scope)

    def option_value(self, value: Value) -> str | None:
        return self.values.option_value(value)

    def module_attr(self, module_name: str, name: str) -> frozenset:
        return self.names.module_attr(module_name, name)

    def resolve_dotted(self, dotted: str) -> frozenset:
        return self.names.resolve_dotted(dotted)

    def mro(self, class_full: str) -> list[str]:
        return self.classes.mro(class_full)

    def find_member(self, class_full: str, name: str) -> tuple[str, Definition | None]:
        return self.classes.find_member(class_full, name)

    def all_subclasses(self, class_full: str) -> list[str]:
        return self.classes.all_subclasses(class_full)

    @staticmethod
    def enclosing_class(scope: Scope) -> str | None:
        return enclosing_class(scope)

    def calls_in(self, function_full: str) -> list[list]:
        return self.calls.calls_in(function_full)

    def call_targets_as(self, module: ModuleFacts, record: list, self_class: str | None, self_exact: bool = False,
                        args: tuple = ()) -> tuple[list[Target], list[str]]:
        """What a call site runs; with `args` (from `bind_arguments`), read on the one call path that bound
        its function's parameters so."""
        return self.calls.call_targets_as(module, record, self_class, self_exact, args=args)

    def bind_arguments(self, caller: Scope, record: list, target: str) -> tuple:
        """The (parameter, values) pairs the call site `record` in `caller` binds for `target`: hand them as
        `args` (or `Scope.args`) to read the target's body with this caller's arguments only."""
        return self.params.bind(caller, record, target)

    def set_external_attributes(self, external: str, held: dict[str, list[tuple[Scope, list]]]) -> None:
        """What attributes of the external object `external` (dotted: "pecan.request") hold: attribute ->
        [(scope, expr)] where the project sets them (see Values.external_attrs); set before resolving."""
        self.values.external_attrs[external] = held

    def build(self) -> CallGraph:
        return build_callgraph(self, self.stats)
