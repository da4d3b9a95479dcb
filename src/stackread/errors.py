"""Errors a user can cause, and the exit status each one ends with.

Commands raise these; the CLI turns them into one line on stderr and the exit
status, never a traceback (``--debug`` shows it).
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    ANALYSIS_ERROR = 1  # the input was read, but something in it is wrong or missing
    USAGE_ERROR = 2  # the command line names something that cannot be used


class StackreadError(Exception):
    exit_code = ExitCode.ANALYSIS_ERROR


class UsageError(StackreadError):
    """The user asked for something that cannot be: a missing path, an unknown revision."""

    exit_code = ExitCode.USAGE_ERROR


class AnalysisError(StackreadError):
    """The input exists but cannot be analysed: malformed metadata, nothing to read."""


class FetchError(StackreadError):
    """A release or repository could not be brought into the cache."""


class UnknownOperation(AnalysisError):
    """A name that names no single operation of the API (`trace`, `breakpoints`): `lookup` holds the
    operations it may have meant, `where` the tree that lacks it when two are read (--diff)."""

    def __init__(self, lookup, where: str | None = None):
        self.lookup = lookup
        self.where = where
        what = "is ambiguous" if lookup.ambiguous else "is not an operation of this API"
        super().__init__(f"{lookup.query!r} {what}")
