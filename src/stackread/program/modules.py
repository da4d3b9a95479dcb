"""The modules of the analysed tree: where each dotted name lives, parsed on demand.

Parsing is lazy and memoised: a query that needs five modules parses five files.
A file that does not parse is reported once and treated as absent.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from stackread.diagnostics import Diagnostics
from stackread.source.parsing import MAX_SOURCE_BYTES, ParseProblem, decode_source, parse_source
from stackread.source.trees import SourceTree

TEST_PACKAGE_PARTS = frozenset({"tests", "test"})


@dataclass(eq=False)
class Module:
    name: str
    path: str
    tree: ast.Module
    text: str
    is_package: bool

    @cached_property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]

    @cached_property
    def bindings(self) -> dict[str, list[ast.AST]]:
        """Module-level statements that bind each name, in source order.

        Statements nested in module-level if/try/with/for count: current Nova assigns
        its WSGI `application` inside `with lock: if application is None:`.
        """
        found: dict[str, list[ast.AST]] = {}
        for stmt in _module_level_statements(self.tree.body):
            for name in _bound_names(stmt):
                found.setdefault(name, []).append(stmt)
        return found

    def toplevel(self, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | None:
        """The last module-level def or class of that name (the one that wins at import)."""
        for stmt in reversed(self.bindings.get(name, [])):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                return stmt
        return None

    def find_definition(self, qualname: str) -> ast.AST | None:
        """`Class.method`, `func` or `Outer.Inner` defined in this module."""
        parts = qualname.split(".")
        node: ast.AST | None = self.toplevel(parts[0])
        for part in parts[1:]:
            if not isinstance(node, ast.ClassDef):
                return None
            node = class_member(node, part)
        return node


def class_member(cls: ast.ClassDef, name: str) -> ast.AST | None:
    """The last def/class/assignment of `name` in the class body (the one Python keeps)."""
    result = None
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.name == name:
            result = stmt
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and name in _bound_names(stmt):
            result = stmt
    return result


def _module_level_statements(body: list[ast.stmt]):
    """Statements in source order, each followed by those nested in it; a stack, not recursion,
    since an elif ladder nests as deep as it is long."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        if isinstance(stmt, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            for child_body in reversed(_child_bodies(stmt)):
                stack.extend(reversed(child_body))


def _child_bodies(stmt: ast.stmt) -> list[list[ast.stmt]]:
    bodies = [getattr(stmt, "body", []), getattr(stmt, "orelse", []), getattr(stmt, "finalbody", [])]
    bodies += [handler.body for handler in getattr(stmt, "handlers", [])]
    return bodies


def _bound_names(stmt: ast.AST) -> list[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, ast.Assign):
        return [n.id for target in stmt.targets for n in _target_names(target)]
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        return [n.id for n in _target_names(stmt.target)]
    if isinstance(stmt, ast.Import):
        return [alias.asname or alias.name.split(".")[0] for alias in stmt.names]
    if isinstance(stmt, ast.ImportFrom):
        return [alias.asname or alias.name for alias in stmt.names if alias.name != "*"]
    return []


def _target_names(target: ast.AST) -> list[ast.Name]:
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _target_names(elt)]
    return []


def resolve_relative(package: str, name: str | None, level: int) -> str:
    """The absolute module of `from <level dots><name> import ...` written in `package`."""
    if not level:
        return name or ""
    parts = package.split(".") if package else []
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    if name:
        parts.append(name)
    return ".".join(parts)


def _lines_of(text: str) -> list[str]:
    # Lines as the tokenizer counts them: str.splitlines also breaks at \f, \v, \x1c and others.
    return [f"{line}\n" for line in text.split("\n")]


def toplevel_line(data: bytes, name: str) -> int | None:
    """Line of a column-0 `class name`/`def name` in a module's bytes (ModuleIndex.toplevel_line)."""
    if not data:
        return None
    pattern = rb"^(?:async[ \t]+def|def|class)[ \t]+" + re.escape(name.encode()) + rb"\b"
    match = re.search(pattern, data, re.MULTILINE)
    return data.count(b"\n", 0, match.start()) + 1 if match else None


