"""The one place that owns terminal consoles; analysis code never imports rich.

Also how every command ends: its answer on stdout (JSON, or rich renderables for a person), and
the diagnostics on stderr, counted, errors first.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import json
import os
import sys

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


def _surely_no_terminal() -> bool:
    """stderr is no terminal and nothing tells rich to treat it as one: known without importing rich."""
    try:
        terminal = sys.stderr.isatty()
    except (AttributeError, ValueError):
        terminal = False
    return not terminal and not any(os.environ.get(name) for name in ("FORCE_COLOR", "TTY_COMPATIBLE"))


@contextlib.contextmanager
def index_progress():
    """A progress bar for parsing files, then a line per later stage of the work (resolving,
    matching RPC, walking), shown only on a terminal and only once work starts: an answer read
    back from the cache draws nothing, and imports nothing to draw it with."""
    if _surely_no_terminal():
        yield None
        return
    with contextlib.ExitStack() as opened:
        shown = {"task": None, "parsing": False}

        def bar():
            if "bar" not in shown:
                shown["bar"] = opened.enter_context(_bars())
            return shown["bar"]

        def show(text: str, total: int | None) -> None:
            if bar() is None:
                return
            if shown["task"] is not None:
                bar().remove_task(shown["task"])
            shown["task"] = bar().add_task(text, total=total)

        def update(done: int, total: int) -> None:
            if not shown["parsing"]:
                show("parsing", total)
                shown["parsing"] = True
            if bar() is not None:
                bar().update(shown["task"], completed=done)

        def stage(text: str) -> None:
            """Another stage of the work (resolving, matching RPC, walking): one line, its bar pulsing."""
            shown["parsing"] = False
            show(text, None)

        update.stage = stage
        yield update


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


def rendered(as_json: bool, to_json, render) -> str:
    """What `show` would print, as text: JSON, or the renderables as this stdout's console draws
    them (its width, and colours only on a terminal), to be printed with `say_rendered`."""
    if as_json:
        return json.dumps(to_json(), indent=1) + "\n"
    console = stdout()
    with console.capture() as captured:
        for renderable in render():
            console.print(renderable)
    return captured.get()


def say_rendered(text: str) -> None:
    """Text from `rendered` on stdout, as it is (its colours were decided when it was drawn)."""
    click.echo(text, nl=False, color=True)


# What rich's Console reads of the environment to decide width, colours and whether it is on a terminal.
_CONSOLE_ENVIRONMENT = ("COLUMNS", "LINES", "JUPYTER_COLUMNS", "JUPYTER_LINES", "NO_COLOR", "FORCE_COLOR",
                        "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLORTERM", "TERM", "DATABRICKS_RUNTIME_VERSION")


def console_signature() -> str:
    """Everything `rendered` text depends on besides the answer: the terminal (or none) stdout is,
    its size and encoding, what rich reads of the environment, and rich's own code. Read without
    importing rich, so that an answer read back is printed without it."""
    stream = sys.stdout
    try:
        terminal = stream.isatty()
        size = tuple(os.get_terminal_size(stream.fileno())) if terminal else None
    except (AttributeError, ValueError, OSError):
        terminal, size = False, None
    spec = importlib.util.find_spec("rich")
    try:
        info = os.stat(os.path.join(os.path.dirname(spec.origin), "console.py"))
        rich = (spec.origin, info.st_mtime_ns, info.st_size)
    except (AttributeError, TypeError, OSError):
        rich = None
    environment = {name: os.environ[name] for name in _CONSOLE_ENVIRONMENT if name in os.environ}
    return repr((terminal, size, getattr(stream, "encoding", None), sys.platform, environment, rich))


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
