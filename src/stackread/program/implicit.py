"""Calls the code makes without writing them: the dunders a statement or operator runs.

`for x in obj` runs `obj.__iter__` (and `__next__` on what it returns, mostly the object itself),
`with obj` its `__enter__` and `__exit__`, `obj[k]` `__getitem__` (`__setitem__` when assigned),
`a + b` `a.__add__`, `a == b` `a.__eq__`, `x in c` `c.__contains__`, `len(obj)` `__len__`, and
`raise Error` makes an Error (its `__init__`). Only the dunders of classes in the tree count: a
library type's are not calls of the program, and a site whose object is not known gives nothing.
These are edges of the call graph only; a flow (`trace`) walks the calls as written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from stackread.program.facts import ModuleFacts, Scope

if TYPE_CHECKING:
    from stackread.program.resolve import Program


def defined_dunders(program: Program) -> frozenset[str]:
    """The dunder names some class of the tree defines: the only implicit sites worth resolving."""
    names = set()
    for definition in program.defs.values():
        name = definition.qualname.rpartition(".")[2]
        if name.startswith("__") and name.endswith("__") and definition.kind != "class":
            names.add(name)
    return frozenset(names)


def implicit_calls(program: Program, module: ModuleFacts, dunders: frozenset[str]
                   ) -> Iterator[tuple[str, str, int, bool]]:
    """(scope, callee, line, certain) for each dunder a site of the module runs."""
    known: dict[tuple[str, str], frozenset] = {}  # a name subscripted ten times in a function is resolved once
    for scope_name, dunder, expr, line in module.implicit():
        if dunder not in dunders:
            continue
        scope = Scope(module, scope_name)
        if isinstance(expr, str):
            values = known.get((scope_name, expr))
            if values is None:
                values = known[(scope_name, expr)] = program.values.resolve(dotted_expr(expr), scope)
        else:
            values = program.values.resolve(expr, scope)
        for value in sorted(values):
            if dunder == "__init__":  # `raise Error`: a class made there
                if value[0] == "cls":
                    for target, certain, _self, _exact in program.calls.constructor(value[1]):
                        if target != value[1]:
                            yield scope_name, target, line, certain
                continue
            if value[0] != "inst":
                continue
            names = (dunder, "__next__") if dunder == "__iter__" else (dunder,)
            for name in names:
                _owner, member = program.classes.find_member(value[1], name)
                if member is None or member.kind != "method":
                    continue
                for target, certain, _self, _exact in program.calls.targets(("meth", member.full, value[1]) + value[2:]):
                    yield scope_name, target, line, certain


def dotted_expr(dotted: str) -> list:
    """"x" or "x.y" as the summary's expression (sites keep these short)."""
    name, _, attribute = dotted.partition(".")
    return ["a", ["n", name], attribute] if attribute else ["n", name]
