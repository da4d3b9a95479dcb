"""Edits of the user's working tree: breakpoint statements in, and exactly those out again.

Places are named by their statement's position in document order (the k-th statement of
the file, counting every statement at every depth), which `ast` and libcst agree on: the
analysis finds a place with `ast`, the edit finds the same statement in libcst's tree
without computing positions for the whole file. libcst keeps every byte it does not
change, so a file comes back identical after an insert and a remove.

Each inserted statement carries MARKER as its trailing comment, for the user's eyes. Which
lines are stackread's is known from the record `manifest` keeps, not from the marker: a user
may have a line of their own ending in it. `remove_breakpoints` (every line with exactly that
comment) is for `--remove --force` only.
"""

from __future__ import annotations

import ast
import os
import pathlib
from dataclasses import dataclass, field

import libcst

from stackread.source import gitsafe
from stackread.errors import UsageError
from stackread.source.trees import NotReadable, read_regular

MARKER = "stackread-breakpoint"
_COMMENT = f"# {MARKER}"
_MARKER_BYTES = _COMMENT.encode()
DEFAULT_STATEMENT = "import pdb; pdb.set_trace()"
# For libcst's recursion over code nested as deep as ast allows (~3000 levels, ~10 frames each).
_EDIT_RECURSION_LIMIT = 60_000
_EDIT_STACK_BYTES = 512 * 1024 * 1024


# -- statements in document order (the ast side) --------------------------------------------------

def statements_in_order(tree: ast.Module) -> list[ast.stmt]:
    """Every statement of the module, pre-order, in source order: the numbering edits use.
    From a stack: an elif ladder nests one level per branch."""
    found: list[ast.stmt] = []
    stack: list[ast.stmt] = list(reversed(tree.body))
    while stack:
        stmt = stack.pop()
        found.append(stmt)
        inner: list[ast.stmt] = []
        for name in ("body", "handlers", "orelse", "finalbody", "cases"):
            items = getattr(stmt, name, None)
            if not isinstance(items, list):
                continue
            for item in items:
                if isinstance(item, ast.stmt):
                    inner.append(item)
                elif isinstance(item, (ast.excepthandler, ast.match_case)):
                    inner += item.body
        stack += reversed(inner)
    return found


def is_docstring(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str))


def first_line(stmt: ast.stmt) -> int:
    """Where execution of the statement starts: a decorated def or class starts at its first decorator."""
    decorators = getattr(stmt, "decorator_list", None) or []
    return min([stmt.lineno] + [d.lineno for d in decorators])


def carries_marker(lines: list[bytes], stmt: ast.stmt) -> bool:
    return lines[stmt.lineno - 1].rstrip().endswith(_MARKER_BYTES)


# -- the libcst side ------------------------------------------------------------------------------

@dataclass
class EditResult:
    data: bytes
    inserted: int = 0
    present: int = 0  # places that already had a breakpoint
    unplaced: list[int] = field(default_factory=list)  # statement numbers with no line of their own


def check_statement(text: str) -> None:
    """A breakpoint statement must be simple statements on one line (`breakpoint()`, `import x; x.y()`)."""
    if "\n" in text.strip() or "\r" in text.strip() or "#" in text:
        raise UsageError(f"--stmt {text!r}: give simple statements on one line, without a comment")
    try:
        node = libcst.parse_statement(text.strip() + "\n")
    except libcst.ParserSyntaxError as exc:
        raise UsageError(f"--stmt {text!r} is not a Python statement: {exc.message}") from None
    if not isinstance(node, libcst.SimpleStatementLine):
        raise UsageError(f"--stmt {text!r}: give simple statements, not a block")


def inserted_text(statement: str) -> str:
    """The line --insert writes, after the indentation."""
    return f"{statement.strip()}  {_COMMENT}"


def insert_breakpoints(data: bytes, entries: set[int], befores: set[int],
                       statement: str = DEFAULT_STATEMENT, ours: frozenset[int] = frozenset()) -> EditResult:
    """Add the breakpoint statement at the start of the body of each def numbered in `entries`
    (after its docstring) and before each statement numbered in `befores`, unless a breakpoint
    stackread inserted earlier (on a line numbered in `ours`) is already there."""
    return _with_deep_stack(_insert, data, entries, befores, statement, ours)


