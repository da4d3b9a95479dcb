"""What string arithmetic makes of strings already known, for every reader of the engine.

The value sets (program.values, program.containers), the concrete evaluator (program.constants)
and the walk's conditions (flows.conditions) all meet `'do_' + action`, `'%s.%s' % (a, b)`,
f-strings and `name.replace('-', '_')` on strings they know; the rules of which of those are
applied, and how far, live here once. Only str's own pure methods are called, on str receivers:
nothing of the tree runs.
"""

from __future__ import annotations

from typing import Any

# str methods that only compute from their arguments (no callbacks, output bounded by the input).
METHODS = frozenset({"rpartition", "partition", "split", "rsplit", "replace", "strip", "lstrip", "rstrip",
                     "lower", "upper", "format", "join", "startswith", "endswith", "removeprefix",
                     "removesuffix"})
MAX_MADE = 64  # strings made from parts, at most: a table of names, not a cross product

NOTHING = object()  # what a rule gives when it does not apply (None is a value a reader may know)


def method(text: Any, name: str, args: tuple | list = (), kwargs: dict | None = None) -> Any:
    """What `text.name(*args, **kwargs)` returns, or NOTHING: not a str, not one of METHODS, or
    arguments the method refuses."""
    if not isinstance(text, str) or name not in METHODS:
        return NOTHING
    try:
        return getattr(text, name)(*args, **(kwargs or {}))
    except (TypeError, ValueError, IndexError, KeyError):
        return NOTHING


def formatted(template: str, args: Any) -> Any:
    """`template % args` (a tuple's elements as the arguments), or NOTHING where Python would raise."""
    try:
        return template % (args if isinstance(args, tuple) else (args,))
    except (TypeError, ValueError, KeyError):
        return NOTHING


def made(op: str, parts: list[list[str]]) -> list[str]:
    """Every string `'do_' + x` ("+"), an f-string ("f") or `'x_%s' % (a, b)` ("%": the template,
    then the arguments) can be, from the strings each part can be; none when a part can be no
    string, when there would be more than MAX_MADE, or when a formatting cannot be done."""
    combinations = 1
    for texts in parts:
        combinations *= len(texts)
    if not combinations or combinations > MAX_MADE:
        return []
    combined: list[tuple[str, ...]] = [()]
    for texts in parts:
        combined = [c + (text,) for c in combined for text in texts]
    if op != "%":
        return ["".join(c) for c in combined]
    found = []
    for c in combined:
        text = formatted(c[0], tuple(c[1:]))
        if text is NOTHING:
            return []
        found.append(text)
    return found