@dataclass
class ModuleIndex:
    """Dotted module names of a tree, mapped to files and parsed on first use."""

    tree: SourceTree
    diagnostics: Diagnostics
    roots: tuple[str, ...] = ("",)
    _modules: dict[str, Module | None] = field(default_factory=dict, repr=False)
    _paths: dict[str, str | None] = field(default_factory=dict, repr=False)
    _lines: dict[str, list[str] | None] = field(default_factory=dict, repr=False)  # function_node's
    # The Program the evaluators of this tree ask (program.ondemand): one per index, so one memo.
    engine: Any = field(default=None, repr=False, compare=False)

    def path_of(self, name: str) -> str | None:
        """Relative path of module `name` (a .py file or a package's __init__.py), if in the tree."""
        if name not in self._paths:
            self._paths[name] = self._locate(name)
        return self._paths[name]

    def _locate(self, name: str) -> str | None:
        if not name or not all(part.isidentifier() for part in name.split(".")):
            return None
        rel = name.replace(".", "/")
        for root in self.roots:
            prefix = f"{root}/" if root else ""
            for candidate in (f"{prefix}{rel}.py", f"{prefix}{rel}/__init__.py"):
                if self.tree.is_file(candidate):
                    return candidate
        return None

    def is_package_dir(self, name: str) -> bool:
        """A directory of the tree that Python would import as `name` (also a namespace package)."""
        rel = name.replace(".", "/")
        return any(self.tree.is_dir(f"{root}/{rel}" if root else rel) for root in self.roots)

    def owns(self, name: str) -> bool:
        """Whether `name` belongs to this project (its top-level package is in the tree)."""
        top = name.split(".")[0]
        return self.path_of(top) is not None or self.is_package_dir(top)

    def get(self, name: str) -> Module | None:
        if name in self._modules:
            return self._modules[name]
        path = self.path_of(name)
        module = None
        if path is not None:
            module = self._load(name, path)
        self._modules[name] = module
        return module

    def get_by_path(self, path: str) -> Module | None:
        """A file that may not be importable by name (Ocata's `nova/wsgi/nova-api.py` WSGI scripts)."""
        name = self.module_name(path)
        if self.path_of(name) == path:
            return self.get(name)
        key = f"<path>{path}"
        if key not in self._modules:
            self._modules[key] = self._load(name, path)
        return self._modules[key]

    def _load(self, name: str, path: str) -> Module | None:
        data = self.tree.read_bytes(path)
        if data is None:
            return None
        try:
            tree, text = parse_source(data, path)
        except ParseProblem as problem:
            self.diagnostics.warning(problem.path, problem.line, f"{problem.message}; skipped")
            return None
        return Module(name, path, tree, text, path.endswith("__init__.py"))

    def function_node(self, module: str, name: str, line: int, end: int) -> ast.AST | None:
        """The definition of function `name` on lines line..end of the module, parsed from those
        lines alone: the walk reads a few methods of modules that may be 10,000 lines long
        (nova/compute/manager.py). Its nodes have the lines and columns they have in the module.
        None when those lines do not hold it (the caller then asks for the module's AST)."""
        parsed = self._modules.get(module)
        if parsed is not None or end < line:
            return None  # parsed already: its own node is at hand
        if module not in self._lines:
            path = self.path_of(module)
            data = self.tree.read_bytes(path) if path else None
            try:  # a file too large or not decodable: its problem is told where the module is parsed
                fits = data is not None and len(data) <= MAX_SOURCE_BYTES
                self._lines[module] = _lines_of(decode_source(data, path)) if fits else None
            except ParseProblem:
                self._lines[module] = None
        lines = self._lines[module]
        if not lines or end > len(lines):
            return None
        indented = lines[line - 1][:1].isspace()
        # Indented, the lines stay where they are under an `if 1:` that holds them: same columns.
        text = ("if 1:\n" if indented else "") + "".join(lines[line - 1:end])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                top = ast.parse(text).body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        node = top[0].body[0] if indented and len(top) == 1 and isinstance(top[0], ast.If) and top[0].body else \
            (top[0] if top else None)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name != name:
            return None
        ast.increment_lineno(node, line - (2 if indented else 1))
        return node if node.lineno == line and node.end_lineno == end else None

    def toplevel_line(self, module: str, name: str) -> int | None:
        """Line of a column-0 `class name`/`def name` in the module, found without parsing it.

        Locating a manager class or a plugin needs one line of a file that may be 10,000 lines
        long (nova/compute/manager.py); None sends the caller to the full resolution.
        """
        from stackread.source.observed import derive

        path = self.path_of(module)
        return derive(self.tree, path, toplevel_line, name) if path else None

    def module_name(self, path: str) -> str:
        for root in sorted(self.roots, key=len, reverse=True):
            prefix = f"{root}/" if root else ""
            if path.startswith(prefix):
                rel = path[len(prefix):]
                break
        else:
            rel = path
        rel = rel[: -len(".py")] if rel.endswith(".py") else rel
        if rel.endswith("/__init__"):
            rel = rel[: -len("/__init__")]
        return rel.replace("/", ".")

    def python_files(self, packages: list[str], include_tests: bool = False) -> list[str]:
        """Every .py file of the given top-level packages, tests excluded unless asked for."""
        files: list[str] = []
        for package in packages:
            for root in self.roots:
                top = f"{root}/{package}" if root else package
                if self.tree.is_dir(top):
                    files += [p for p in self.tree.walk_files(top, ".py")
                              if include_tests or not TEST_PACKAGE_PARTS.intersection(p.split("/")[:-1])]
                elif self.tree.is_file(f"{top}.py"):
                    files.append(f"{top}.py")
        return files
