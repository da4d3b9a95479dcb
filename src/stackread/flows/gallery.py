"""`stackread gallery`: the flow of every operation of a tree, with the program built once.

`trace_operation` answers one question: it reads the tree, builds the whole program, matches RPC
and walks one entry. Asked 250 times that would build the program 250 times; here the tree is
opened and its program built once (and only when some operation is not in the cache yet), and
one walker walks every operation's entry. Each flow is stored under the key `trace` uses for the
operation's name, so a later `stackread trace NAME` reads the gallery's answer back, and a second
gallery run reads every flow back without building anything.

An operation whose flow cannot be worked out (no controller, a failure of the analysis, a bug of
ours) is one entry with its reason: it never costs the other operations.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator

from stackread.diagnostics import Diagnostics
from stackread.errors import AnalysisError, UsageError
from stackread.flows.flowdiff import FlowDiff
from stackread.flows.operations import Operation, find_operation, operations, resource_of, singular
from stackread.flows.question import Question
from stackread.flows.reading import Progress, Reading
from stackread.flows.release import Release, release_of  # noqa: F401 (Release: the API)
from stackread.flows.trace import Trace


@dataclass(frozen=True)
class Compared:
    """The operation in the release the gallery is compared with (`gallery --diff OLD`)."""

    other: str  # that release, as a title: nova 15.1.5
    diff: FlowDiff | None  # None: that release has no such operation, or (error) its flow is unknown
    error: str | None = None

    @property
    def change(self) -> str | None:
        """new, changed (a hop added, removed, renamed or changed), or None: the same hops."""
        if self.error is not None:
            return None
        if self.diff is None:
            return "new"
        return "changed" if any(c.status not in ("same", "moved") for c in self.diff.hops) else None


@dataclass(frozen=True)
class Traced:
    """One operation of the gallery: its flow, or why there is none."""

    operation: Operation
    group: str  # servers, server actions, volumes ...
    trace: Trace | None
    error: str | None = None
    compared: Compared | None = None


def group_of(operation: Operation) -> str:
    """The resource an operation acts on; actions of a resource are their own group (`server actions`)."""
    route = operation.route
    resource = resource_of(route) or "/"
    return f"{singular(resource).replace('_', ' ')} actions" if route.action else resource


class TreeTracer:
    """One tree opened for tracing all its operations; use as a context manager (the cache stays open)."""

    def __init__(self, reading: Reading, question: Question, progress: Progress | None = None):
        from stackread.flows.settings import normalized_settings
        from stackread.flows.trace import Tracer
        from stackread.flows.treekey import tree_key

        self._question = replace(question, settings=normalized_settings(question.settings))
        self._cache_notes = Diagnostics()
        self._cache_context = reading.open_cache(self._cache_notes)
        self._cache = self._cache_context.__enter__()
        try:
            self._tree_key = tree_key(reading.tree) if reading.use_cache else None
            # A typo in --set is the command line's fault: raised here, before any operation.
            self._tracer = Tracer(reading, self._question, self._cache, self._tree_key, progress)
            self.operations: list[Operation] = operations(self._tracer.routes.routes)
        except BaseException:
            self._cache_context.__exit__(None, None, None)  # no `with` will close it
            raise
        self.release = release_of(reading)

    def __enter__(self) -> "TreeTracer":
        return self

    def __exit__(self, *exc) -> None:
        self._cache_context.__exit__(*exc)

    def trace_named(self, name: str) -> Trace | None:
        """The flow of the operation a user names so in this tree, None when it has none so named."""
        found = find_operation(self._tracer.routes.routes, name).found
        return None if found is None else self.trace(found)

    def trace(self, operation: Operation) -> Trace:
        """The operation's flow, as `trace_operation(operation.name)` finds it when the name is its own."""
        from stackread.flows.question import load, store

        lookup = find_operation(self._tracer.routes.routes, operation.name)
        found = lookup.found
        if found is not None and (found.route.controller, found.route.action) == (operation.route.controller,
                                                                                  operation.route.action):
            asked, entry = operation.name, found.route  # what `trace NAME` asks: one cache entry for both
        else:  # a name shared with another operation (an old microversion's proxy): asked by its handler
            asked, entry = f"gallery:{operation.route.controller}:{operation.route.action}", operation.route
        if not entry.controller:
            raise AnalysisError(f"{entry.verb} {entry.path} has no controller method serving it")
        key = replace(self._question, operation=asked).key(self._tree_key) if self._tree_key else None
        result = load(self._cache, key)
        if result is None:
            result = self._tracer.walk(operation.name, entry)
            store(self._cache, key, result)
        if self._cache_notes.items:
            result.diagnostics = self._cache_notes.items + result.diagnostics
        return result


def trace_each(tracer: TreeTracer) -> Iterator[Traced]:
    """Every operation of the tree in route order, each with its flow or the reason it has none."""
    for operation in tracer.operations:
        try:
            yield Traced(operation, group_of(operation), tracer.trace(operation))
        except UsageError:
            raise  # the command line's fault (an unknown --driver): the same for every operation
        except AnalysisError as exc:
            yield Traced(operation, group_of(operation), None, str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug of ours on one operation must not cost the site
            yield Traced(operation, group_of(operation), None, f"internal error: {type(exc).__name__}: {exc}")


def compare_each(traced: Iterator[Traced], old: TreeTracer, other: str) -> Iterator[Traced]:
    """Each operation with how its flow changed since the old release (`other` is its title): the same
    operation there is the one its name finds."""
    from stackread.flows.flowdiff import diff_traces

    for entry in traced:
        if entry.trace is None:
            yield entry
            continue
        try:
            before = old.trace_named(entry.operation.name)
            compared = Compared(other, None if before is None else diff_traces(before, entry.trace))
        except UsageError:
            raise
        except Exception as exc:  # noqa: BLE001 - the other side's failure costs only the comparison
            compared = Compared(other, None, f"{type(exc).__name__}: {exc}")
        yield replace(entry, compared=compared)
