"""Method resolution orders of the tree's classes, without recursion.

An inheritance chain is as long as the code makes it (generated classes, hundreds deep), so
the orders of a class's ancestors are made bottom-up from an explicit stack, never by a
function calling itself once per ancestor.
"""

from __future__ import annotations

from typing import Callable


def linearise(cls: str, bases_of: Callable[[str], list[str]], known: dict[str, list[str]]) -> list[str]:
    """The MRO of `cls`, storing it and every ancestor's in `known` (which also holds those made before).

    Each class's order is made once all its bases have one. A class reached again while its own
    order is being made (a cycle through broken bases) counts as just itself there, so a cycle ends.
    """
    if cls in known:
        return known[cls]
    pending: dict[str, list[str]] = {}  # classes being made -> their bases
    stack = [cls]
    while stack:
        top = stack[-1]
        if top in pending:
            stack.pop()
            known[top] = c3(top, pending.pop(top), known.__getitem__)
            continue
        if top in known:  # pushed twice (a diamond), and made meanwhile
            stack.pop()
            continue
        known[top] = [top]  # provisional: guards a cycle
        bases = pending[top] = bases_of(top)
        # First base on top: its order is made first, as a recursive definition would.
        stack.extend(base for base in reversed(bases) if base not in known)
    return known[cls]


def c3(cls: str, bases: list[str], mro_of: Callable[[str], list[str]]) -> list[str]:
    """C3 linearisation from the bases' own orders; a hierarchy Python would reject falls back to
    depth-first order."""
    if len(bases) == 1:
        # One base: C3 gives the class and then the base's order, whenever that order repeats nothing.
        order = mro_of(bases[0])
        if len(set(order)) == len(order):
            return [cls, *order]
    sequences = [list(mro_of(base)) for base in bases] + [list(bases)]
    result = [cls]
    while True:
        sequences = [s for s in sequences if s]
        if not sequences:
            return result
        for sequence in sequences:
            head = sequence[0]
            if not any(head in s[1:] for s in sequences):
                break
        else:
            seen = set(result)
            for base in bases:
                for item in mro_of(base):
                    if item not in seen:
                        seen.add(item)
                        result.append(item)
            return result
        result.append(head)
        for sequence in sequences:
            if sequence and sequence[0] == head:
                del sequence[0]
