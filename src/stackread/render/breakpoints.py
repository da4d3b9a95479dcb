"""`stackread breakpoints` as lines for a .pdbrc (comments say what each is), and as JSON."""

from __future__ import annotations

from typing import Any

from stackread.flows.breakpoints import Changes, Place, Plan


def _short(dotted: str) -> str:
    parts = dotted.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 and parts[-2][:1].isupper() else parts[-1]


def _mark(place: Place) -> str:
    if place.error_path:
        return " (error path)"
    return "" if place.default_path else " (not on the default path)"


def lines(plan: Plan) -> list[str]:
    """The whole output is a valid .pdbrc: pdb ignores lines starting with #."""
    out = [f"# stackread breakpoints {plan.operation}: {plan.request}, {len(plan.places)} places "
           f"in {len(plan.processes)} processes",
           "# Save as .pdbrc where you start each process, then run it under pdb (the pdb line);",
           "# or put breakpoint statements in the code with --insert."]
    if plan.revision:
        out.append(f"# Lines are those of {plan.revision}; they hold for the files on disk only if these match it.")
    for process in plan.processes:
        run = plan.runs[process]
        out += ["", f"# == {process} =="]
        if run.command:
            out.append(f"# run in the foreground:  {run.command}")
        if run.pdb_command:
            out.append(f"# under pdb:              {run.pdb_command}")
        if run.note:
            out.append(f"# {run.note}")
        for place in plan.of_process(process):
            out.append(f"# {_short(place.function)}: {place.detail}{_mark(place)}")
            out.append(f"break {plan.file(place)}:{place.line}")
    out += [f"# {note}" for note in plan.notes]
    return out


def to_json(plan: Plan) -> dict[str, Any]:
    return {"operation": plan.operation, "request": plan.request, "root": str(plan.root), "revision": plan.revision,
            "processes": [{"process": process, "run": _run_json(plan.runs[process]),
                           "breakpoints": [_place_json(plan, p) for p in plan.of_process(process)]}
                          for process in plan.processes],
            "notes": plan.notes}


def _run_json(run) -> dict[str, Any]:
    return {"script": run.script, "command": run.command, "pdb_command": run.pdb_command, "note": run.note}


def _place_json(plan: Plan, p: Place) -> dict[str, Any]:
    return {"path": p.path, "file": str(plan.file(p)), "line": p.line, "function": p.function, "why": p.why,
            "detail": p.detail, "default_path": p.default_path, "error_path": p.error_path}


def change_lines(changes: Changes, verb: str, cwd) -> list[str]:
    import os

    count = changes.inserted if verb == "inserted" else changes.removed
    out = [f"{verb} {count} breakpoint{'s' if count != 1 else ''} in {len(changes.files)} "
           f"file{'s' if len(changes.files) != 1 else ''}" + (":" if changes.files else "")]
    for file in changes.files:
        rel = os.path.relpath(file, cwd)
        out.append(f"  {file if rel.startswith('..') else rel}")
    if changes.present:
        out.append(f"{changes.present} place{'s' if changes.present != 1 else ''} already had one")
    out += [f"note: {note}" for note in changes.notes]
    return out


def show_plan(plan: Plan, as_json: bool) -> None:
    """The plan as a .pdbrc (`break FILE:LINE` per place, the way to run each process), or JSON."""
    import json

    from stackread.render.output import say

    say(json.dumps(to_json(plan), indent=1) if as_json else "\n".join(lines(plan)))


def show_changes(changes: Changes, verb: str) -> None:
    """What --insert or --remove did, with paths relative to here; the edits left undone on stderr."""
    import os

    from stackread.render.output import say, tell

    say("\n".join(change_lines(changes, verb, os.getcwd())))
    for problem in changes.problems:
        tell(f"warning: {problem}")


def show_inserted(plan: Plan, changes: Changes, path: str) -> None:
    """What --insert did, then how to run each process in the foreground and take them out again."""
    from stackread.render.output import say

    show_changes(changes, "inserted")
    for process in plan.processes:
        run = plan.runs[process]
        if run.command:
            say(f"run {process} in the foreground:  {run.command}")
    say(f"`stackread breakpoints --remove -C {path}` takes them out again")
