"""Route tables written as one module-level dict: `{path: {VERB: handler_function}}`.

Placement declares its whole API so (`placement/handler.py` ROUTE_DECLARATIONS, which
`make_map` feeds to a Routes mapper): each handler is a plain function, not a controller
method, and a handler defined once per microversion range carries
`@microversion.version_handler(min, max)`; every such def of the name is a row with its bounds,
as Nova's `@api_version` methods are. The table is recognised by its shape, not its name: a dict
whose keys are paths and whose values are dicts of HTTP verbs to functions of the tree.
"""

from __future__ import annotations

import ast
import re

from stackread.frameworks.rest.route import Route
from stackread.frameworks.rest.routes_mapper import VERBS, candidate_files
from stackread.program.evaluate import DefRef, Evaluator, Scope

_TABLE = re.compile(rb"""^\w+\s*=\s*\{\s*(?:#.*)?\n\s*['"]/""", re.MULTILINE)
_VERSION_DECORATORS = ("version_handler",)


def may_declare(data: bytes) -> bool:
    # A substring test first: the line-anchored pattern alone costs as much as the Routes search.
    return (b"'GET'" in data or b'"GET"' in data) and _TABLE.search(data) is not None


def read_routes(project, among: list[str] | None = None) -> list[Route]:
    ev = Evaluator(project.index, project.options)
    routes: list[Route] = []
    for file in candidate_files(project, may_declare, among):
        module = project.index.get_by_path(file)
        if module is None:
            continue
        for stmt in module.tree.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Dict):
                routes += _table(ev, Scope(module), stmt.value)
    return routes


def _table(ev: Evaluator, scope: Scope, table: ast.Dict) -> list[Route]:
    rows: list[tuple[str, str, DefRef, int]] = []
    for key, value in zip(table.keys, table.values):
        path = ev.eval(key, scope).value if key is not None else None
        if not (isinstance(path, str) and (path.startswith("/") or path == "") and isinstance(value, ast.Dict)):
            return []
        for verb_node, handler_node in zip(value.keys, value.values):
            verb = ev.eval(verb_node, scope).value if verb_node is not None else None
            handler = ev.eval(handler_node, scope).value
            if not (isinstance(verb, str) and verb.upper() in VERBS):
                return []
            if not (isinstance(handler, DefRef) and not handler.is_class):
                return []  # not this shape: Nova's ROUTE_LIST rows map verbs to [factory, 'method']
            rows.append((verb.upper(), path or "/", handler, verb_node.lineno))
    routes = []
    for verb, path, handler, line in rows:
        for fn in _definitions(handler):
            low, high = _bounds(ev, handler, fn)
            routes.append(Route(verb, path, None, handler.dotted, handler.module.path, fn.lineno, low, high,
                                scope.module.path, line))
    return routes


def _definitions(handler: DefRef) -> list[ast.AST]:
    """Every module-level def of the handler's name: one per microversion range."""
    if "." in handler.qualname:
        return [handler.node]
    found = [s for s in handler.module.tree.body
             if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == handler.qualname]
    return found or [handler.node]


def _bounds(ev: Evaluator, handler: DefRef, fn: ast.AST) -> tuple[str | None, str | None]:
    for decorator in fn.decorator_list:
        if isinstance(decorator, ast.Call) and isinstance(decorator.func, (ast.Attribute, ast.Name)) \
                and getattr(decorator.func, "attr", getattr(decorator.func, "id", "")) in _VERSION_DECORATORS:
            values = [ev.eval(a, Scope(handler.module)).value for a in decorator.args[:2]]
            low = values[0] if values and isinstance(values[0], str) else None
            high = values[1] if len(values) > 1 and isinstance(values[1], str) else None
            return low, high
    return None, None
