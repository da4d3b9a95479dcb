"""`stackread breakpoints OPERATION`: where to stop, per process, to debug one traced operation.

From the trace of the operation: the entry of the API controller, of each manager method a
cast or call lands on, and of each virt-driver method the flow calls (the chosen driver's
own methods), plus each hop's send, the statement of the RPC client method that casts or
calls. Each place is a line pdb can stop at: the first statement of the body (after the
docstring; a decorated nested def starts at its decorator), or the statement that sends.
Each process also gets the way to run it in the foreground: its console script, or, for an
API that only ships a WSGI module, a one-process WSGI server.

`insert` puts a breakpoint statement at the same places (see `edits`); `remove` takes out
every statement stackread inserted, wherever it is in the tree.
"""

from __future__ import annotations

import ast
import pathlib
from dataclasses import dataclass, field

from stackread import edits
from stackread.diagnostics import Diagnostic
from stackread.errors import AnalysisError, UsageError
from stackread.trace import Step, Trace

WHY = {
    "entry": "entry of the API controller",
    "endpoint": "receives the {kind} {method} from {source}",
    "send": "sends the {kind} {method} to {target}",
    "driver": "virt driver call",
}


@dataclass
class Place:
    process: str
    path: str  # relative to the project tree
    line: int  # where pdb stops
    function: str
    why: str  # entry | endpoint | send | driver
    detail: str
    statement: int  # the statement's number in document order (edits.statements_in_order)
    at_entry: bool  # insert at the start of the def's body (True) or before the statement (False)
    default_path: bool = True
    error_path: bool = False


@dataclass
class Run:
    """How to run one process in the foreground."""

    process: str
    script: str | None  # the console script
    command: str | None
    pdb_command: str | None  # the same under pdb, which reads breakpoints from .pdbrc
    note: str | None = None


@dataclass
class Plan:
    operation: str
    request: str
    root: pathlib.Path  # the project tree, absolute
    revision: str | None
    processes: list[str]
    places: list[Place]
    runs: dict[str, Run]
    notes: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def of_process(self, process: str) -> list[Place]:
        return [p for p in self.places if p.process == process]

    def file(self, place: Place) -> pathlib.Path:
        return self.root / place.path


def plan_breakpoints(trace: Trace, path: str | pathlib.Path, rev: str | None = None, *, driver: str = "libvirt",
                     errors: bool = False) -> Plan:
    from stackread.entrypoints import find_entrypoints
    from stackread.source import open_tree

    tree = open_tree(pathlib.Path(path), rev)
    root = pathlib.Path(path).resolve()
    files = _Files(tree)
    places: list[Place] = []
    seen: set[tuple[str, int, bool]] = set()

    def add(place: Place | None) -> None:
        if place is None:
            return
        key = (place.path, place.statement, place.at_entry)
        if key not in seen:
            seen.add(key)
            places.append(place)

    for step in _in_order(trace.root):
        if step.error_path and not errors:
            continue
        if step.kind == "entry":
            add(files.entry(step, "entry", WHY["entry"]))
        elif step.hop is not None:
            hop = step.hop
            when = f" (if {hop.condition})" if hop.condition else ""
            add(files.send(hop, hop.source, when))
            add(files.entry(step, "endpoint", WHY["endpoint"].format(kind=hop.kind, method=hop.method,
                                                                     source=hop.source) + when))
        elif step.kind == "driver" and (driver == "all" or _own_driver_method(step.function, driver)):
            add(files.entry(step, "driver", WHY["driver"]))
    processes = list(dict.fromkeys(p.process for p in places))
    report = find_entrypoints(path, rev)
    runs = {process: _run(process, report, root) for process in processes}
    e = trace.entry
    request = f"{e.verb} {e.path}" + (f" {{{e.action!r}: ...}}" if e.action else "")
    return Plan(trace.operation, request, root, rev, processes, places, runs, list(trace.notes + files.notes),
                list(trace.diagnostics))


