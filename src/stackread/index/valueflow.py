"""Helpers of the summary for values that flow between functions (program.params reads what they record):
a definition's parameter list, and the names a value is reached by."""

from __future__ import annotations

import ast


def params(args: ast.arguments) -> list[str]:
    params = [a.arg for a in args.posonlyargs + args.args]
    if args.vararg:
        params.append("*" + args.vararg.arg)
    params += [a.arg for a in args.kwonlyargs]
    if args.kwarg:
        params.append("**" + args.kwarg.arg)
    return params


def spellings(expr: list) -> list[tuple[str, bool]]:
    """The names a value is reached by, each with whether it is what calling that name returns: `x`,
    `a.x`, `x(...)` (what x returns), `functools.partial(x, ...)` (x itself, pre-bound), `a or x`. A
    filter for which call sites may call a function, never an answer by itself."""
    found: list[tuple[str, bool]] = []
    stack = [expr]
    while stack:
        expr = stack.pop()
        kind = expr[0]
        if kind in ("n", "a"):
            found.append((expr[1] if kind == "n" else expr[-1], False))
        elif kind == "c":
            if callee_name(expr[1]) == "partial" and expr[2]:
                stack.append(expr[2][0])
            elif expr[1][0] in ("n", "a"):
                found.append((expr[1][-1], True))
        elif kind == "either":
            stack.extend(expr[1])
        elif kind == "*" and len(expr) > 1:
            stack.append(expr[1])
    return found


def callee_name(expr: list) -> str:
    return expr[1] if expr[0] == "n" else expr[2] if expr[0] == "a" else ""


class ReboundReads:
    """The parameters a function binds again, and its reads of them in assigned values that can only
    see what was passed: before the first binding (or in the value that binding assigns) and in no
    loop that binds it. `controller_name = controller or 'images'` before `controller = getattr(client,
    controller_name)` reads the parameter. Told by the summary as it walks the body (stores and reads
    in order, loops as the control contexts it is in), then each such read is marked ["n", name, "p"]
    (every other reader still sees the name)."""

    def __init__(self, params: list[str]):
        self.params = frozenset(p for p in params if not p.startswith("*"))
        self.own: set[str] = set()  # bound by a comprehension: its own variable there, not told apart
        self._stores: dict[str, list] = {}  # name -> [(position, value span | None, loops)]
        self._reads: list[tuple] = []  # (name, position, loops, encoded)

    def store(self, target: ast.AST, value: ast.AST | None, context: list) -> None:
        if isinstance(target, ast.Name) and target.id in self.params:
            span = _span(value) if value is not None and hasattr(value, "lineno") else None
            self._stores.setdefault(target.id, []).append(((target.lineno, target.col_offset), span, _loops(context)))

    def read(self, node: ast.Name, encoded: list, context: list) -> None:
        self._reads.append((node.id, (node.lineno, node.col_offset), _loops(context), encoded))

    def finish(self) -> None:
        for name, at, loops, encoded in self._reads:
            stores = self._stores.get(name)
            if not stores or name in self.own:
                continue
            first, value, _loops_of_first = min(stores, key=lambda store: store[0])
            before = at < first or value is not None and (value[0], value[1]) <= at < (value[2], value[3])
            if before and not any(set(loops) & set(store[2]) for store in stores):
                encoded.append("p")


def _loops(context: list) -> tuple:
    return tuple(id(entry) for entry in context if entry[0] == "loop")


def _span(node: ast.AST) -> tuple:
    return (node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0)