def _insert(data: bytes, entries: set[int], befores: set[int], statement: str, ours: frozenset[int]) -> EditResult:
    module = libcst.parse_module(data)
    line = libcst.parse_statement(inserted_text(statement) + "\n")
    first = set()
    if ours:
        first = {n for n, stmt in enumerate(statements_in_order(ast.parse(data))) if stmt.lineno in ours}
    inserter = _Inserter(entries, befores, line, first)
    new = module.visit(inserter)
    result = EditResult(new.bytes if inserter.inserted else data, inserter.inserted, inserter.present)
    result.unplaced = sorted((entries | befores) - inserter.placed)
    return result


def remove_breakpoints(data: bytes) -> tuple[bytes, int]:
    """The file without the statement lines stackread marked, and how many went."""
    if _MARKER_BYTES not in data:
        return data, 0
    return _with_deep_stack(_remove, data)


def _remove(data: bytes) -> tuple[bytes, int]:
    module = libcst.parse_module(data)
    remover = _Remover()
    new = module.visit(remover)
    return (new.bytes if remover.removed else data), remover.removed


def _with_deep_stack(work, *args):
    """`work(*args)` in a thread with a large stack and a recursion limit to match. libcst parses,
    visits and prints by recursion, a few frames per level of nesting, and code nests as deep as ast
    builds it (an elif ladder, `a + a + ...`, thousands of levels): on the main thread's stack and
    limit that would end in RecursionError. The stack is reserved, not used, until it is needed."""
    import sys
    import threading

    outcome: list = []

    def run() -> None:
        try:
            outcome.append(work(*args))
        except BaseException as exc:  # handed back to the caller's thread
            outcome.append(exc)

    limit = sys.getrecursionlimit()
    size = threading.stack_size(_EDIT_STACK_BYTES)
    sys.setrecursionlimit(max(limit, _EDIT_RECURSION_LIMIT))  # the caller's thread only waits meanwhile
    try:
        worker = threading.Thread(target=run, name="stackread-edit")
        worker.start()
        worker.join()
    except RuntimeError:  # no room for such a stack here: as deep as the caller's thread allows
        outcome.append(None)
    finally:
        threading.stack_size(size)
        sys.setrecursionlimit(limit)
    if outcome[0] is None:
        return work(*args)
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _is_marker_line(node) -> bool:
    return (isinstance(node, libcst.SimpleStatementLine) and node.trailing_whitespace.comment is not None
            and node.trailing_whitespace.comment.value == _COMMENT)


def _is_docstring_line(node) -> bool:
    return (isinstance(node, libcst.SimpleStatementLine) and len(node.body) == 1
            and isinstance(node.body[0], libcst.Expr)
            and isinstance(node.body[0].value, (libcst.SimpleString, libcst.ConcatenatedString)))


def _small_statements(node):
    """The statements written on the line that starts with node: its own, or a one-line suite's."""
    if isinstance(node, libcst.SimpleStatementLine):
        return list(node.body)
    body = getattr(node, "body", None)
    if isinstance(body, libcst.SimpleStatementSuite):
        return list(body.body)
    return []


class _Counting:
    """Numbers statements as `statements_in_order` does: pre-order, small and compound alike."""

    def _count(self, node) -> None:
        if isinstance(node, (libcst.BaseSmallStatement, libcst.BaseCompoundStatement)):
            self.number[id(node)] = len(self.number)


class _Inserter(libcst.CSTTransformer, _Counting):
    def __init__(self, entries, befores, line, ours: set[int]):
        super().__init__()
        self.entries, self.befores, self.line = entries, befores, line
        self.ours = ours  # numbers of the first statements of lines stackread inserted earlier
        self.ours_nodes: set[int] = set()  # ids of those lines' nodes, original and updated
        self.number: dict[int, int] = {}
        self.placed: set[int] = set()
        self.inserted = self.present = 0

    def on_visit(self, node) -> bool:
        if isinstance(node, libcst.SimpleStatementLine) and len(self.number) in self.ours:
            self.ours_nodes.add(id(node))  # its first small statement gets the next number
        self._count(node)
        # No statement lies inside an expression: not descending keeps deep ones (`a + a + ...`) cheap.
        return not isinstance(node, libcst.BaseExpression) and super().on_visit(node)

    def leave_SimpleStatementLine(self, original, updated):
        if id(original) in self.ours_nodes:
            self.ours_nodes.add(id(updated))
        return updated

    def _is_ours(self, node) -> bool:
        return node is self.line or id(node) in self.ours_nodes

    def _numbers(self, node) -> set[int]:
        own = {self.number.get(id(node))}
        own |= {self.number.get(id(small)) for small in _small_statements(node)}
        return own - {None}

    def leave_IndentedBlock(self, original, updated):
        body: list = []
        for before, after in zip(original.body, updated.body):
            wanted = self._numbers(before) & self.befores
            if wanted:
                self.placed |= wanted
                if body and self._is_ours(body[-1]):
                    self.present += 1
                else:
                    body.append(self.line)
                    self.inserted += 1
            body.append(after)
        return updated.with_changes(body=body) if len(body) != len(updated.body) else updated

    def leave_FunctionDef(self, original, updated):
        number = self.number.get(id(original))
        if number not in self.entries or not isinstance(updated.body, libcst.IndentedBlock):
            return updated
        self.placed.add(number)
        body = list(updated.body.body)
        at = 1 if body and _is_docstring_line(body[0]) else 0
        if at < len(body) and self._is_ours(body[at]):
            self.present += 1
            return updated
        body.insert(at, self.line)
        self.inserted += 1
        return updated.with_changes(body=updated.body.with_changes(body=body))


