"""One pass over a module's AST, producing the facts whole-program resolution needs.

The summary depends on the file's content alone (not its path or module name), so it is
cached by content hash and shared by every tree and revision that holds the same file.
Everything is JSON: lists rather than tuples, no objects.

Expressions are encoded as small lists:

    ["n", name]                  a name
    ["a", base, attr]            an attribute (also `getattr(base, 'attr')`)
    ["c", func, [args], {kw}]    a call; arguments are encoded only as refs, strings and calls
    ["s", text]                  a string literal
    ["k", value]                 another literal (int, float, bool, None)
    ["i", base, key]             a subscript
    ["d", [[key, value], ...]]   a dict literal (up to 64 entries; larger ones are builtins.dict)
    ["either", [exprs]]          `a or b`, `a and b`, `a if c else b`: any of these values
    ["super"(, class)]           `super()` / `super(Class, self)`
    ["l", kind, [exprs](, 0)]    a list, tuple or set literal (`["*", expr]` a starred element); with 0 a
                                 comprehension or generator: its elements in no known order
    ["iter", expr]               an element of what iterating the expression gives (`for x in expr`)
    ["sl", lower, upper]         a slice (as the key of a subscript)
    ["ga", base, name]           `getattr(base, name)` with a name that is not a literal
    ["fmt", "+" | "%" | "f", [parts]]  a string made of parts: `'do_' + x`, `'x_%s' % y`, f-strings
    ["enter", expr]              what `with expr as x` binds: what the object's `__enter__` returns
    ["*", expr]                  `*expr` / `**expr` as an argument (kwargs["**"] for `**expr`)
    ["n", name, "p"]             in an assigned value: a parameter read where only what was passed can
                                 be there, before the function binds the name again
    ["?"]                        anything else

Besides the call sites, a summary lists what runs without a call written (program.implicit):
"implicit" [scope, dunder, expr or dotted name, line]: `for x in obj` (__iter__), `with obj` (__enter__, __exit__),
`obj[k]` (__getitem__, __setitem__), operators, `len(obj)`, `raise Error` (__init__); "yields"
[scope, expr]; and "grows" [scope, name, key | None, expr, context]: `name.append(expr)`, `name[key] = expr`.

A lambda is a definition of its own, `<lambdaN>` in its enclosing scope (1-based, in the order
they are met), encoded as the name `<lambdaN>`.

Per-module parts that resolution of other modules never reads ("calls", "attr_loads",
"contexts") are stored as JSON text within the summary and decoded when needed; see `summarize`.

A summary may carry "warnings": [[line, message], ...], what was cut short in the file (the
index reports them with the file's path); a summary never fails on deep code: the walk over
expressions and elif ladders is iterative, since generated code nests thousands deep.

Control context of a call (for `trace`: conditions, loops, error paths) is a chain of
["if" | "else" | "loop" | "except" | "finally" | "try", source text, line] entries, stored once
per module in "contexts" and referred to by index.
"""

from __future__ import annotations

import ast
import json
from typing import Any

from stackread.index.astbits import abstract as _abstract, last_name as _last_name, line_slice as _slice, \
    mentions as _mentions
from stackread.index.summary_data import DataFacts, unpacked
from stackread.index.valueflow import ReboundReads, callee_name as _callee_name, params as _params, \
    spellings as _spellings

# 17: `a.b.attr = value` on an object not `self` (a pecan hook's `state.request.rpcapi = ...`)
# 18: `a or b` as a call's argument (Ironic's `prepare(server=host or None)`: where a send is routed)
# 19-21: ["n", name, "p"] in an assigned value: a parameter the function binds again, read before that;
# a try body whose handlers catch NotImplementedError is a ["try", ...] context (a driver's fallback)
FORMAT = 21
_MAX_DEPTH = 12
_MAX_TEXT = 160
_MAX_TABLE = 64
# Control contexts deeper than this (a generated elif ladder) keep their outer entries only: each
# call's chain is stored whole, so a ladder of n branches would cost n*n entries. Nova's deepest is 31.
_MAX_CONTEXT = 64
UNKNOWN = ["?"]
_BUILTIN_DECORATORS = frozenset({"property", "classmethod", "staticmethod", "setter", "getter", "deleter",
                                 "abstractmethod", "wraps"})
