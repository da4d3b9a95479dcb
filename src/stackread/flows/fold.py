"""A function drawn once per place it runs: the calls under one step that draw the same thing, folded.

Under one caller the walk may reach one function several times, each drawn alike: an inherited
method once per implementation `self.driver` can be (Cinder's `BaseVD._attach_volume` for eight
drivers, Manila's `ShareDriver.allocate_network` for five), or several call sites of one function
(a controller's redefinitions by microversion all calling `_create`). The first is kept and says how
many calls it stands for (`Step.folded`: the call line of each other one); a sibling is folded into
it only when nothing of its own is lost:

- the two are the same step as a reader sees it: function, process, kind, condition, loop, path
  (default, error) and, for a hop, the same hop (`self` being of another class is not shown);
- everything under the folded one is under the kept one too, or is a reference to an expansion
  elsewhere ("expanded above"), so no hop and no call disappears from the tree;
- at another call site, nothing under it crosses a process: a hop sent again later in the flow is a
  hop of its own in a sequence drawing, where the order of the sends matters.

A pure function of the walk's tree (walker.py), run before the hops are listed and the levels of
detail prune it.
"""

from __future__ import annotations

from dataclasses import replace

from stackread.flows.flow import Hop, Step


def folded(step: Step) -> Step:
    """The step with the repeated calls under it, at every depth, each drawn once."""
    kept: list[Step] = []
    for child in (folded(c) for c in step.children):
        for i, other in enumerate(kept):
            if _same(child, other) and _within(child, other):
                kept[i] = replace(other, folded=other.folded + [child.call_line or 0] + child.folded)
                break
            if _same(child, other) and _within(other, child):
                # The later call is the one drawn in full (the earlier one referred to an expansion):
                # it takes the earlier one's place, so the calls stay in source order.
                kept[i] = replace(child, call_line=other.call_line,
                                  folded=[child.call_line or 0] + child.folded + other.folded)
                break
        else:
            kept.append(child)
    return replace(step, children=kept)


def folded_label(step: Step) -> str:
    """What a folded step says of the calls it stands for: `×5`, `×3, also called at lines 230, 244`."""
    others = sorted({line for line in step.folded if line and line != step.call_line})
    text = f"×{len(step.folded) + 1}"
    if others:
        text += f", also called at line{'s' if len(others) > 1 else ''} {', '.join(map(str, others))}"
    return text


def _key(step: Step) -> tuple:
    return (step.function, step.process, step.kind, step.condition, step.loop, step.default_path, step.open,
            step.error_path, step.service, step.cut, tuple(step.assumed), step.event, step.callback,
            _hop_key(step.hop))


def _hop_key(hop: Hop | None) -> tuple | None:
    if hop is None:
        return None
    return (hop.source, hop.target, hop.method, hop.kind, hop.fanout, hop.endpoint, hop.route, hop.condition,
            hop.default_path, hop.open, hop.error_path)


def _same(step: Step, other: Step) -> bool:
    return _key(step) == _key(other) and (step.call_line == other.call_line or not _crosses(step))


def _within(step: Step, other: Step) -> bool:
    """Everything the step draws, `other` draws too (a reference to an expansion elsewhere counts as drawn)."""
    if _key(step) != _key(other):
        return False
    if step.seen_above and not step.children:
        return True
    if step.seen_above != other.seen_above or step.calls or other.calls:
        return False
    return all(any(_within(child, mine) for mine in other.children) for child in step.children)


def _crosses(step: Step) -> bool:
    """Whether a hop is drawn at or under the step."""
    return step.hop is not None or any(_crosses(child) for child in step.children)
