"""A trace as a sequence of messages between lanes: what every diagram of a flow draws.

The trace is a call tree; a diagram of it is about the processes and what crosses between them.
`sequence()` keeps the hops (RPC casts and calls), the calls into the virt driver and into other
services' clients, and turns the conditions and loops they sit under into `opt`/`alt`/`loop`
frames. Calls inside one process are collapsed: they are what the text tree and the graph view
are for. The renderers (SVG, Mermaid, PlantUML, seqdiag) draw this model and nothing else, so
they agree on what the flow is.

Lanes come in order of first appearance, with the client first, then the processes, then the
virt driver and the other services at the right, as the hand-drawn OpenStack workflow diagrams
have them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from stackread.flows.detail import group_label, method_names
from stackread.flows.flow import Step, Trace

CLIENT = "client"
LABEL_WIDTH = 60  # characters of a story's service arrow: one line of the SVG; the tooltip names every method


@dataclass(frozen=True)
class Lane:
    name: str  # what the lifeline is headed with: client, nova-api, libvirt, neutron
    kind: str  # client | process | driver | service


@dataclass(frozen=True)
class Message:
    source: str  # lane names
    target: str
    label: str  # the RPC method, the REST request, or Class.method of a driver or service call
    kind: str  # request | cast | call | return | invoke
    function: str = ""  # the dotted function the arrow reaches ('' for a return)
    path: str = ""
    line: int = 0
    fanout: bool = False
    route: str | None = None  # prepare(server=...) of a hop
    default_path: bool = True
    error_path: bool = False
    status: str | None = None  # in a flow diff: added | removed | changed | renamed
    more: str = ""  # what the tooltip adds: every method a story's service arrow stands for
    # A call to another service's API: a request its caller waits on, so it has a response, drawn
    # on the same arrow in the SVG (a diagram of 40 such calls would double in height otherwise).
    answered: bool = False


@dataclass(frozen=True)
class Note:
    lane: str
    text: str
    path: str = ""
    line: int = 0
    cut: bool = False  # where the flow cannot be followed (a skipped file): drawn as an alert


@dataclass(frozen=True)
class Activate:
    lane: str


@dataclass(frozen=True)
class Deactivate:
    lane: str


@dataclass
class Branch:
    label: str  # the condition or loop, as written in the source
    items: list = field(default_factory=list)
    default_path: bool = True  # taken when options have their defaults
    otherwise: bool = False  # the else of an alt: its label negates the first branch's


@dataclass
class Frame:
    kind: str  # opt | alt | loop
    branches: list[Branch]


Item = Message | Note | Activate | Deactivate | Frame


@dataclass
class Sequence:
    title: str
    lanes: list[Lane]
    items: list[Item]

    def messages(self) -> list[Message]:
        return [m for m in walk(self.items) if isinstance(m, Message)]

    def lane(self, name: str) -> Lane:
        return next(lane for lane in self.lanes if lane.name == name)


def walk(items: list[Item]):
    """Every item, frames included, depth first in drawing order."""
    for item in items:
        yield item
        if isinstance(item, Frame):
            for branch in item.branches:
                yield from walk(branch.items)


def short(dotted: str) -> str:
    """`Class.method` for a method, the function name otherwise."""
    parts = dotted.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 and parts[-2][:1].isupper() else parts[-1]


# -- conditions --------------------------------------------------------------------------------


def conjuncts(condition: str | None) -> list[str]:
    """`a and (b or c) and not (d)` -> ['a', '(b or c)', 'not (d)'], splitting only outside brackets.

    A step's condition holds everything it runs under, from the operation's entry down; a frame
    shows only what is new at its level, so the parts already shown by enclosing frames go.
    """
    if not condition:
        return []
    parts, depth, start, i = [], 0, 0, 0
    quote = None
    while i < len(condition):
        ch = condition[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and condition.startswith(" and ", i):
            parts.append(condition[start:i].strip())
            start = i + 5
            i += 4
        i += 1
    parts.append(condition[start:].strip())
    return [p for p in parts if p]


def _negates(a: str, b: str) -> bool:
    """Whether b is written as the negation of a (`x` and `not (x)`, `not x` and `x`)."""
    def negations(text: str) -> set[str]:
        out = {f"not ({text})", f"not {text}"}
        if text.startswith("not (") and text.endswith(")") and conjuncts(text[5:-1]) == [text[5:-1]]:
            out.add(text[5:-1])
        elif text.startswith("not ") and " " not in text[4:]:
            out.add(text[4:])
        return out

    return b in negations(a) or a in negations(b)


# -- lanes -------------------------------------------------------------------------------------


def driver_lane(step: Step, concrete: set[str]) -> str:
    """The driver package a driver call lands in: nova/virt/libvirt/... -> libvirt.

    A call to the base class (nova/virt/driver.py) runs in the one driver being traced, when
    there is one; with several (--driver all), it keeps a lane of its own.
    """
    name = _driver_package(step.path)
    if name:
        return name
    return next(iter(concrete)) if len(concrete) == 1 else "virt driver"


def _driver_package(path: str) -> str | None:
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if "virt" in parts:
        rest = parts[parts.index("virt") + 1:]
        if len(rest) > 1:  # virt/<driver>/..., not virt/driver.py itself
            return rest[0]
    return None


def _steps(step: Step):
    yield step
    for child in step.children:
        yield from _steps(child)


# -- the sequence ------------------------------------------------------------------------------


class _Builder:
    def __init__(self, trace: Trace, errors: bool):
        self.trace = trace
        self.errors = errors
        self.concrete = {d for s in _steps(trace.root) if s.kind == "driver" and (d := _driver_package(s.path))}
        self.order: dict[str, str] = {CLIENT: "client"}  # lane name -> kind, in order of first use

    def lane(self, name: str, kind: str) -> str:
        self.order.setdefault(name, kind)
        return name

    def build(self) -> Sequence:
        root = self.trace.root
        e = self.trace.entry
        request = f"{e.verb} {e.path}" + (f" ({e.action})" if e.action else "")
        api = self.lane(root.process, "process")
        items: list[Item] = [
            Message(CLIENT, api, request, "request", root.function, root.path, root.line),
            Activate(api),
            Note(api, short(root.function), root.path, root.line),
            *_respond(api, self.children(root, frozenset())),
        ]
        processes = [n for n, k in self.order.items() if k in ("client", "process")]
        drivers = [n for n, k in self.order.items() if k == "driver"]
        services = [n for n, k in self.order.items() if k == "service"]
        lanes = [Lane(n, self.order[n]) for n in processes + drivers + services]
        return Sequence(f"{self.trace.operation}: {request}", lanes, items)

    def children(self, step: Step, shown: frozenset[str]) -> list[Item]:
        out: list[Item] = []
        for child in step.children:
            if child.error_path and not self.errors:
                continue
            out += self.step(step, child, shown)
        return _merge(out)

    def step(self, parent: Step, step: Step, shown: frozenset[str]) -> list[Item]:
        """What one step draws, inside the frames of its own condition and loop."""
        new = [c for c in conjuncts(step.condition) if c not in shown]
        inner_shown = shown | set(new)
        loop = step.loop if step.loop and f"loop:{step.loop}" not in shown else None
        if loop:
            inner_shown = inner_shown | {f"loop:{loop}"}
        body = self.body(parent, step, frozenset(inner_shown))
        if not body:
            return []
        if loop:
            body = [Frame("loop", [Branch(loop, body, step.default_path)])]
        if new:
            body = [Frame("opt", [Branch(" and ".join(new), body, step.default_path)])]
        if step.error_path and not parent.error_path:  # only with --errors: where an except block starts
            body = [Frame("opt", [Branch("on error (in an except block)", body, False)])]
        return body

    def body(self, parent: Step, step: Step, shown: frozenset[str]) -> list[Item]:
        if step.kind == "hop" and step.hop is not None:
            h = step.hop
            source = self.lane(h.source, "process")
            target = self.lane(h.target, "process")
            label = h.method + (" (fanout)" if h.fanout else "")
            items: list[Item] = [
                Message(source, target, label, h.kind, step.function, step.path, step.line, h.fanout, h.route,
                        step.default_path and h.default_path, step.error_path or h.error_path),
                Activate(target),
                Note(target, short(step.function), step.path, step.line),
            ]
            if not step.seen_above:
                items += self.children(step, shown)
            if h.kind in ("call", "rest"):  # both wait for the answer
                items.append(Message(target, source, h.method, "return", default_path=step.default_path,
                                     error_path=step.error_path))
            items.append(Deactivate(target))
            return items
        if step.kind in ("driver", "service"):
            if step.kind == "driver":
                target = self.lane(driver_lane(step, self.concrete), "driver")
            else:
                target = self.lane(step.service or "service", "service")
            label, more = short(step.function), ""
            if step.calls:  # the story's one arrow for all of a service's calls in this activation
                label, more = group_label(step, LABEL_WIDTH), ", ".join(method_names(step))
            items = [Message(step.process, target, label,
                             "invoke", step.function, step.path, step.line,
                             default_path=step.default_path, error_path=step.error_path, more=more,
                             answered=step.kind == "service")]
            return items + ([] if step.seen_above else self.children(step, shown))
        if step.kind == "cut":
            return [Note(step.process, step.cut or "flow cut", step.path, step.line, cut=True)]
        if step.kind == "event" and step.event and not step.seen_above:
            # The event is how the flow reaches the callback's sends: said where its process runs it.
            note = Note(step.process, f"{step.event}: {short(step.function)}", step.path, step.line)
            return [note, *self.children(step, shown)]
        if step.seen_above:
            return []  # expanded above: the diagram shows a flow once
        return self.children(step, shown)


def _respond(api: str, items: list[Item]) -> list[Item]:
    """The API's response to the client: right after its last cast when that is the last thing the
    API itself does (a cast does not wait: the API answers 202 while the flow goes on), else at the end."""
    response = [Message(api, CLIENT, "response", "return"), Deactivate(api)]
    own = [i for i, item in enumerate(items)
           if any(isinstance(m, Message) and m.source == api for m in walk([item]))]
    last = own[-1] if own else None
    if last is not None and isinstance(items[last], Message) and items[last].kind == "cast":
        later = items[last + 1:]
        # what follows is the cast's own activation and the receiving process's work
        return items[:last + 1] + response + later
    return items + response


def _merge(items: list[Item]) -> list[Item]:
    """Neighbouring frames under one condition become one frame; `if c` then `if not (c)` an alt."""
    out: list[Item] = []
    for item in items:
        last = out[-1] if out else None
        if isinstance(item, Frame) and isinstance(last, Frame) and len(item.branches) == 1:
            new = item.branches[0]
            same_kind = item.kind == last.kind or (item.kind == "opt" and last.kind == "alt")
            if same_kind and last.branches[-1].label == new.label:
                last.branches[-1].items = _merge(last.branches[-1].items + new.items)
                last.branches[-1].default_path = last.branches[-1].default_path or new.default_path
                continue
            if item.kind == "opt" and last.kind == "opt" and len(last.branches) == 1 \
                    and _negates(last.branches[0].label, new.label):
                last.kind = "alt"
                last.branches.append(Branch(new.label, new.items, new.default_path, otherwise=True))
                continue
        out.append(item)
    return out


def sequence(trace: Trace, errors: bool = False) -> Sequence:
    """The flow of `trace` as lanes and messages; the error path only with `errors`."""
    return _Builder(trace, errors).build()


# -- helpers for renderers ---------------------------------------------------------------------


def frame_title(frame: Frame, branch: Branch) -> str:
    """What a frame's tab says: the condition, and whether the default configuration takes it."""
    text = "else" if branch.otherwise else branch.label
    if not branch.default_path:
        text += "  [not by default]"
    return text


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
