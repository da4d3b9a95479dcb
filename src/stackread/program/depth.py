"""How deep the value-flow engine may follow one chain before it cuts it short, and the Guard that
its parts share to keep every chain finite: memoised, a cycle answered empty, depth watched.

The engine follows values by recursion (a name to its assignment, to the function it calls,
to what that returns, ...), memoised. Code can make such a chain as long as it likes
(`a1 = a0`, `a2 = a1`, ... thousands of generated lines), and Python's stack ends somewhere:
from a depth of CHECK_FROM on (Nova reaches 75 levels, using 430 frames of its 1000), the stack
is measured every CHECK_EVERY levels, and a chain that would exhaust it is cut there: its further
values are left out, with a warning. A run that never comes near the limit answers as before.

The stack is measured from where the Guard was made, never from the bottom: a cut, and with it the
graph, must not depend on how deep the caller already was (pytest runs the engine some 60 frames
deeper than a shell, a console script 2 frames shallower than `python -m`, and they share a cache).
"""

from __future__ import annotations

import sys
from typing import Callable

from stackread.diagnostics import Diagnostics
from stackread.program.facts import EMPTY, ModuleFacts

CHECK_FROM = 32  # nesting below which the stack is never measured
CHECK_EVERY = 8  # levels between two measurements; each level takes at most ~12 frames
_MARGIN = 250  # frames kept free: the levels until the next measurement, and what runs after a cut
# Frames a chain may take above the Guard's maker. Where a chain is cut changes which answers are
# kept empty, so any budget is a choice; this one is what the test suite's runs had under the
# default limit of 1000 (pytest makes the Guard some 75 frames deep), the graph every real-release
# test was checked on; a shell now computes that graph too.
FRAME_BUDGET = 677


def frame_depth() -> int:
    """How many frames are under way, this one's caller's included."""
    depth, frame = 0, sys._getframe(1)
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


def stack_nearly_full(stack_end: int) -> bool:
    """Whether the stack, this frame included, is stack_end frames deep."""
    try:
        sys._getframe(stack_end - 1)
    except ValueError:  # the stack is not that deep
        return False
    return True


def cut_message(depth: int) -> str:
    return (f"values here flow through more than {depth} nested definitions, too deep to follow; "
            "what lies further along is left out")


class Guard:
    """The chains the engine is following right now, shared by all its parts: each computation runs
    at most once at a time, and none goes deeper than the stack allows.

    The engine's parts test `len(guard.active) + guard.chain >= guard.next_check` themselves before
    calling `cut_short`: it is on the hottest path, and most of the time it is False.
    """

    def __init__(self, diagnostics: Diagnostics):
        self.diagnostics = diagnostics  # where a chain cut short is reported
        self.active: set = set()  # the memoised computations under way
        self.chain = 0  # module_attr calls under way (the rest of the nesting is len(self.active))
        self.next_check = CHECK_FROM  # nesting at which the stack is measured next
        self.site: tuple[str, int] | None = None  # the call site being resolved: where a cut is reported
        self.stack_end = frame_depth() + FRAME_BUDGET  # frames at which a chain is cut
        if sys.getrecursionlimit() < self.stack_end + _MARGIN:
            sys.setrecursionlimit(self.stack_end + _MARGIN)

    def cut_short(self, module: ModuleFacts, function: str) -> bool:
        """Whether the chain being followed is too deep to go on; warns where."""
        depth = len(self.active) + self.chain
        if not stack_nearly_full(self.stack_end):
            self.next_check = depth + CHECK_EVERY
            return False
        path, line = self.site or (module.path, module.defs[function].line if function in module.defs else None)
        self.diagnostics.warning(path, line, cut_message(depth))
        return True

    def cached(self, memo: dict, key, compute: Callable[[], frozenset]) -> frozenset:
        """The answer memo holds for key, else `memoised`: the lookup every simple memo makes first."""
        found = memo.get(key)
        return found if found is not None else self.memoised(memo, key, compute)

    def memoised(self, memo: dict, key, compute: Callable[[], frozenset]) -> frozenset:
        """Compute once. A computation that meets itself (`query = query.filter()`) gets an empty
        provisional answer there; value sets are walked in sorted order, so which answers are
        provisional, and so the result, never depends on hash seeds: every run gives the same graph."""
        active = (id(memo), key)
        if active in self.active:
            return EMPTY
        self.active.add(active)
        try:
            result = compute()
        finally:
            self.active.discard(active)
        memo[key] = result
        return result
