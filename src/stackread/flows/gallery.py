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

import pathlib
from dataclasses import dataclass
from typing import Any, Iterator

from stackread.diagnostics import Diagnostics
from stackread.errors import AnalysisError, UsageError
from stackread.flows.operations import Operation, find_operation, operations, resource_of, singular
from stackread.flows.trace import Trace


@dataclass(frozen=True)
class Release:
    """What the tree says it is: from its packaging metadata (PKG-INFO in an sdist)."""

    project: str | None
    version: str | None
    source: str  # the directory read
    published: bool  # an sdist (PKG-INFO beside the code): the code of a tagged release


@dataclass(frozen=True)
class Traced:
    """One operation of the gallery: its flow, or why there is none."""

    operation: Operation
    group: str  # servers, server actions, volumes ...
    trace: Trace | None
    error: str | None = None


def group_of(operation: Operation) -> str:
    """The resource an operation acts on; actions of a resource are their own group (`server actions`)."""
    route = operation.route
    resource = resource_of(route) or "/"
    return f"{singular(resource).replace('_', ' ')} actions" if route.action else resource


class TreeTracer:
    """One tree opened for tracing all its operations; use as a context manager (the cache stays open)."""

    def __init__(self, path: str | pathlib.Path, *, driver: str | None = None,
                 settings: dict[str, Any] | None = None, cache_dir=None, use_cache: bool = True, progress=None):
        from stackread.flows.callgraph import open_cache
        from stackread.flows.entrypoints import open_project
        from stackread.flows.settings import check_settings, normalized_settings
        from stackread.flows.treekey import tree_key

        self._project = open_project(path)
        self._driver = driver
        # A typo in --set is the command line's fault: raised here, before any operation.
        self._settings = check_settings(self._project.options, normalized_settings(settings or {}))
        self._progress = progress
        self._cache_notes = Diagnostics()
        self._cache_context = open_cache(cache_dir, use_cache, self._cache_notes)
        self._cache = self._cache_context.__enter__()
        self._walker = None  # built on the first operation the cache does not hold
        metadata = self._project.metadata
        prefix = f"{metadata.metadata_dir}/" if metadata.metadata_dir else ""
        self.release = Release(metadata.name, metadata.version, str(path),
                               self._project.tree.read_bytes(prefix + "PKG-INFO") is not None)
        try:
            self._tree_key = tree_key(self._project.tree) if use_cache else None
            self._routes = self._read_routes()
        except BaseException:
            self._cache_context.__exit__(None, None, None)  # no `with` will close it
            raise
        self.operations: list[Operation] = operations(self._routes.routes)

    def _read_routes(self):
        from stackread.flows import trace as _t
        from stackread.frameworks.rest.routes_mapper import routes_of_project

        return _t._cached(self._cache, self._tree_key and f"routes:{self._tree_key}",
                          lambda: routes_of_project(self._project))

    def __enter__(self) -> "TreeTracer":
        return self

    def __exit__(self, *exc) -> None:
        self._cache_context.__exit__(*exc)

    def trace(self, operation: Operation) -> Trace:
        """The operation's flow, as `trace_operation(operation.name)` finds it when the name is its own."""
        from stackread.flows import trace as _t

        lookup = find_operation(self._routes.routes, operation.name)
        found = lookup.found
        if found is not None and (found.route.controller, found.route.action) == (operation.route.controller,
                                                                                  operation.route.action):
            question, entry = operation.name, found.route  # what `trace NAME` asks: one cache entry for both
        else:  # a name shared with another operation (an old microversion's proxy): asked by its handler
            question, entry = f"gallery:{operation.route.controller}:{operation.route.action}", operation.route
        if not entry.controller:
            raise AnalysisError(f"{entry.verb} {entry.path} has no controller method serving it")
        key = (_t._question_key(self._tree_key, question, self._driver, self._settings, False, 0)
               if self._tree_key else None)
        result = _t._load(self._cache, key)
        if result is None:
            result = self._walk(operation.name, entry)
            _t._store(self._cache, key, result)
        if self._cache_notes.items:
            result.diagnostics = self._cache_notes.items + result.diagnostics
        return result

    def _walk(self, name: str, entry) -> Trace:
        from stackread.flows import cuts

        walker, api_process, base = self._built()
        from stackread.flows.trace import _in_flow_order
        from stackread.perf import collector_paused

        diagnostics = Diagnostics()
        diagnostics.extend(base)
        with collector_paused():
            root = walker.walk(entry.controller, api_process)

        hops = _in_flow_order(root)
        notes = cuts.report(root, diagnostics)
        if not hops and not notes:
            notes.append(f"{name} reaches no other process: everything happens in {api_process}.")
        return Trace(name, entry, self._routes.source, self._routes.revision, root, hops, dict(self._settings),
                     notes, list(diagnostics.items))

    def _built(self):
        """The walker over the whole program, the API's process and what building it reported: once per tree."""
        if self._walker is None:
            from stackread.flows import cuts
            from stackread.flows import trace as _t
            from stackread.flows.callgraph import build_program
            from stackread.flows.entrypoints import entrypoints_of_project
            from stackread.frameworks.drivers import check_driver
            from stackread.frameworks.messaging import rpc_of_program
            from stackread.perf import collector_paused

            project = self._project
            report = _t._cached(self._cache, self._tree_key and f"entrypoints:{self._tree_key}",
                                lambda: entrypoints_of_project(project))
            services = [ep for ep in report.entrypoints if ep.service is not None]
            api_process = f"{report.project}-api" if report.project else "api"
            diagnostics = Diagnostics()
            diagnostics.extend(project.metadata.problems)
            with collector_paused():
                program, indexed = build_program(project.tree, self._cache, diagnostics, include_tests=False,
                                                 progress=self._progress)
                conditions = _t._Conditions(project.options, self._settings, program)
                program.branch_taken = conditions.branch_taken  # before anything is resolved (and memoised)
                rpc = rpc_of_program(program, services, project.tree.label, project.tree.revision)
                check_driver(program, self._driver)
                walker = _t._Walker(program, rpc, self._driver, False, conditions, 0, indexed.skipped,
                                    cuts.cut_sends(program, rpc.sends, services))
            self._walker = (walker, api_process, list(diagnostics.items))
        return self._walker


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
