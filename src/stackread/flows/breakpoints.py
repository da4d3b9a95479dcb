"""`stackread breakpoints OPERATION`: where to stop, per process, to debug one traced operation.

From the trace of the operation: the entry of the API controller, of each manager method a
cast or call lands on, and of each virt-driver method the flow calls (the chosen driver's
own methods), plus each hop's send, the statement of the RPC client method that casts or
calls. Each place is a line pdb can stop at: the first statement of the body (after the
docstring; a decorated nested def starts at its decorator), or the statement that sends.
Each process also gets the way to run it in the foreground: its console script, or, for an
API that only ships a WSGI module, a one-process WSGI server.

`insert` puts a breakpoint statement at the same places (see `edits`); `remove` takes out
every statement stackread inserted, wherever it is in the tree (both in `breakpoint_edits`).
"""

from __future__ import annotations

import ast
import os
import pathlib
from dataclasses import dataclass, field

from stackread.source import edits
from stackread.flows.breakpoint_edits import Changes, check_insert, insert, our_lines, remove  # noqa: F401 (the API)
from stackread.diagnostics import Diagnostic
from stackread.frameworks.drivers import DEFAULT_DRIVER, matches_method
from stackread.flows.flow import Step
from stackread.flows.question import Question
from stackread.flows.reading import Reading
from stackread.flows.trace import Progress, trace_operation

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


def plan_breakpoints(project: Reading | str | os.PathLike, question: Question | str,
                     progress: Progress | None = None) -> Plan:
    """Where to stop in the flow `trace` finds for the question: the error path's places too
    with `question.errors`, the driver's own methods of `question.driver` ('all': every driver's)."""
    reading, question = Reading.of(project), Question.of(question)
    trace = trace_operation(reading, question, progress)
    root = pathlib.Path(reading.path).resolve()
    ours, note = our_lines(root) if reading.rev is None else ((lambda p, data: set()), None)
    files = _Files(reading.tree, ours)
    if note:
        files.notes.append(note)
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
        if step.error_path and not question.errors:
            continue
        if step.kind == "entry":
            add(files.entry(step, "entry", WHY["entry"]))
        elif step.hop is not None:
            hop = step.hop
            when = f" (if {hop.condition})" if hop.condition else ""
            add(files.send(hop, hop.source, when))
            add(files.entry(step, "endpoint", WHY["endpoint"].format(kind=hop.kind, method=hop.method,
                                                                     source=hop.source) + when))
        elif step.kind == "driver" and _stops_at_driver(step.function, question.driver):
            add(files.entry(step, "driver", WHY["driver"]))
    processes = list(dict.fromkeys(p.process for p in places))
    runs = {process: _run(process, reading.entrypoints, root) for process in processes}
    e = trace.entry
    request = f"{e.verb} {e.path}" + (f" {{{e.action!r}: ...}}" if e.action else "")
    return Plan(trace.operation, request, root, reading.rev, processes, places, runs, list(trace.notes + files.notes),
                list(trace.diagnostics))


def _in_order(root: Step):
    """Steps depth first, calls in source order: the order the flow runs them."""
    todo = [root]
    while todo:
        step = todo.pop()
        yield step
        todo.extend(reversed(step.children))


def _stops_at_driver(function: str, driver: str | None) -> bool:
    """LibvirtDriver.spawn for --driver libvirt; not the base class's default it inherits. Every
    driver's own methods for --driver all."""
    return driver == "all" or matches_method(driver or DEFAULT_DRIVER, function)


class _Files:
    """The analysed files, parsed once each, and the places in them."""

    def __init__(self, tree, ours):
        self.tree = tree
        self.ours = ours  # (path, data) -> numbers of the lines stackread inserted there
        self._parsed: dict[str, tuple[list[ast.stmt], set[int]] | None] = {}
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
                self._parsed[path] = (edits.statements_in_order(module), self.ours(path, data))
        return self._parsed[path]

    def entry(self, step: Step, why: str, detail: str) -> Place | None:
        parsed = self._parse(step.path)
        if parsed is None:
            return None
        stmts, ours = parsed
        name = step.function.rsplit(".", 1)[-1]
        for number, stmt in enumerate(stmts):
            if (isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name
                    and step.line in (stmt.lineno, edits.first_line(stmt))):
                break
        else:
            self.notes.append(f"{step.path}:{step.line}: no def {name} there; no breakpoint for it.")
            return None
        body = [s for s in stmt.body if s.lineno not in ours] or stmt.body  # our breakpoint is not the place
        if len(body) > 1 and edits.is_docstring(body[0]):
            body = body[1:]
        return Place(step.process, step.path, edits.first_line(body[0]), step.function, why, detail, number, True,
                     step.default_path, step.error_path)

    def send(self, hop, process: str, when: str) -> Place | None:
        parsed = self._parse(hop.client_path)
        if parsed is None:
            return None
        stmts, _ = parsed
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


def _config_option(process: str, report) -> str:
    # oslo.config reads /etc/<project>/<project>.conf for the `project=` a service parses its options
    # with, which is its package's name (heat), not the distribution's (openstack-heat): the package
    # of the process's own console script, else the one most of the entry points live in.
    scripts = [ep for ep in report.entrypoints if ep.name == process and ep.target]
    packages = [ep.target.split(":")[0].split(".")[0] for ep in scripts or report.entrypoints if ep.target]
    project = max(sorted(set(packages)), key=packages.count) if packages else report.project or process.split("-")[0]
    return f"--config-file /etc/{project}/{project}.conf"


def _run(process: str, report, root: pathlib.Path) -> Run:
    config = _config_option(process, report)
    for ep in report.entrypoints:
        if ep.service is not None and (ep.service.binary == process or ep.name == process):
            return _script_run(process, ep.name, config)
    # A script whose server only the whole program shows (Designate's designate-central) is named
    # so by trace but declared a tool here: it runs as itself, never as the API's WSGI application.
    for ep in report.entrypoints:
        if ep.name == process and ep.kind == "tool" and ep.group in ("console_scripts", "gui_scripts"):
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
