"""Small questions the summariser asks of one AST node: pure functions, no state."""

from __future__ import annotations

import ast


def abstract(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the function only declares itself: its body (a docstring aside) raises NotImplementedError."""
    body = node.body[1:] if node.body and isinstance(node.body[0], ast.Expr) \
        and isinstance(node.body[0].value, ast.Constant) else node.body
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def mentions(node: ast.AST | None, name: str) -> bool:
    return node is not None and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def last_name(node: ast.AST) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def line_slice(lines: list[str], index: int, start: int, end: int | None) -> str:
    """Columns of a line; ast columns are UTF-8 byte offsets, so non-ASCII lines are sliced as bytes."""
    line = lines[index] if index < len(lines) else ""
    if line.isascii():
        return line[start:end]
    return line.encode("utf-8")[start:end].decode("utf-8", "replace")
