"""The one place that owns terminal consoles; analysis code never imports rich.

Also how every command ends: its answer on stdout (JSON, or rich renderables for a person), and
the diagnostics on stderr, counted, errors first.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os

import click

_MAX_DIAGNOSTICS = 8
_SAYING = {"warnings": True}  # `stackread --quiet`: set by the command line, once per invocation


def say_warnings(on: bool) -> None:
    _SAYING["warnings"] = on


def stdout():
    """A console for the answer, made per use: its width is read from the environment then, which
    one process (a test run) may change between commands."""
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Piped into a file or a pager: no terminal to fit, so do not fold paths at 80 columns.
        console.width = 160
    return console


@functools.cache
def stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def progress_status(message: str):
    """A spinner on stderr while long work runs, only when a person is watching."""
    console = stderr()
    if console.is_terminal:
        return console.status(message, spinner="dots")
    return contextlib.nullcontext()


@contextlib.contextmanager
def _bars():
    """The live progress display on stderr, or None when no person watches (not a terminal)."""
    console = stderr()
    if not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        yield bar


@contextlib.contextmanager
def index_progress():
    """A progress bar for parsing files, then a line per later stage of the work (resolving,
    matching RPC, walking), shown only on a terminal and only once work starts."""
    with _bars() as bar:
        if bar is None:
            yield None
            return
        shown = {"task": None, "parsing": False}

        def show(text: str, total: int | None) -> None:
            if shown["task"] is not None:
                bar.remove_task(shown["task"])
            shown["task"] = bar.add_task(text, total=total)

        def update(done: int, total: int) -> None:
            if not shown["parsing"]:
                show("parsing", total)
                shown["parsing"] = True
            bar.update(shown["task"], completed=done)

        def stage(text: str) -> None:
            """Another stage of the work (resolving, matching RPC, walking): one line, its bar pulsing."""
            shown["parsing"] = False
            show(text, None)

        update.stage = stage
        yield update


def say(text: str, nl: bool = True) -> None:
    """Plain text on stdout, as it is: JSON, .pdbrc lines, a Mermaid diagram."""
    click.echo(text, nl=nl)


def tell(line: str) -> None:
    """One line for the person at the terminal, on stderr: a warning, what was written where."""
    click.echo(line, err=True)


def warn(text: str) -> None:
    if _SAYING["warnings"]:
        tell(f"stackread: warning: {text}")


def explain(error: Exception, debug: bool = False) -> bool:
    """A failure the user can mend, on stderr: one line, or for an operation the tree lacks the ones
    it might have meant. False when the traceback is wanted instead (--debug)."""
    from stackread.errors import UnknownOperation
    from stackread.render.routes import print_candidates

    if isinstance(error, UnknownOperation):  # told the same with --debug: it is no failure of ours
        print_candidates(error.lookup, error.where)
    elif debug:
        return False
    else:
        tell(f"stackread: error: {error}")
    return True


def show(as_json: bool, to_json, render) -> None:
    """The command's answer: JSON, or the rich renderables for a person."""
    if as_json:
        say(json.dumps(to_json(), indent=1))
    else:
        for renderable in render():
            stdout().print(renderable)


def report_diagnostics(diagnostics) -> None:
    """What was wrong in the input, under the answer: errors always; warnings (mostly files skipped
    for Python 2 syntax) up to a screenful, and those an earlier run said in full only as a count."""
    if not _SAYING["warnings"]:
        diagnostics = [d for d in diagnostics if d.severity.value == "error"]
    again = [d for d in diagnostics if d.again and d.severity.value != "error"]
    diagnostics = [d for d in diagnostics if d not in again]
    if again:
        tell(f"\n{_count(len(again), 'warning')} as before (said when this input was first read; "
             "--json lists them)")
    if not diagnostics:
        return
    errors = sum(1 for d in diagnostics if d.severity.value == "error")
    warnings = len(diagnostics) - errors
    parts = [_count(n, word) for n, word in ((errors, "error"), (warnings, "warning")) if n]
    tell(f"\n{', '.join(parts)}:")
    shown = [d for d in diagnostics if d.severity.value == "error"]
    shown += [d for d in diagnostics if d.severity.value != "error"][: max(0, _MAX_DIAGNOSTICS - len(shown))]
    for d in shown:
        tell(f"  {d.severity.value}: {d}")
    if len(shown) < len(diagnostics):
        tell(f"  ... and {len(diagnostics) - len(shown)} more (--json lists them all)")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


@contextlib.contextmanager
def stages_progress():
    """One bar per stage (parsing, then tracing each tree's operations) in one live display, only
    on a terminal; yields update(stage, done, total), or None when nobody watches."""
    with _bars() as bar:
        if bar is None:
            yield None
            return
        tasks: dict[str, object] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update
