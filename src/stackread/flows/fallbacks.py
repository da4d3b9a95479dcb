"""A driver's fallback: `try: self.driver.rebuild(...)  except NotImplementedError: <default impl>`.

Which branch runs is not an error case but a property of the driver the walk chose: LibvirtDriver
does not override `ComputeDriver.rebuild`, whose body only raises NotImplementedError, so on the
default path of a rebuild or an evacuate the handler runs (`_rebuild_default_impl`, and on to
`LibvirtDriver.spawn`) and what the try does after that call does not. A reader decides it so; the
walk does the same for every call whose chosen targets are all such declarations (index/summary marks
the calls such a try guards with a ["try", ...] context entry). Where a target is implemented, the
handler stays the error path it is.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fallback:
    """How a try guarded by `except NotImplementedError` turns out on this path."""

    raised_at: int  # the line of the call that raises
    why: str  # the assumption that decided it, as the trace shows it

    def skipped(self, line: int) -> bool:
        """A call of the try body past the raising one does not run."""
        return line > self.raised_at


def fallbacks(listed: list, defs: dict) -> dict[int, tuple[str, Fallback]]:
    """For the children of one step (the walker's `listed`: (context, (kind, target, line, receiver,
    record), budget)), by index: ("handler", f) for a call in an except block that runs because its
    try raised NotImplementedError, ("skipped", f) for a try-body call after the raise."""
    tries: dict[tuple, set[int]] = {}  # context prefix -> lines of the tries under it
    targets: dict[tuple, dict[int, list]] = {}  # (prefix, try line) -> call line -> [(target, receiver)]
    for context, (kind, target, line, receiver, _record), _budget in listed:
        for index, (entry_kind, _text, entry_line) in enumerate(context):
            if entry_kind == "try":
                prefix = _key(context[:index])
                tries.setdefault(prefix, set()).add(entry_line)
                if kind in ("call", "driver"):
                    targets.setdefault((prefix, entry_line), {}).setdefault(line, []).append((target, receiver))
    raising: dict[tuple, Fallback] = {}
    for key, by_line in targets.items():
        for line in sorted(by_line):
            declared = [(t, r) for t, r in by_line[line] if defs.get(t) is not None and defs[t].abstract]
            if declared and len(declared) == len(by_line[line]):
                raising[key] = Fallback(line, _why(*declared[0]))
                break
    found: dict[int, tuple[str, Fallback]] = {}
    if not raising:
        return found
    for position, (context, (_kind, _target, line, _receiver, _record), _budget) in enumerate(listed):
        for index, (entry_kind, text, entry_line) in enumerate(context):
            prefix = _key(context[:index])
            if entry_kind == "try" and (prefix, entry_line) in raising:
                fallback = raising[(prefix, entry_line)]
                if fallback.skipped(line):
                    found[position] = ("skipped", fallback)
                break
            if entry_kind == "except" and "NotImplementedError" in text:
                before = [t for t in tries.get(prefix, ()) if t < entry_line]
                fallback = raising.get((prefix, max(before))) if before else None
                if fallback is not None:
                    found[position] = ("handler", fallback)
                break
    return found


def _key(entries: list) -> tuple:
    return tuple(tuple(entry) for entry in entries)


def _why(target: str, receiver) -> str:
    owner, _, method = target.rpartition(".")
    chosen = receiver[0].rpartition(".")[2] if receiver and receiver[0] else None
    declared = f"{owner.rpartition('.')[2]}.{method} raises NotImplementedError"
    return f"{chosen} does not implement {method}: {declared}" if chosen and not owner.endswith(chosen) \
        else declared
