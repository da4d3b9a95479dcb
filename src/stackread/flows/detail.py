"""Levels of detail of a traced flow: what a reader sees first, and the rest one flag away.

The walk (walker.py) gives the `steps` tree: every call on the way to a hop, a driver or another
service. That is what the code does, and too much for a first look at a flow: in Nova's create
server, four RPC hops sit among some forty validation calls to Glance, Neutron, Placement and
Cinder. A level is a pure function of that tree:

- `hops`: the RPC hops only (each with its endpoint method; a call's return is drawn by the views).
- `story`: by rules, never by a list per operation:
  1. every hop, landing on its endpoint method;
  2. the driver's main call of each endpoint: a virt-driver call the endpoint makes itself or
     through its own helpers (methods whose name holds the endpoint's: `_do_build_and_run_instance`
     and `_build_and_run_instance` for `build_and_run_instance`), or a driver method named after the
     endpoint wherever below it (`attach_volume` reached from `attach_volume`); a query (`get_*`) is
     never the main call;
  3. per process, each other service's client as one step where that process first calls it,
     standing for all of the process's calls of that service (`calls`);
  4. the conditions and loops of what rules 1 and 2 keep, and only those: the frames of a drawing
     are where a hop or a driver call is conditional or looped (a dropped call's loop is carried by
     what it led to);
  5. where the flow is cut (cuts.py), which a reader must not miss.
- `steps`: the walk's tree as it is.
- `all`: every call (the walk asked with `--all-calls`, see question.MAX_DEPTH); no pruning here.

Everything keeps its `path:line`; the tree's Hop objects are kept as they are.
"""

from __future__ import annotations

import re
from dataclasses import replace

from stackread.errors import StackreadError
from stackread.flows.flow import Step, Trace

LEVELS = ("hops", "story", "steps", "all")
PRUNED = ("hops", "story")  # the levels worked out from the steps tree


def chosen(detail: str | None, all_calls: bool) -> str | None:
    """The level `--detail` and `--all-calls` ask for together (`--all-calls` is `--detail all`)."""
    if all_calls and detail not in (None, "all"):
        raise StackreadError(f"--all-calls is --detail all, not --detail {detail}")
    return "all" if all_calls else detail


def at_level(trace: Trace, level: str, errors: bool = False) -> Trace:
    """The flow at that level; the error path (except blocks) is kept only with `errors`."""
    if level not in LEVELS:
        raise ValueError(f"unknown level of detail {level!r}")
    if level not in PRUNED:
        return replace(trace, detail=level)
    root = trace.root
    kept = _settled(_Pruner(level, errors).activation(root))
    return replace(trace, root=replace(root, children=kept), detail=level)


def _settled(steps: list[Step]) -> list[Step]:
    """The pruned steps with each service group on the default path when any call it stands for is
    (its calls are all known only once the whole tree is pruned)."""
    return [replace(s, default_path=any(c.default_path for c in s.calls), children=_settled(s.children),
                    open=any(c.default_path for c in s.calls) and all(c.open for c in s.calls if c.default_path))
            if s.calls else replace(s, children=_settled(s.children)) for s in steps]


def group_label(step: Step, width: int | None = None) -> str:
    """The words of a story's service step: `neutron: 3 calls (validate_networks, create_resource_requests, …)`:
    every method, or as many as keep it within `width` characters (at least one)."""
    count = len(step.calls or [step])
    head = f"{step.service or 'service'}: {count} call{'s' if count != 1 else ''}"
    names = method_names(step)
    for shown in range(len(names), 0, -1):
        listed = ", ".join(names[:shown]) + (", …" if shown < len(names) else "")
        if width is None or len(head) + len(listed) + 3 <= width or shown == 1:
            return f"{head} ({listed})"
    return head


def method_names(step: Step) -> list[str]:
    """The distinct methods a service step stands for, in the order they are first called."""
    names: list[str] = []
    for call in step.calls or [step]:
        name = call.function.rsplit(".", 1)[-1]
        if name not in names:
            names.append(name)
    return names


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"_+", name.rsplit(".", 1)[-1].lower()) if w]


