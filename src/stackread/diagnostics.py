"""Problems found while reading the input, collected and shown at the end, counted.

A diagnostic never stops the analysis: the rest of the answer still comes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace


class Severity(enum.Enum):
    WARNING = "warning"  # something was skipped; the answer is complete without it
    ERROR = "error"  # the answer is missing something the user asked for


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    path: str | None
    line: int | None
    message: str
    # Said in full when this input was first read (a file skipped for Python 2 syntax, found again in
    # the cache): said again only as a count, so that every command on an old release is not the same
    # screen of warnings. Not part of what the diagnostic is.
    again: bool = field(default=False, compare=False)

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


@dataclass
class Diagnostics:
    items: list[Diagnostic] = field(default_factory=list)
    _seen: set[Diagnostic] = field(default_factory=set, repr=False)

    def add(self, severity: Severity, path: str | None, line: int | None, message: str, again: bool = False) -> None:
        item = Diagnostic(severity, path, line, message, again)
        if item not in self._seen:
            self._seen.add(item)
            self.items.append(item)

    def extend(self, items) -> None:
        for item in items:
            if item not in self._seen:
                self._seen.add(item)
                self.items.append(item)

    def warning(self, path: str | None, line: int | None, message: str, again: bool = False) -> None:
        self.add(Severity.WARNING, path, line, message, again)

    def error(self, path: str | None, line: int | None, message: str) -> None:
        self.add(Severity.ERROR, path, line, message)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)


def said_before(items) -> list[Diagnostic]:
    """The diagnostics of an answer kept from an earlier run, which said them in full."""
    return [replace(d, again=True) for d in items]