class _Remover(libcst.CSTTransformer):
    removed = 0

    def on_visit(self, node) -> bool:
        return not isinstance(node, libcst.BaseExpression) and super().on_visit(node)

    def leave_IndentedBlock(self, original, updated):
        body, carried = [], []
        for node in updated.body:
            if _is_marker_line(node) and len(updated.body) > 1:
                carried += list(node.leading_lines)  # a comment written above it stays
                self.removed += 1
                continue
            if carried:
                node = node.with_changes(leading_lines=[*carried, *node.leading_lines])
                carried = []
            body.append(node)
        if not body:
            return updated
        return updated.with_changes(body=body) if len(body) != len(updated.body) else updated


# -- the working tree -------------------------------------------------------------------------------

@dataclass
class WorkingTree:
    """Where edits may go: the repository (or, with --force outside git, the project directory)."""

    root: pathlib.Path  # resolved; nothing outside it is touched
    repo: object | None  # git.Repo

    @classmethod
    def open(cls, path: str | pathlib.Path) -> "WorkingTree":
        import git

        start = pathlib.Path(path).resolve()
        if not start.is_dir():
            raise UsageError(f"{path}: not a directory")
        try:
            repo = git.Repo(start, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            return cls(start, None)
        if repo.bare or repo.working_tree_dir is None:
            return cls(start, None)
        safe = gitsafe.for_repository(["--git-dir", repo.git_dir])
        if safe is None:
            raise UsageError(f"{repo.working_tree_dir}: git cannot read the repository's configuration")
        safe.apply(repo.git)  # `git status` would run the repository's fsmonitor, filters, hooks
        return cls(pathlib.Path(repo.working_tree_dir).resolve(), repo)

    def inside(self, path: pathlib.Path) -> pathlib.Path | None:
        """The file's path relative to the root, or None when it (or its link target) lies outside."""
        resolved = path.resolve()
        try:
            return resolved.relative_to(self.root)
        except ValueError:
            return None

    def changed(self, files: list[pathlib.Path], ours=None) -> list[pathlib.Path]:
        """Files (relative to root) with changes not committed, leaving out breakpoints of ours:
        `ours(rel, data)` gives the file's bytes without the lines stackread inserted."""
        if self.repo is None or not files:
            return []
        out = self.repo.git.status("--porcelain", "-z", "--untracked-files=all", "--ignore-submodules=all", "--",
                                   *map(str, files))
        listed = {pathlib.Path(entry[3:]) for entry in out.split("\0") if len(entry) > 3}
        dirty = []
        for rel in files:
            if rel not in listed:
                continue
            committed = self._committed(rel)
            current = (self.root / rel).read_bytes()
            if committed is None or (ours(rel, current) if ours else current) != committed:
                dirty.append(rel)
        return dirty

    def _committed(self, rel: pathlib.Path) -> bytes | None:
        try:
            blob = self.repo.head.commit.tree / rel.as_posix()
        except (KeyError, ValueError):
            return None
        return blob.data_stream.read()


def files_with_breakpoints(root: pathlib.Path) -> list[pathlib.Path]:
    """Python files under root (hidden directories skipped, links not followed) carrying the marker."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            path = pathlib.Path(dirpath) / name
            if path.is_symlink():
                continue
            try:  # a FIFO named x.py would block a plain read forever
                data = read_regular(root, str(path.relative_to(root)))
            except NotReadable:
                continue
            if _MARKER_BYTES in data:
                found.append(path)
    return found
