"""Where a flow cannot be followed: a call into a module of the tree that was skipped.

A module that does not parse or cannot be read is missing from the program, and whatever a flow
does through it is unknown. The resolver turns everything reached through such a module (a name
imported from it, an instance one of its factories makes, a dotted name in a string) into a
("cut", module) value; `trace` asks at every call site whether the callee is one, and asks the
same of every RPC send whose serving manager lives in a skipped module. Each is a step of kind
"cut" in the flow: shown in the text, the JSON and the drawings, a note instead of "reaches no
other process", and an error naming the call site, so the command exits 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stackread.diagnostics import Diagnostics

if TYPE_CHECKING:  # a flow read back from the cache needs neither the index nor the resolver
    from stackread.index.build import SkippedFile


@dataclass(frozen=True)
class Cut:
    """One place a flow stops: the call (path:line, in `function`, run by `process`) and the file it
    would have gone on in."""

    process: str
    function: str  # the caller
    path: str
    line: int
    module: str  # the skipped module the call goes into
    skipped_path: str
    skipped_line: int | None  # where in it the problem is, when it is in the text
    text: str  # "flow cut: nova/conductor/rpcapi.py could not be parsed (line 1: does not parse: ...)"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


@dataclass(frozen=True)
class Cuts:
    """What a walk of the program cannot follow: the skipped modules by name, and the RPC sends
    (client method, line) whose serving manager lives in one, with those modules."""

    skipped: dict[str, "SkippedFile"]
    sends: dict[tuple[str, int], list[str]]


def cut_text(skipped: "SkippedFile") -> str:
    how = "read" if skipped.unread else "parsed"
    where = f"line {skipped.line}: " if skipped.line else ""
    return f"flow cut: {skipped.path} could not be {how} ({where}{skipped.reason})"


def cut_modules(program, module, record: list, receiver: tuple[str | None, bool]) -> list[str]:
    """The skipped modules a call site's callee is reached through, run by `self` of class `receiver`."""
    if not program.skipped:
        return []
    from stackread.program.facts import Scope

    scope = Scope(module, record[0], *receiver)
    return sorted({value[1] for value in program.resolve(record[1], scope) if value[0] == "cut"})


def cut_sends(program, sends, services) -> dict[tuple[str, int], list[str]]:
    """(client method, line) -> skipped modules, for RPC sends that no endpoint serves because the
    manager of every service listening on their topic lives in a skipped module."""
    if not program.skipped:
        return {}
    managers: dict[str, set[str]] = {}
    for ep in services:
        service = ep.service
        for topic in (service.topic, *service.extra_topics):
            if topic and service.manager:
                managers.setdefault(topic, set()).add(service.manager)
    found: dict[tuple[str, int], list[str]] = {}
    for send in sends:
        if send.endpoint or send.topic not in managers:
            continue
        modules = sorted({value[1] for manager in sorted(managers[send.topic])
                          for value in program.resolve_dotted(manager) if value[0] == "cut"})
        if modules:
            found[(send.client, send.client_line)] = modules
    return found


def cuts_of(root) -> list[Cut]:
    """The cuts of a flow, in the order a reader meets them."""
    found: list[Cut] = []
    todo = [(root, None)]
    while todo:
        step, parent = todo.pop()
        if step.kind == "cut" and parent is not None:
            found.append(Cut(step.process, parent.function, parent.path, step.call_line or parent.line,
                             step.function, step.path, step.line or None, step.cut or "flow cut"))
        todo.extend((child, step) for child in reversed(step.children))
    return found


def report(root, diagnostics: Diagnostics) -> list[str]:
    """An error for each place the flow is cut, and the notes that say so under the answer."""
    cuts = list({(c.path, c.line, c.module): c for c in cuts_of(root)}.values())
    for cut in cuts:
        diagnostics.error(cut.path, cut.line, f"{cut.text}; the flow is not followed past this call")
    return [f"{cut.process}: the flow is cut at {cut.path}:{cut.line}: {cut.text.removeprefix('flow cut: ')}; "
            "what happens after that call is unknown." for cut in cuts]
