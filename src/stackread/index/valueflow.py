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
        if kind in ("n", "a", "p"):
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


# What the function's own body reads of a name without running into a nested scope: those read on
# their own and what a closure or class sees later.
_OWN_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_ASSIGNING = (ast.Assign, ast.AnnAssign, ast.AugAssign)


def rebound_parameters(node: ast.FunctionDef | ast.AsyncFunctionDef, names: list[str]) -> dict[str, tuple]:
    """The parameters the function binds again, each with where a read of it can still only see what
    was passed: (position of its first binding, the span of the value that binding assigns, the spans
    of the loops that bind it). `controller_name = controller or 'images'` before
    `controller = getattr(client, controller_name)` reads the parameter, not the attribute."""
    wanted = {n for n in names if not n.startswith("*")}
    if not wanted:
        return {}
    own: set[str] = set()  # bound by a comprehension: its own variable there, not told apart, left out
    stores: dict[str, list] = {}
    loops: list[tuple[tuple, set]] = []
    stack: list[tuple[ast.AST, ast.AST | None, list]] = [(stmt, None, []) for stmt in node.body]
    while stack:
        current, statement, within = stack.pop()
        if isinstance(current, _OWN_SCOPES):
            continue
        if isinstance(current, ast.stmt):
            statement = current
        if isinstance(current, _LOOPS):
            loop: tuple = (_span(current), set())
            loops.append(loop)
            within = within + [loop]
        if isinstance(current, ast.comprehension):
            own.update(n.id for n in ast.walk(current.target) if isinstance(n, ast.Name))
        if isinstance(current, ast.Name) and current.id in wanted and isinstance(current.ctx, ast.Store):
            stores.setdefault(current.id, []).append((current.lineno, current.col_offset, statement))
            for _span_of, bound in within:
                bound.add(current.id)
        stack.extend((child, statement, within) for child in ast.iter_child_nodes(current))
    found = {}
    for name, places in stores.items():
        if name in own:
            continue
        line, col, statement = min(places, key=lambda p: (p[0], p[1]))
        value = statement.value if isinstance(statement, _ASSIGNING) and statement.value is not None else None
        found[name] = ((line, col), _span(value) if value is not None else None,
                       tuple(span for span, bound in loops if name in bound))
    return found


def reads_as_passed(rebound: tuple, node: ast.Name) -> bool:
    """Whether a read of a rebound parameter (`rebound_parameters`) can only see what was passed: before
    its first binding, or in the value that binding assigns, and in no loop that binds it again."""
    first, value, loops = rebound
    at = (node.lineno, node.col_offset)
    if not (at < first or value is not None and _inside(at, value)):
        return False
    return not any(_inside(at, loop) for loop in loops)


def _span(node: ast.AST) -> tuple:
    return (node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0)


def _inside(at: tuple, span: tuple) -> bool:
    return (span[0], span[1]) <= at < (span[2], span[3])
