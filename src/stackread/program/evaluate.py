"""The readers' evaluator: the entry-point, service and route readers' client of the engine.

What a module constant, a class-body value or an option default is worth is the engine's answer
(program.constants), learned once per tree and shared by every reader of it. What is a reader's
own is kept here: the console script it reads for (SCRIPT_NAME is that script's name), and the local
names of the function bodies it follows, evaluated when first used.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from stackread.program.constants import (SCRIPT_NAME, UNKNOWN, UNKNOWN_EV, ConfRef, ConstantEvaluator, DefRef, Ev,
                                         ExternalRef, ModuleRef, OptionLookup, Scope)
from stackread.program.modules import Module, ModuleIndex
from stackread.program.ondemand import program_on_demand

__all__ = ["SCRIPT_NAME", "UNKNOWN", "UNKNOWN_EV", "ConfRef", "DefRef", "Ev", "Evaluator", "ExternalRef",
           "LazyLocals", "ModuleRef", "OptionLookup", "Scope"]


class Evaluator(ConstantEvaluator):
    """The engine's rules, asking the tree's store (program.constants) first: a reader evaluates by
    itself only what depends on what it sees differently (its script's name, its own rules)."""

    def __init__(self, index: ModuleIndex, options: OptionLookup | None = None, script_name: str | None = None):
        store = program_on_demand(index).constants.evaluator(options)
        super().__init__(index, options, script_name, store=store)


@dataclass(frozen=True)
class _Pending:
    node: ast.AST
    env: "LazyLocals"


class LazyLocals(dict):
    """Local names evaluated on first use: most assignments in a service factory (host,
    report_interval, ...) never matter to the question asked, and each may cost option lookups."""

    def __init__(self, evaluator: "Evaluator", module: Module):
        super().__init__()
        self.evaluator = evaluator
        self.module = module

    def assign(self, name: str, node: ast.AST) -> None:
        super().__setitem__(name, _Pending(node, self.snapshot()))

    def snapshot(self) -> "LazyLocals":
        copy = LazyLocals(self.evaluator, self.module)
        dict.update(copy, self)
        return copy

    def __getitem__(self, name: str) -> Ev:
        value = super().__getitem__(name)
        if isinstance(value, _Pending):
            value = self.evaluator.eval(value.node, Scope(self.module, value.env))
            super().__setitem__(name, value)
        return value

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

