"""The summary's facts about values in containers and code run without a call written (issue 14).

A part of index.summary's one pass over a module (its _Summarizer inherits this): containers built
literally or by comprehension, slices, strings made of parts, what grows a container
(`x.append(v)`, `x[k] = v`), and the dunders statements and operators run (`for`, `with`, `[]`,
`+`, `==`, `in`, `len()`, `raise`). The encodings are listed in index.summary's docstring.
"""

from __future__ import annotations

import ast

_MAX_ITEMS = 64  # elements of a literal kept, as index.summary keeps dict entries
_BINARY = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__", ast.Div: "__truediv__",
           ast.FloorDiv: "__floordiv__", ast.Mod: "__mod__", ast.BitOr: "__or__", ast.BitAnd: "__and__",
           ast.MatMult: "__matmul__", ast.Pow: "__pow__"}
_COMPREHENSIONS = frozenset({ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp})
_SEQUENCES = {ast.List: "list", ast.Tuple: "tuple", ast.Set: "set"}
_GROWS = frozenset({"append", "add", "insert", "extend", "update", "setdefault"})


class DataFacts:
    """Methods of the summarizer; they use its scope, encoder, context and lists of facts."""
    scope: str
    self_name: str | None
    implicit: list[list]
    yields: list[list]
    grows: list[list]

    def _implicit_in(self, node: ast.AST, kind: type) -> None:
        """What an expression runs or binds besides its calls: dunders, comprehension names, yields."""
        if kind is ast.Subscript:
            if isinstance(node.ctx, ast.Load):
                self._implicit("__getitem__", node.value, False)
        elif kind is ast.BinOp:
            dunder = _BINARY.get(type(node.op))
            if dunder:
                self._implicit(dunder, node.left)  # `Money(1) + Money(2)`: an operand made right there too
        elif kind is ast.Compare:
            left = node.left
            for op, right in zip(node.ops, node.comparators):
                if isinstance(op, (ast.In, ast.NotIn)):
                    self._implicit("__contains__", right)
                elif isinstance(op, (ast.Eq, ast.NotEq)):
                    self._implicit("__eq__" if isinstance(op, ast.Eq) else "__ne__", left)
                left = right
        elif kind in _COMPREHENSIONS:
            self._comprehension(node)
        elif kind is ast.Yield:
            self.yields.append([self.scope, self.enc(node.value) if node.value is not None else ["k", None]])
        elif kind is ast.YieldFrom:
            self.yields.append([self.scope, ["iter", self.enc(node.value)]])

    def _grow(self, container: ast.AST, key: list | None, value: ast.AST) -> None:
        """`x[key] = v`, `x.append(v)` (key None), `x.extend(v)` (key ["*"]), `x.update(v)` (key ["**"]):
        what the container named x (or self.x) is given, wherever it was made."""
        if isinstance(container, ast.Name):
            name = container.id
        elif isinstance(container, ast.Attribute) and isinstance(container.value, ast.Name) \
                and self.self_name and container.value.id == self.self_name:
            name = f"self.{container.attr}"
        else:
            return
        self.grows.append([self.scope, name, key, self.enc(value), self._context_id()])

    def _implicit(self, dunder: str, node: ast.AST, made: bool = True) -> None:
        """A dunder the code runs without naming it; only on names, attributes and (with `made`) calls:
        a literal's dunders are the builtins', and operands are mostly names (the summary stays small)."""
        if isinstance(node, ast.Name):  # the common case, kept short: a name or `x.y` as dotted text
            self.implicit.append([self.scope, dunder, node.id, node.lineno])
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            self.implicit.append([self.scope, dunder, f"{node.value.id}.{node.attr}", node.lineno])
        elif isinstance(node, ast.Attribute) or made and isinstance(node, ast.Call):
            self.implicit.append([self.scope, dunder, self.enc(node), node.lineno])

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        # A comprehension's names are bound in the enclosing scope, as Python 2 did: a call in it
        # (`[h() for h in handlers]`) is recorded there, and its names mean what they iterate.
        for generator in node.generators:
            self._implicit("__iter__", generator.iter)
            self._assign(generator.target, None, generator.iter.lineno, ["iter", self.enc(generator.iter)])

    def _call_data(self, node: ast.Call) -> None:
        """What a call grows (`x.append(v)`) or runs besides itself (`len(x)`: __len__)."""
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _GROWS and node.args:
            method, first = func.attr, node.args[0]
            if method in ("append", "add"):
                self._grow(func.value, None, first)
            elif method in ("insert", "setdefault") and len(node.args) > 1:
                self._grow(func.value, None if method == "insert" else self.enc(first), node.args[1])
            elif method in ("extend", "update"):
                self._grow(func.value, ["*"] if method == "extend" else ["**"], first)
        elif isinstance(func, ast.Name) and func.id == "len" and len(node.args) == 1:
            self._implicit("__len__", node.args[0])

    def visit_Raise(self, node: ast.Raise) -> None:
        self.generic_visit(node)
        if isinstance(node.exc, (ast.Name, ast.Attribute)):
            self._implicit("__init__", node.exc)  # `raise Error` makes an Error

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.generic_visit(node)
        self._rebound.store(node.target, None, self.context)  # `version += 1` binds it again too
        if isinstance(node.op, ast.Add):
            self._grow(node.target, ["*"], node.value)  # `handlers += [f]`

    def enc_data(self, node: ast.AST, depth: int) -> list | None:
        """The container, slice and string forms of an expression; None for the others."""
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
                and type(node.operand.value) in (int, float):
            return ["k", -node.operand.value]  # `handlers[-1]`
        sequence = _SEQUENCES.get(type(node))
        if sequence and len(node.elts) <= _MAX_ITEMS:
            return ["l", sequence, [["*", self.enc(e.value, depth + 1)] if isinstance(e, ast.Starred)
                                    else self.enc(e, depth + 1) for e in node.elts]]
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            self._rebound.own.update(n.id for g in node.generators for n in ast.walk(g.target)
                                     if isinstance(n, ast.Name))  # the comprehension's own variables
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return ["l", "set" if isinstance(node, ast.SetComp) else "list", [self.enc(node.elt, depth + 1)], 0]
        if isinstance(node, ast.DictComp):
            return ["d", [[self.enc(node.key, depth + 1), self.enc(node.value, depth + 1)]], 0]
        if isinstance(node, ast.Slice):
            return ["sl", self.enc(node.lower, depth + 1) if node.lower else ["k", None],
                    self.enc(node.upper, depth + 1) if node.upper else ["k", None]]
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            return ["fmt", "+" if isinstance(node.op, ast.Add) else "%",
                    [self.enc(node.left, depth + 1), self.enc(node.right, depth + 1)]]
        if isinstance(node, ast.JoinedStr):
            return ["fmt", "f", [self.enc(v.value if isinstance(v, ast.FormattedValue) else v, depth + 1)
                                 for v in node.values[:_MAX_ITEMS]]]
        return None


def unpacked(targets: list[ast.expr], whole: list) -> list[tuple[ast.expr, list]]:
    """Each target of `a, *b, c = whole` with the expression it is bound to: an index, or a slice for
    the starred one (indices after it count from the end)."""
    star = next((i for i, t in enumerate(targets) if isinstance(t, ast.Starred)), None)
    found = []
    for i, target in enumerate(targets):
        if star is None or i < star:
            key = ["k", i]
        elif i == star:
            after = len(targets) - i - 1
            key = ["sl", ["k", i], ["k", -after] if after else ["k", None]]
        else:
            key = ["k", i - len(targets)]
        found.append((target, ["i", whole, key]))
    return found
