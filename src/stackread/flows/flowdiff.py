"""`stackread trace OPERATION --diff OTHER`: how one operation's flow changed between two versions.

Two traces of the same operation (two git revisions read from the object store, or two source
trees such as two unpacked sdists) are compared hop by hop and step by step:

- hops are matched by (sending process, receiving process, RPC method); what is left over on
  both sides is paired as *renamed* when the sender and receiver are the same and either the
  client method is the same or the endpoint class is the same at the same position among the
  leftover hops between those two processes (Newton's `build_instances` and Ocata's
  `schedule_and_build_instances`, both served by ComputeTaskManager);
- a matched hop is *changed* when what it does differs (cast <-> call, fanout, the endpoint or
  client method, default path, error path, routing, or its condition inside the sending process:
  the if/else from where the flow entered that process to the send; the conditions further up
  are the earlier hops' business, so one changed branch in nova-api does not mark every hop
  after it), *moved* when only where its code lives differs, *same* otherwise; added and removed
  hops are the rest;
- steps (functions on the path, per process) are matched by dotted name, then by their short
  name (`Class.method`) when a module was renamed; a matched step whose path or line differs
  has *moved*, with both places; the others are added or removed.

`diff_traces` is pure: it reads two `Trace`s and nothing else. `diff_operation` traces the
operation on both sides first, each with the `--set` values its tree declares.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable

from stackread.flows.flow import Hop, Step, Trace

if TYPE_CHECKING:
    from stackread.flows.question import Question
    from stackread.flows.reading import Reading
    from stackread.flows.trace import Progress

# What a hop does; a difference in any of these is a change a reader of the flow cares about.
_HOP_MEANING = ("method", "source", "target", "kind", "fanout", "client", "endpoint", "route", "default_path",
                "error_path")
# Where its code is; a difference only here means the code moved.
_HOP_PLACE = ("client_path", "client_line", "endpoint_path", "endpoint_line")


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class HopChange:
    status: str  # added | removed | renamed | changed | moved | same
    old: Hop | None
    new: Hop | None
    changes: list[FieldChange] = field(default_factory=list)  # meaning, then place

    @property
    def hop(self) -> Hop:
        return self.new if self.new is not None else self.old  # type: ignore[return-value]

    def changed(self, name: str) -> FieldChange | None:
        return next((c for c in self.changes if c.field == name), None)


@dataclass
class StepChange:
    status: str  # added | removed | moved
    process: str
    old: Step | None
    new: Step | None

    @property
    def step(self) -> Step:
        return self.new if self.new is not None else self.old  # type: ignore[return-value]


@dataclass
class FlowDiff:
    operation: str
    old: Trace
    new: Trace
    hops: list[HopChange]  # in the new flow's order, removed hops where the old flow had them
    steps: list[StepChange]  # added, removed and moved steps; unchanged ones are left out
    errors: bool = False  # whether error-path hops and steps were kept

    def count(self, status: str) -> int:
        return sum(1 for h in self.hops if h.status == status)

    @property
    def entry_moved(self) -> bool:
        a, b = self.old.entry, self.new.entry
        return (a.controller, a.controller_path, a.controller_line) != (b.controller, b.controller_path,
                                                                       b.controller_line)


def diff_traces(old: Trace, new: Trace, errors: bool = False) -> FlowDiff:
    """The hops and steps that differ from `old` to `new`. Error-path hops and steps are left
    out unless `errors`, except a hop that moved onto or off the error path."""
    pairs, removed, added = _match_hops(old.hops, new.hops)
    changes: dict[int, HopChange] = {}  # by id() of the new hop
    local = {**_local_conditions(old.root), **_local_conditions(new.root)}
    for a, b, renamed in pairs:
        meaning, place = _compare(a, b)
        was, now = local.get(id(a)), local.get(id(b))
        if _normal(was) != _normal(now):
            meaning.append(FieldChange("condition", was, now))
        status = "renamed" if renamed else "changed" if meaning else "moved" if place else "same"
        changes[id(b)] = HopChange(status, a, b, meaning + place)
    ordered = _in_order(old.hops, new.hops, changes, removed, added)
    if not errors:
        ordered = [c for c in ordered if not all(h.error_path for h in (c.old, c.new) if h is not None)]
    steps = _diff_steps(_steps_of(old.root, errors), _steps_of(new.root, errors))
    return FlowDiff(new.operation, old, new, ordered, steps, errors)


def diff_operation(old: Reading, new: Reading, question: Question, progress: Progress | None = None,
                   tell: Callable[[str], None] | None = None) -> FlowDiff:
    """How the question's flow changed from the old project to the new one. Each side is asked with
    the settings its tree declares; `tell` (the CLI: stderr) hears of each one left out of a side,
    before anything is traced. An operation one side lacks is an UnknownOperation naming that side."""
    from stackread.flows.settings import settings_across
    from stackread.flows.trace import UnknownOperation, trace_operation

    asked = [question, question]
    if question.settings:
        per_tree, left_out = settings_across([old, new], question.settings)
        asked = [replace(question, settings=settings) for settings in per_tree]
        for warning in left_out if tell is not None else ():
            tell(warning)
    traces = []
    for reading, side in zip((old, new), asked):
        try:
            traces.append(trace_operation(reading, side, progress))
        except UnknownOperation as exc:
            raise UnknownOperation(exc.lookup, reading.label) from None
    return diff_traces(traces[0], traces[1], question.errors)


# -- hops ------------------------------------------------------------------------------------------

def _key(h: Hop) -> tuple[str, str, str]:
    return (h.source, h.target, h.method)


def _match_hops(old: list[Hop], new: list[Hop]):
    """(pairs (old, new, renamed), removed old hops, added new hops)."""
    pairs: list[tuple[Hop, Hop, bool]] = []
    left_new = list(new)
    left_old = list(old)
    # The same (source, target, method) on both sides; when it occurs several times (a cast and a
    # call of one method under different conditions), same kind first, then in flow order.
    for same_kind in (True, False):
        pending, left_old = left_old, []
        for a in pending:
            found = next((b for b in left_new if _key(b) == _key(a) and (not same_kind or b.kind == a.kind)), None)
            if found is None:
                left_old.append(a)
            else:
                left_new.remove(found)
                pairs.append((a, found, False))
    # Renamed: same processes, and the same client method, or the same endpoint class at the same
    # position among the leftover hops between those two processes.
    renamed: list[tuple[Hop, Hop, bool]] = []
    for a in list(left_old):
        candidates = [b for b in left_new if (b.source, b.target) == (a.source, a.target)]
        found = next((b for b in candidates if b.client == a.client), None)
        if found is None:
            position = [h for h in left_old if (h.source, h.target) == (a.source, a.target)].index(a)
            if position < len(candidates) and _owner(candidates[position].endpoint) == _owner(a.endpoint):
                found = candidates[position]
        if found is not None:
            left_old.remove(a)
            left_new.remove(found)
            renamed.append((a, found, True))
    return pairs + renamed, left_old, left_new


def _local_conditions(root: Step) -> dict[int, str | None]:
    """For each hop (by id), the conditions from where the flow entered the sending process to the send."""
    found: dict[int, str | None] = {}
    todo: list[tuple[Step, tuple[str, ...]]] = [(root, ())]
    while todo:
        step, conditions = todo.pop()
        conditions = conditions + ((step.condition,) if step.condition and step is not root else ())
        if step.hop is not None:
            found[id(step.hop)] = " and ".join(conditions) or None
            conditions = ()
        todo.extend((child, conditions) for child in step.children)
    return found


def _owner(dotted: str) -> str:
    return dotted.rsplit(".", 1)[0]


def _compare(a: Hop, b: Hop) -> tuple[list[FieldChange], list[FieldChange]]:
    meaning = [FieldChange(f, getattr(a, f), getattr(b, f)) for f in _HOP_MEANING
               if _normal(getattr(a, f)) != _normal(getattr(b, f))]
    place = [FieldChange(f, getattr(a, f), getattr(b, f)) for f in _HOP_PLACE if getattr(a, f) != getattr(b, f)]
    return meaning, place


def _normal(value: Any) -> Any:
    """Conditions compare without their line breaks and indentation."""
    return " ".join(value.split()) if isinstance(value, str) else value


def _in_order(old: list[Hop], new: list[Hop], changes: dict[int, HopChange], removed: list[Hop],
              added: list[Hop]) -> list[HopChange]:
    """The new flow's order; each removed hop right after the new partner of the nearest old hop
    before it that has one (or first)."""
    partner = {id(c.old): c.new for c in changes.values()}  # id() of an old hop -> its new hop
    removed_ids = {id(h) for h in removed}
    after: dict[int | None, list[HopChange]] = {}
    anchor: int | None = None
    for h in old:
        if id(h) in removed_ids:
            after.setdefault(anchor, []).append(HopChange("removed", h, None))
        elif id(h) in partner:
            anchor = id(partner[id(h)])
    added_ids = {id(h) for h in added}
    result = list(after.get(None, []))
    for h in new:
        result.append(HopChange("added", None, h) if id(h) in added_ids else changes[id(h)])
        result += after.get(id(h), [])
    return result


# -- steps -----------------------------------------------------------------------------------------

def _steps_of(root: Step, errors: bool) -> dict[tuple[str, str], Step]:
    """Each (process, function) on the path once, where the tree expands it."""
    found: dict[tuple[str, str], Step] = {}
    todo = [root]
    while todo:
        step = todo.pop()
        if step.error_path and not errors or step.kind == "cut":  # a cut is no function: the notes say it
            continue
        key = (step.process, step.function)
        if key not in found or (found[key].seen_above and not step.seen_above):
            found[key] = step
        todo.extend(reversed(step.children))
    return found


def _short_name(function: str) -> str:
    parts = function.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 and parts[-2][:1].isupper() else parts[-1]


def _diff_steps(old: dict[tuple[str, str], Step], new: dict[tuple[str, str], Step]) -> list[StepChange]:
    result: list[StepChange] = []
    left_old = {k: s for k, s in old.items() if k not in new}
    left_new = {k: s for k, s in new.items() if k not in old}
    for key, b in new.items():
        a = old.get(key)
        if a is not None and (a.path, a.line) != (b.path, b.line):
            result.append(StepChange("moved", key[0], a, b))
    # A module renamed or a function moved to another module: the same Class.method in the same
    # process, once on each side.
    by_short_old: dict[tuple[str, str], list] = {}
    by_short_new: dict[tuple[str, str], list] = {}
    for key in left_old:
        by_short_old.setdefault((key[0], _short_name(key[1])), []).append(key)
    for key in left_new:
        by_short_new.setdefault((key[0], _short_name(key[1])), []).append(key)
    for short, keys in by_short_new.items():
        olds = by_short_old.get(short, [])
        if len(keys) == 1 and len(olds) == 1:
            a, b = left_old.pop(olds[0]), left_new.pop(keys[0])
            result.append(StepChange("moved", short[0], a, b))
    result += [StepChange("removed", k[0], s, None) for k, s in left_old.items()]
    result += [StepChange("added", k[0], None, s) for k, s in left_new.items()]
    order = {"removed": 0, "added": 1, "moved": 2}
    result.sort(key=lambda c: (c.process, order[c.status], c.step.path, c.step.line))
    return result