# Nodes with nothing below them worth walking: names, literals, and the shared context and operator nodes.
_LEAVES = frozenset({ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del, *ast.operator.__subclasses__(),
                     *ast.unaryop.__subclasses__(), *ast.cmpop.__subclasses__(), *ast.boolop.__subclasses__()})
_LITERAL_TYPES = {ast.List: "list", ast.ListComp: "list", ast.Dict: "dict", ast.DictComp: "dict",
                  ast.Set: "set", ast.SetComp: "set", ast.Tuple: "tuple", ast.JoinedStr: "str"}


def summarize(tree: ast.Module, text: str, bodies: bool = True) -> dict[str, Any]:
    """The module's summary; without `bodies`, its function bodies are left out (see _Outliner)."""
    visitor = _Summarizer(text) if bodies else _Outliner(text)
    visitor.visit_body(tree.body)
    return {
        "format": FORMAT,
        "defs": visitor.defs,
        "imports": visitor.imports,
        "assigns": visitor.assigns,
        "returns": visitor.returns,
        # Call sites are most of a summary and are needed only while their own module's edges are
        # built: kept as JSON text, decoded on demand, they cost a fifth of the memory as objects.
        "calls": json.dumps(visitor.calls, separators=(",", ":")),
        "callee_names": sorted({_callee_name(call[1]) for call in visitor.calls} - {""}),
        "attr_loads": json.dumps(visitor.attr_loads, separators=(",", ":")),
        "attr_stores": json.dumps(visitor.attr_stores, separators=(",", ":")),
        "attr_assigns": visitor.attr_assigns,
        "contexts": json.dumps(visitor.contexts, separators=(",", ":")),
        "implicit": json.dumps(visitor.implicit, separators=(",", ":")),
        "yields": visitor.yields,
        "grows": visitor.grows,
        # Read once per program, only when a parameter's values are asked (program.params).
        "flows": json.dumps(visitor.flows, separators=(",", ":")),
        "globals": visitor.globals,
        "rebound": visitor.rebound(),
        **({"warnings": visitor.warnings} if visitor.warnings else {}),
    }


def _literal_defaults(args: ast.arguments) -> dict[str, Any]:
    """Parameters whose default is a literal (`do_cast=False`): `trace` reads branches on them."""
    positional = args.posonlyargs + args.args
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    return {a.arg: d.value for a, d in pairs
            if isinstance(d, ast.Constant) and (d.value is None or isinstance(d.value, (bool, int, float, str)))}


