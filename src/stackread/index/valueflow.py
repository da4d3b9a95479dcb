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
            found.append((expr[-1], False))
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
