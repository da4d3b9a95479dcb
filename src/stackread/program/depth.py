"""How deep the value-flow engine may follow one chain before it cuts it short.

The engine follows values by recursion (a name to its assignment, to the function it calls,
to what that returns, ...), memoised. Code can make such a chain as long as it likes
(`a1 = a0`, `a2 = a1`, ... thousands of generated lines), and Python's stack ends somewhere:
from a depth of CHECK_FROM on (Nova reaches 75 levels, using 430 frames of its 1000), the stack
is measured every CHECK_EVERY levels, and a chain that would exhaust it is cut there: its further
values are left out, with a warning. A run that never comes near the limit answers as before.
"""

from __future__ import annotations

import sys

CHECK_FROM = 32  # nesting below which the stack is never measured
CHECK_EVERY = 8  # levels between two measurements; each level takes at most ~12 frames
_MARGIN = 250  # frames kept free: the levels until the next measurement, and what runs after a cut


def stack_nearly_full() -> bool:
    """Whether fewer than _MARGIN frames are left before RecursionError."""
    try:
        sys._getframe(sys.getrecursionlimit() - _MARGIN)
    except ValueError:  # the stack is not that deep
        return False
    return True


def cut_message(depth: int) -> str:
    return (f"values here flow through more than {depth} nested definitions, too deep to follow; "
            "what lies further along is left out")