class _Summarizer(DataFacts, ast.NodeVisitor):
    def __init__(self, text: str):
        self.lines = text.splitlines(keepends=True)
        self.defs: list[list] = []  # [qualname, kind, line, end_line, [decorators], [params], [bases],
        #                             {literal defaults}, {parameter: default expression}, abstract]
        self.imports: list[list] = []  # [scope, local name, module, name | None, level, line]
        self.assigns: list[list] = []  # [scope, target ("x" or "self.x"), expr, line, context index]
        self.returns: list[list] = []  # [scope, expr, context index]; a bare `return` returns None
        self.calls: list[list] = []  # [scope, callee, line, col, context index, [args], {kwargs}]
        self.attr_loads: list[list] = []  # [scope, attr, line(, object)]: `self.attr`, `obj.attr` read without a call
        self.attr_stores: list[list] = []  # the same for `self.attr = v`, `obj.attr = v`: a property's setter
        # [scope, "a.b", attr, expr, line]: `a.b.attr = expr`, an attribute set on an object reached through
        # a name other than self: a framework may know what that object is elsewhere (frameworks.rest.
        # pecan_hooks: a hook's `state.request.x = ...` is the controllers' `pecan.request.x`). Only this
        # two-name shape: `instance.host = ...` (one name) is everywhere in Nova and read by nothing.
        self.attr_assigns: list[list] = []
        self.contexts: list[list] = []
        self.implicit: list[list] = []  # [scope, dunder, expr | "x" | "x.y", line]
        self.yields: list[list] = []  # [scope, expr]
        self.grows: list[list] = []  # [scope, name, key expr | None, value expr, context index]
        # [spelling, into, where]: a value spelled `spelling` may flow into the name `into`: assigned
        # (where ""), returned by the function `into` ("r"), passed to a callee spelled `into` at a
        # position (int) or keyword (str), or decorated by it ("@"); what calling `spelling` returns
        # assigned ("()") or returned ("r()"). program.params follows these to find every name a
        # function is called by; resolution then decides.
        self.flows: list[list] = []
        self.globals: list[list] = []  # [function, name]: `global name` there, so its assignments bind the module's
        self._global_names: set[str] = set()  # declared `global` in the function being walked
        # Module-level name -> [(line, unconditional, supersedes)] of each binding, for `rebound`.
        self._module_bindings: dict[str, list[tuple[int, bool]]] = {}
        self._context_ids: dict[str, int] = {}
        self.scope = ""  # qualname of the enclosing def or class ("" = module level)
        self.scope_kind = "module"
        self.self_name: str | None = None  # first parameter of the enclosing method
        self.context: list[list] = []
        self.warnings: list[list] = []  # [line, message]
        self._lambda_names: dict[int, str] = {}  # id(Lambda node) -> its qualname, given at first sight
        self._lambda_counts: dict[str, int] = {}  # scope -> lambdas named in it so far
        # Reads in an assigned value of a parameter bound again, and whether one is encoded (ReboundReads).
        self._rebound = ReboundReads([])
        self._in_value = False

    def visit(self, node: ast.AST) -> None:
        # Expressions are walked without recursion: `a + a + ...`, `x.f().f()...` nest as deep as
        # ast builds them (~3000). Statements nest at most 100 deep (Python's indentation limit),
        # elif ladders aside, which visit_If walks in a loop.
        if isinstance(node, ast.expr):
            self._walk_expression(node)
        else:
            super().visit(node)

    def _walk_expression(self, root: ast.expr) -> None:
        """Calls and `self.attr` loads in an expression, in the order a recursive visit meets them."""
        stack: list[ast.AST] = [root]
        while stack:
            node = stack.pop()
            kind = type(node)
            if kind in _LEAVES:
                continue
            if kind is ast.Call:
                children = self._call(node)
            elif kind is ast.Lambda:
                children = self._lambda(node)
            elif kind is ast.Attribute:
                self._attribute_load(node)
                children = [node.value]
            else:
                self._implicit_in(node, kind)
                children = list(ast.iter_child_nodes(node))
            stack.extend(reversed(children))

    # -- scopes ------------------------------------------------------------------------------

    def visit_body(self, body: list[ast.stmt]) -> None:
        guards = 0
        for stmt in body:
            self.visit(stmt)
            # `if not CONF.x: return` guards everything after it as if it were an else branch.
            if isinstance(stmt, ast.If) and not stmt.orelse and stmt.body \
                    and isinstance(stmt.body[-1], ast.Return) and self.scope_kind != "class":
                guards += self._enter(["else", self.source(stmt.test), stmt.lineno])
        for _ in range(guards):
            self.context.pop()

    def _qual(self, name: str) -> str:
        return f"{self.scope}.{name}" if self.scope else name

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        decorators = [self.enc(d) for d in node.decorator_list]
        self._decorate(node)
        for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
            self.visit(default)
        params = _params(node.args)
        kind = self._function_kind(decorators)
        qual = self._qual(node.name)
        self.defs.append([qual, kind, node.lineno, node.end_lineno or node.lineno, decorators, params, [],
                          _literal_defaults(node.args), self._default_exprs(node.args), _abstract(node)])
        self._module_binding(node.name, node.lineno, True)
        for decorator in decorators:
            self._flow(["n", node.name], decorator, "@")
        saved = (self.scope, self.scope_kind, self.self_name, self.context, self._global_names, self._rebound)
        self.scope, self.scope_kind, self.context, self._global_names = qual, kind, [], set()
        self._rebound = ReboundReads(params)
        if kind in ("method", "classmethod", "property"):
            self.self_name = params[0] if params else None
        elif kind == "staticmethod":
            self.self_name = None
        # A plain function keeps the enclosing method's `self`: closures capture it.
        self.visit_body(node.body)
        self._rebound.finish()
        self.scope, self.scope_kind, self.self_name, self.context, self._global_names, self._rebound = saved

    visit_AsyncFunctionDef = visit_FunctionDef

    def _default_exprs(self, args: ast.arguments) -> dict[str, list]:
        """Every default as an expression (`driver=None`, `timeout=CONF.timeout`): a parameter no caller
        passes is worth its default, evaluated where the function is defined."""
        positional = args.posonlyargs + args.args
        pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
        pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
        return {a.arg: self.enc(d) for a, d in pairs}

    def _lambda_name(self, node: ast.Lambda) -> str:
        """`<lambdaN>`: the N-th lambda of its enclosing scope (1-based), named the first time it is met."""
        name = self._lambda_names.get(id(node))
        if name is None:
            count = self._lambda_counts[self.scope] = self._lambda_counts.get(self.scope, 0) + 1
            name = self._lambda_names[id(node)] = f"<lambda{count}>"
        return name

    def _lambda(self, node: ast.Lambda) -> list[ast.AST]:
        """A lambda is a function of its own: its parameters, its body as what it returns, its calls its
        own. Its defaults are evaluated in the enclosing scope, so they are handed back to walk there."""
        qual = self._qual(self._lambda_name(node))
        self.defs.append([qual, "function", node.lineno, node.end_lineno or node.lineno, [], _params(node.args), [],
                          _literal_defaults(node.args), self._default_exprs(node.args)])
        saved = (self.scope, self.scope_kind, self.context)
        self.scope, self.scope_kind, self.context = qual, "function", []
        self._walk_expression(node.body)
        self.returns.append([qual, self.enc(node.body), None])
        self._flow(self.returns[-1][1], qual.rpartition(".")[2], "r")
        self.scope, self.scope_kind, self.context = saved
        return node.args.defaults + [d for d in node.args.kw_defaults if d is not None]

    def _function_kind(self, decorators: list) -> str:
        if self.scope_kind != "class":
            return "function"
        names = {d[1] if d[0] == "n" else d[2] if d[0] == "a" else "" for d in decorators}
        for marker in ("classmethod", "staticmethod", "property"):
            if marker in names:
                return marker
        if any(d[0] == "a" and d[2] in ("setter", "getter", "deleter") for d in decorators):
            return "property"
        return "method"

    def _decorate(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        """Decorators run where the definition is made: `@wrap` is a call of `wrap` from here."""
        for d in node.decorator_list:
            self.visit(d)
            if isinstance(d, (ast.Name, ast.Attribute)) and _last_name(d) not in _BUILTIN_DECORATORS:
                self.calls.append([self.scope, self.enc(d), d.lineno, d.col_offset, self._context_id(),
                                   [], {}])

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        decorators = [self.enc(d) for d in node.decorator_list]
        self._decorate(node)
        for base in node.bases:
            self.visit(base)
        qual = self._qual(node.name)
        bases = [self.enc(b) for b in node.bases]
        self.defs.append([qual, "class", node.lineno, node.end_lineno or node.lineno, decorators, [], bases, {}, {},
                          False])
        self._module_binding(node.name, node.lineno, True)
        saved = (self.scope, self.scope_kind, self.self_name, self.context)
        self.scope, self.scope_kind, self.self_name, self.context = qual, "class", None, []
        self.visit_body(node.body)
        self.scope, self.scope_kind, self.self_name, self.context = saved

    # -- facts -------------------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.imports.append([self.scope, alias.asname, alias.name, None, 0, node.lineno])
            else:
                top = alias.name.split(".")[0]
                self.imports.append([self.scope, top, top, None, 0, node.lineno])
            # `import a.b` after `import a.c` adds to the module `a` rather than rebinding it.
            self._module_binding(alias.asname or alias.name.split(".")[0], node.lineno,
                                 bool(alias.asname) or "." not in alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            local = alias.asname or alias.name
            self.imports.append([self.scope, local, node.module or "", alias.name, node.level, node.lineno])
            self._module_binding(local, node.lineno, alias.name != "*")

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self._in_value = True
            self._assign(target, node.value, node.lineno)
            self._in_value = False
            self._visit_target(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            self._in_value = True
            self._assign(node.target, node.value, node.lineno)
            self._in_value = False
        self._visit_target(node.target)

    def _flow(self, expr: list, into: str | list, where: str | int) -> None:
        """Records how the value of `expr` flows into `into`; what a call returns flows on only as
        assigned (`x = make()`: where "()") or returned (`return make()`: where "r()")."""
        names = [n for n, _called in _spellings(into)] if isinstance(into, list) else [into]
        for spelling, called in _spellings(expr):
            if called and where not in ("", "r"):
                continue
            kind = f"{where}()" if called else where
            for name in names:
                if spelling != name or kind != "":
                    self.flows.append([spelling, name, kind])

    def _visit_target(self, target: ast.AST) -> None:
        if isinstance(target, ast.Attribute):
            self._attribute_load(target, self.attr_stores)
        # Subscript and attribute targets may hold calls: `x[f()] = 1`.
        if isinstance(target, (ast.Subscript, ast.Attribute)):
            self.visit(target.value)
            if isinstance(target, ast.Subscript):
                self.visit(target.slice)

    def _assign(self, target: ast.AST, value: ast.AST | None, line: int, encoded: list | None = None) -> None:
        """`target = value`, or `target` bound to an encoded expression (`for target in x`)."""
        # `a, (b, c) = x, (y, z)` unpacked pair by pair, in order; `a, *b = expr` by index into expr.
        pairs: list[tuple[ast.AST, ast.AST | None, list | None]] = [(target, value, encoded)]
        while pairs:
            target, value, encoded = pairs.pop()
            if isinstance(target, ast.Starred):
                target = target.value
            if isinstance(target, ast.Name):
                self._rebound.store(target, value, self.context)
                encoded = encoded or self.enc(value)
                self.assigns.append([self.scope, target.id, encoded, line, self._context_id()])
                self._flow(encoded, target.id, "")
                if target.id in self._global_names and self.scope:
                    self.globals.append([self.scope, target.id])
                # `f = wrap(f)` keeps what f was in what it is now: it rebinds nothing away.
                self._module_binding(target.id, line, not _mentions(value, target.id) and encoded != UNKNOWN)
            elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                    and self.self_name and target.value.id == self.self_name:
                encoded = encoded or self.enc(value)
                self.assigns.append([self.scope, f"self.{target.attr}", encoded, line, self._context_id()])
                self._flow(encoded, target.attr, "")
            elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Attribute) \
                    and isinstance(target.value.value, ast.Name) and target.value.value.id != self.self_name:
                self.attr_assigns.append([self.scope, f"{target.value.value.id}.{target.value.attr}", target.attr,
                                          encoded or self.enc(value), line])
            elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) \
                    and len(target.elts) == len(value.elts) and not any(isinstance(e, ast.Starred) for e in value.elts):
                pairs.extend(reversed([(t, v, None) for t, v in zip(target.elts, value.elts)]))
            elif isinstance(target, (ast.Tuple, ast.List)):
                whole = encoded or self.enc(value)
                pairs.extend(reversed([(t, None, key) for t, key in unpacked(target.elts, whole)]))
            elif isinstance(target, ast.Subscript):
                self._implicit("__setitem__", target.value, False)
                if value is not None:
                    self._grow(target.value, self.enc(target.slice), value)

    def visit_Global(self, node: ast.Global) -> None:
        self._global_names.update(node.names)

    def _module_binding(self, name: str, line: int, supersedes: bool) -> None:
        """A binding of a module-level name; `supersedes`: it replaces what the name held (if unconditional)."""
        if not self.scope:
            self._module_bindings.setdefault(name, []).append((line, supersedes and not self.context))

    def rebound(self) -> list[list]:
        """[name, line] for a module-level name bound again, unconditionally, after other bindings: what
        functions read (they run once the module is loaded) and other modules import is what the last
        such binding (at that line) and those after it hold (`handler = old; handler = new`,
        `def join` then `from os.path import join`)."""
        found = []
        for name, bindings in self._module_bindings.items():
            last = max((line for line, supersedes in bindings if supersedes), default=None)
            if last is not None and any(line < last for line, _s in bindings):
                found.append([name, last])
        return found

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            self._implicit("__enter__", item.context_expr)
            self._implicit("__exit__", item.context_expr)
            if item.optional_vars is not None:
                # `with Foo() as x` binds what __enter__ returns; usually the object itself.
                self._assign(item.optional_vars, None, node.lineno, ["enter", self.enc(item.context_expr)])
        self.visit_body(node.body)

    visit_AsyncWith = visit_With

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None:
            self.visit(node.value)
        if self.scope_kind != "class":
            value = self.enc(node.value) if node.value is not None else ["k", None]
            self.returns.append([self.scope, value, self._context_id()])
            self._flow(value, self.scope.rpartition(".")[2], "r")

    def _call(self, node: ast.Call) -> list[ast.AST]:
        """Records a call site; returns the parts that may hold calls of their own (`a().b()`, arguments)."""
        callee = self.enc(node.func)
        args = [self.enc_arg(a) for a in node.args]
        kwargs = {k.arg: self.enc_arg(k.value) for k in node.keywords if k.arg}
        starred = next((k.value for k in node.keywords if k.arg is None), None)
        if starred is not None:
            kwargs["**"] = ["*", self.enc(starred)]  # `**kw`: any parameter may be passed
        self.calls.append([self.scope, callee, node.lineno, node.col_offset, self._context_id(), args, kwargs])
        self._call_data(node)
        name = _callee_name(callee)
        if name:
            for position, arg in enumerate(args):
                self._flow(arg, name, position)
            for keyword, arg in kwargs.items():
                self._flow(arg, name, keyword)
        # The receiver of a method call is walked, not the attribute itself: `self.f()` is no attribute load.
        func = node.func
        children: list[ast.AST] = [func.value] if isinstance(func, ast.Attribute) else \
            [] if isinstance(func, ast.Name) else [func]
        children += node.args
        children += [kw.value for kw in node.keywords]
        return children

    def _attribute_load(self, node: ast.Attribute, into: list[list] | None = None) -> None:
        # Reached only for attributes not in call position: `self.prop` may run a property, and so
        # may `obj.prop` (its object kept, as "obj" or "x.y", when it has one of these shapes).
        if into is None and not isinstance(node.ctx, ast.Load):
            return
        into = self.attr_loads if into is None else into
        base = node.value
        if isinstance(base, ast.Name) and self.self_name and base.id == self.self_name:
            into.append([self.scope, node.attr, node.lineno])
        elif isinstance(base, ast.Name):
            into.append([self.scope, node.attr, node.lineno, base.id])
        elif isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name):
            into.append([self.scope, node.attr, node.lineno, f"{base.value.id}.{base.attr}"])
        elif isinstance(base, (ast.Call, ast.Attribute, ast.Subscript)):  # `Car().engine`, `a.b.c.prop`
            into.append([self.scope, node.attr, node.lineno, self.enc(base)])

    # -- control context ---------------------------------------------------------------------

    def _context_id(self) -> int | None:
        if not self.context:
            return None
        key = repr(self.context)
        if key not in self._context_ids:
            self._context_ids[key] = len(self.contexts)
            self.contexts.append([list(c) for c in self.context])
        return self._context_ids[key]

    def _enter(self, entry: list) -> bool:
        """Adds a context entry; False (and a warning, once) when the chain is already too deep."""
        if len(self.context) < _MAX_CONTEXT:
            self.context.append(entry)
            return True
        if not any(w[1].startswith("conditions nested") for w in self.warnings):
            self.warnings.append([entry[2], f"conditions nested more than {_MAX_CONTEXT} deep (an elif ladder?); "
                                            "the deeper ones are left out of the calls' conditions"])
        return False

    def _within(self, entry: list, body: list[ast.stmt]) -> None:
        entered = self._enter(entry)
        self.visit_body(body)
        if entered:
            self.context.pop()

    def visit_If(self, node: ast.If) -> None:
        # `elif` is an If alone in the orelse of the one before: a ladder of them is walked in this
        # loop, each branch under the else of all the tests above it.
        elses = 0
        while True:
            self.visit(node.test)
            self._narrowings(node.test)
            condition = self.source(node.test)
            self._within(["if", condition, node.lineno], node.body)
            if not node.orelse:
                break
            elses += self._enter(["else", condition, node.lineno])
            if len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If):
                node = node.orelse[0]
                continue
            self.visit_body(node.orelse)
            break
        if elses:
            del self.context[-elses:]

    def _narrowings(self, test: ast.AST) -> None:
        """`isinstance(x, C)` says x may be a C: recorded as an assignment of a C instance (of C or a subclass)."""
        tests = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
        for item in tests:
            if isinstance(item, ast.Call) and isinstance(item.func, ast.Name) and item.func.id == "isinstance" \
                    and len(item.args) == 2 and isinstance(item.args[0], ast.Name):
                self._assign_instances(item.args[0].id, item.args[1], item.lineno)

    def _assign_instances(self, name: str, types: ast.AST, line: int) -> None:
        for cls in types.elts if isinstance(types, ast.Tuple) else [types]:
            if isinstance(cls, (ast.Name, ast.Attribute)):
                self.assigns.append([self.scope, name, ["isa", self.enc(cls)], line, None])

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self._implicit("__iter__", node.iter)
        self._assign(node.target, None, node.lineno, ["iter", self.enc(node.iter)])
        self._within(["loop", f"for {self.source(node.target)} in {self.source(node.iter)}", node.lineno], node.body)
        self.visit_body(node.orelse)

    visit_AsyncFor = visit_For

    def visit_While(self, node: ast.While) -> None:
        self.visit(node.test)
        self._within(["loop", f"while {self.source(node.test)}", node.lineno], node.body)
        self.visit_body(node.orelse)

    def visit_Try(self, node: ast.Try) -> None:
        # `try: self.driver.rebuild() except NotImplementedError: ...`: the driver the walk chose decides the
        # branch (flows/fallbacks), so it must know what the try guards; other tries would only cost entries.
        if any(_mentions(handler.type, "NotImplementedError") for handler in node.handlers):
            self._within(["try", "NotImplementedError", node.lineno], node.body)
        else:
            self.visit_body(node.body)
        for handler in node.handlers:
            caught = self.source(handler.type) if handler.type is not None else ""
            if handler.name and handler.type is not None:
                self._assign_instances(handler.name, handler.type, handler.lineno)
            self._within(["except", caught, handler.lineno], handler.body)
        self.visit_body(node.orelse)
        if node.finalbody:
            self._within(["finally", "", node.finalbody[0].lineno], node.finalbody)

    visit_TryStar = visit_Try

    # -- encoding ----------------------------------------------------------------------------

    def enc(self, node: ast.AST | None, depth: int = 0) -> list:
        if node is None or depth > _MAX_DEPTH:
            return UNKNOWN
        if isinstance(node, ast.Name):
            if self._in_value and node.id in self._rebound.params:
                self._rebound.read(node, encoded := ["n", node.id], self.context)
                return encoded
            return ["n", node.id]
        if isinstance(node, ast.Attribute):
            return ["a", self.enc(node.value, depth + 1), node.attr]
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "getattr" and len(node.args) >= 2 \
                    and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                return ["a", self.enc(node.args[0], depth + 1), node.args[1].value]
            if isinstance(func, ast.Name) and func.id == "getattr" and len(node.args) >= 2:
                return ["ga", self.enc(node.args[0], depth + 1), self.enc(node.args[1], depth + 1)]
            if isinstance(func, ast.Name) and func.id == "super":
                return ["super", self.enc(node.args[0], depth + 1)] if node.args else ["super"]
            return ["c", self.enc(func, depth + 1), [self.enc_arg(a, depth + 1) for a in node.args],
                    {k.arg: self.enc_arg(k.value, depth + 1) for k in node.keywords if k.arg}]
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return ["s", node.value]
            if node.value is None or isinstance(node.value, (bool, int, float)):
                return ["k", node.value]
            return UNKNOWN
        if isinstance(node, ast.Subscript):
            return ["i", self.enc(node.value, depth + 1), self.enc(node.slice, depth + 1)]
        if isinstance(node, ast.Dict) and len(node.keys) <= _MAX_TABLE and all(k is not None for k in node.keys):
            # Tables of class names pick implementations: {'api': 'nova.compute.cells_api.ComputeCellsAPI'}
            return ["d", [[self.enc(k, depth + 1), self.enc(v, depth + 1)] for k, v in zip(node.keys, node.values)]]
        if isinstance(node, ast.BoolOp):
            return ["either", [self.enc(v, depth + 1) for v in node.values]]
        if isinstance(node, ast.IfExp):
            # The test is kept as text: `rpc_method = cctxt.cast if do_cast else cctxt.call` is a cast under it.
            return ["either", [self.enc(node.body, depth + 1), self.enc(node.orelse, depth + 1)], self.source(node.test)]
        if isinstance(node, ast.Lambda):
            return ["n", self._lambda_name(node)]  # bound in the enclosing scope as a definition
        data = self.enc_data(node, depth)
        if data is not None:
            return data
        builtin = _LITERAL_TYPES.get(type(node))
        if builtin:
            return ["c", ["n", builtin], [], {}]  # a literal is an instance of its builtin type
        return UNKNOWN

    def enc_arg(self, node: ast.AST, depth: int = 0) -> list:
        """Arguments matter as references (callbacks), strings (RPC method names), calls (factories),
        subscripts (`host=host['host']`: where a cast is routed) and `a or b` (`server=host or None`)."""
        if isinstance(node, (ast.Name, ast.Attribute, ast.Constant, ast.Call, ast.Subscript, ast.BinOp,
                             ast.JoinedStr, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.BoolOp)):
            return self.enc(node, depth)
        if isinstance(node, ast.Starred):
            # Positions after it are unknown (`trace` binds literal arguments by position); what is
            # unpacked is kept: `f(*args, **kwargs)` forwards what the caller's own callers passed.
            return ["*", self.enc(node.value, depth)]
        if isinstance(node, ast.Lambda):
            return self.enc(node, depth)
        return UNKNOWN

    def source(self, node: ast.AST | None) -> str:
        """Source text of a node (one line, shortened), from the original text of the file."""
        if node is None or not hasattr(node, "lineno"):
            return ""
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        if first == last:
            text = _slice(self.lines, first, node.col_offset, node.end_col_offset)
        else:
            parts = [_slice(self.lines, first, node.col_offset, None)]
            parts += [self.lines[i] for i in range(first + 1, last) if i < len(self.lines)]
            parts.append(_slice(self.lines, last, 0, node.end_col_offset))
            text = " ".join(p.strip() for p in parts)
        text = " ".join(text.split())
        return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


class _Outliner(_Summarizer):
    """A summary of what a module binds at its top level and in its class bodies, function bodies left
    out: all that program.ondemand's readers ask of it (names, imports, classes), for a third of the
    cost. Never cached: the index stores whole summaries only."""

    def visit_body(self, body: list[ast.stmt]) -> None:
        if self.scope_kind in ("module", "class"):
            super().visit_body(body)