def _in_order(root: Step):
    """Steps depth first, calls in source order: the order the flow runs them."""
    todo = [root]
    while todo:
        step = todo.pop()
        yield step
        todo.extend(reversed(step.children))


def _own_driver_method(function: str, driver: str) -> bool:
    """LibvirtDriver.spawn for --driver libvirt; not the base class's default it inherits."""
    parts = function.lower().split(".")
    return len(parts) >= 2 and (driver.lower() in parts[:-2] or parts[-2].startswith(driver.lower()))


class _Files:
    """The analysed files, parsed once each, and the places in them."""

    def __init__(self, tree):
        self.tree = tree
        self._parsed: dict[str, tuple[list[ast.stmt], list[bytes]] | None] = {}
        self.notes: list[str] = []

    def _parse(self, path: str):
        if path not in self._parsed:
            data = self.tree.read_bytes(path)
            try:
                module = ast.parse(data) if data is not None else None
            except (SyntaxError, ValueError, RecursionError, MemoryError):  # MemoryError: too deeply nested
                module = None
            if module is None:
                self.notes.append(f"{path}: cannot read or parse it; no breakpoints there.")
                self._parsed[path] = None
            else:
                self._parsed[path] = (edits.statements_in_order(module), data.split(b"\n"))
        return self._parsed[path]

    def entry(self, step: Step, why: str, detail: str) -> Place | None:
        parsed = self._parse(step.path)
        if parsed is None:
            return None
        stmts, lines = parsed
        name = step.function.rsplit(".", 1)[-1]
        for number, stmt in enumerate(stmts):
            if (isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name
                    and step.line in (stmt.lineno, edits.first_line(stmt))):
                break
        else:
            self.notes.append(f"{step.path}:{step.line}: no def {name} there; no breakpoint for it.")
            return None
        body = [s for s in stmt.body if not edits.carries_marker(lines, s)] or stmt.body
        if len(body) > 1 and edits.is_docstring(body[0]):
            body = body[1:]
        return Place(step.process, step.path, edits.first_line(body[0]), step.function, why, detail, number, True,
                     step.default_path, step.error_path)

    def send(self, hop, process: str, when: str) -> Place | None:
        parsed = self._parse(hop.client_path)
        if parsed is None:
            return None
        stmts, lines = parsed
        # The innermost statement holding the cast/call (the last one in pre-order): pdb stops there before it sends.
        holding = [(number, s) for number, s in enumerate(stmts)
                   if s.lineno <= hop.client_line <= (s.end_lineno or s.lineno)]
        if not holding:
            self.notes.append(f"{hop.client_path}:{hop.client_line}: no statement there; no breakpoint for "
                              f"the {hop.kind} of {hop.method}.")
            return None
        number, stmt = holding[-1]
        detail = WHY["send"].format(kind=hop.kind, method=hop.method, target=hop.target) + when
        return Place(process, hop.client_path, edits.first_line(stmt), hop.client, "send", detail, number, False,
                     hop.default_path, hop.error_path)


def _run(process: str, report, root: pathlib.Path) -> Run:
    project = report.project or process.split("-")[0]
    config = f"--config-file /etc/{project}/{project}.conf"
    for ep in report.entrypoints:
        if ep.service is not None and (ep.service.binary == process or ep.name == process):
            return _script_run(process, ep.name, config)
    apis = [ep for ep in report.entrypoints if ep.api is not None]
    if not apis:
        return Run(process, None, None, None, f"no console script or WSGI application of {process} found")

    def rank(ep):
        metadata_only = ep.api.apps and all("metadata" in app for app in ep.api.apps)
        script = ep.group in ("console_scripts", "gui_scripts")
        return (ep.name != process, metadata_only, not script, len(ep.api.apps) != 1, ep.name)

    best = min(apis, key=rank)
    if best.group in ("console_scripts", "gui_scripts"):
        return _script_run(process, best.name, config)
    module = root / (best.path or "")
    command = (f"uwsgi --http-socket 127.0.0.1:8080 --wsgi-file {module} "
               "--processes 1 --threads 1 --honour-stdin")
    return Run(process, None, command, None,
               f"{process} is a WSGI application ({best.target}): serve it with one process and thread so pdb "
               "owns the terminal; use the port your service catalog names")