def helper_of(endpoint: str, function: str) -> bool:
    """Whether `function` is named as a helper of `endpoint`: the endpoint's words, in a row, in its
    own name (`_do_live_migration` for `live_migration`; not `migrate` for `live_migration`)."""
    want, have = _words(endpoint), _words(function)
    n = len(want)
    return n > 0 and any(have[i:i + n] == want for i in range(len(have) - n + 1))


def _query(function: str) -> bool:
    """A driver method that only answers a question (`get_info`, `get_volume_connector`) is no main call."""
    return function.rsplit(".", 1)[-1].startswith("get_")


class _Pruner:
    def __init__(self, level: str, errors: bool):
        self.level = level
        self.errors = errors
        self.groups: dict[tuple[str, str], Step] = {}  # (process, service) -> the step standing for its calls

    def activation(self, start: Step) -> list[Step]:
        """What stays below the entry or an endpoint, flat and in call order (what was between them
        is dropped)."""
        out: list[Step] = []
        endpoint = start.function.rsplit(".", 1)[-1]
        self._below(start, endpoint, True, ([], []), out)
        return out

    def _below(self, step: Step, endpoint: str, own: bool, under: tuple[list[str], list[str]],
               out: list[Step]) -> None:
        """The kept steps under `step`, into `out`. `own`: reached through the endpoint's own helpers
        only; `under`: the conditions and loops of the calls on the way from the endpoint, outermost
        first, which a kept step carries since the calls that wrote them are dropped."""
        for child in step.children:
            if child.error_path and not self.errors:
                continue
            conditions, loops = under
            inner = (conditions + ([child.condition] if child.condition else []),
                     loops + ([child.loop] if child.loop and child.loop not in loops else []))
            kept = self._kept(child, endpoint, own, inner)
            if kept is not None:
                out.append(kept)
                if child.kind == "driver" and not child.seen_above:
                    # What the driver calls back (handing.py) is the endpoint's own code: kept as its helpers are.
                    self._below(child, endpoint, own, inner, out)
                elif child.kind == "service" and not child.seen_above:
                    self._below(child, endpoint, False, inner, out)  # a service's: its REST hops (crossing.py)
                continue
            if child.kind == "service":
                self._below(child, endpoint, False, inner, out)  # counted in its group; its REST hops stay
                continue
            self._below(child, endpoint, own and helper_of(endpoint, child.function), inner, out)

    def _kept(self, step: Step, endpoint: str, own: bool, under: tuple[list[str], list[str]]) -> Step | None:
        """The step as it stays (None: dropped, or counted in a service's group)."""
        where = {"condition": " and ".join(under[0]) or None, "loop": "; ".join(under[1]) or None}
        if step.kind == "hop":
            children = [] if step.seen_above else self.activation(step)
            return replace(step, **where, children=children)
        if step.kind == "cut":
            return replace(step, **where)
        if step.kind == "event" and _leads_to_hop(step, self.errors):
            # The published event a notifier subscribed to is how the flow reaches its hop: a reader
            # draws `port after_create` between the plugin and the DHCP agent's cast.
            children: list[Step] = []
            self._below(step, endpoint, own, ([], []), children)
            return replace(step, **where, children=children)
        if self.level != "story":
            return None
        if step.kind == "driver" and not _query(step.function) and (own or helper_of(endpoint, step.function)):
            return replace(step, **where, children=[])
        if step.kind == "service":
            key = (step.process, step.service or "")
            if key in self.groups:
                self.groups[key].calls.append(step)
                return None
            # A group stands for calls under several conditions: it draws no frame of its own.
            group = self.groups[key] = replace(step, condition=None, loop=None, children=[], calls=[step])
            return group
        return None


def _leads_to_hop(step: Step, errors: bool) -> bool:
    """Some step below is an RPC hop or a cut (on the error path only with --errors)."""
    return any((errors or not c.error_path) and (c.kind in ("hop", "cut") or _leads_to_hop(c, errors))
               for c in step.children)
