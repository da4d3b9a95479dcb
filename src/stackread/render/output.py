"""The one place that owns terminal consoles; analysis code never imports rich."""

from __future__ import annotations

import contextlib
import functools
import os


@functools.cache
def stdout():
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
def index_progress():
    """A progress bar for parsing files, shown only on a terminal and only once work starts."""
    console = stderr()
    if not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = None

        def update(done: int, total: int) -> None:
            nonlocal task
            if task is None:
                task = bar.add_task("parsing", total=total)
            bar.update(task, completed=done)

        yield update


@contextlib.contextmanager
def stages_progress():
    """One bar per stage (parsing, then tracing each tree's operations) in one live display, only
    on a terminal; yields update(stage, done, total), or None when nobody watches."""
    console = stderr()
    if not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        tasks: dict[str, object] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update