def _script_run(process: str, script: str, config: str) -> Run:
    return Run(process, script, f"{script} {config}", f'python -m pdb -c continue "$(command -v {script})" {config}')


def check_insert(rev: str | None) -> None:
    if rev is not None:
        raise UsageError("--insert edits the working tree; it cannot be combined with --rev")


@dataclass
class Changes:
    files: list[pathlib.Path]  # absolute, in the order edited
    inserted: int = 0
    present: int = 0
    removed: int = 0
    notes: list[str] = field(default_factory=list)


def insert(plan: Plan, statement: str = edits.DEFAULT_STATEMENT, force: bool = False) -> Changes:
    """Put the breakpoint statement at every place of the plan; refuse files with changes of the user's."""
    from stackread.cachedir import default_cache_dir

    edits.check_statement(statement)
    work = edits.WorkingTree.open(plan.root)
    by_file: dict[str, list[Place]] = {}
    for place in plan.places:
        by_file.setdefault(place.path, []).append(place)
    outside, rel = [], {}
    for path in by_file:
        inside = work.inside(plan.root / path)
        if inside is None:
            outside.append(path)
        rel[path] = inside
    if outside:
        raise UsageError(f"will not edit files outside {work.root}: {', '.join(outside)}")
    cache = default_cache_dir().resolve()
    if any(cache in (work.root / r).parents for r in rel.values()):
        raise UsageError(f"{plan.root} is in stackread's cache, which later commands read: "
                         "copy the tree or clone the project, and edit that")
    if work.repo is None and not force:
        raise UsageError(f"{work.root} is not in a git repository, so stackread cannot tell your changes "
                         "from its own: pass --force to edit anyway (--remove takes the breakpoints out again)")
    dirty = work.changed([rel[p] for p in by_file])
    if dirty and not force:
        listed = "\n  ".join(str(d) for d in dirty)
        raise UsageError(f"uncommitted changes in {len(dirty)} file(s) that would get breakpoints; commit or "
                         f"stash them, or pass --force:\n  {listed}")
    changes = Changes([])
    for path, places in by_file.items():
        target = work.root / rel[path]
        data = target.read_bytes()
        result = edits.insert_breakpoints(data, {p.statement for p in places if p.at_entry},
                                          {p.statement for p in places if not p.at_entry}, statement)
        for place in places:
            if place.statement in result.unplaced:
                changes.notes.append(f"{path}:{place.line}: no line of its own to put a breakpoint before")
        _check(target, result.data)
        changes.inserted += result.inserted
        changes.present += result.present
        if result.data != data:
            target.write_bytes(result.data)
            changes.files.append(target)
    return changes


def remove(path: str | pathlib.Path) -> Changes:
    """Take out every breakpoint statement stackread inserted under the tree (its repository, when in one)."""
    work = edits.WorkingTree.open(path)
    changes = Changes([])
    for file in edits.files_with_breakpoints(pathlib.Path(path).resolve()):
        if work.inside(file) is None:
            continue
        data = file.read_bytes()
        new, removed = edits.remove_breakpoints(data)
        if removed:
            _check(file, new)
            file.write_bytes(new)
            changes.files.append(file)
            changes.removed += removed
    return changes


def _check(path: pathlib.Path, data: bytes) -> None:
    try:
        ast.parse(data)
    except SyntaxError as exc:  # never write a file that no longer parses
        raise AnalysisError(f"{path}: the edit would not parse ({exc.msg} at line {exc.lineno}); file left as it was")
