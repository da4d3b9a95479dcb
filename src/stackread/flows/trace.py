"""`stackread trace OPERATION`: the cross-process flow of one API operation.

From the controller method the operation's route names (`routes --find`), the walk follows
resolved calls inside a process; a call that reaches an RPC client method's cast or call
becomes a hop into the service that serves it (`rpc`), and the walk goes on from the
endpoint method there. The tree keeps only what leads somewhere: the calls on the way to
each hop, the virt-driver call (one implementation chosen by `--driver`), and calls into
other services' client libraries (Neutron, Glance, Cinder, Placement), which are leaves.
Each call keeps the if/else/loop/except it is written under; conditions on oslo.config
options are evaluated on their defaults (or on `--set group.option=value`) to mark the
default path; `except` blocks are the error path.

Here the pieces meet: the question and its cache (question.py), the conditions (conditions.py),
the walk (walker.py) and the flow it makes (flow.py).
"""

from __future__ import annotations

import os
from dataclasses import replace
from functools import cached_property

from stackread.diagnostics import Diagnostics
from stackread.errors import AnalysisError, UnknownOperation  # noqa: F401 (the API)
from stackread.flows.flow import Hop, Step, Trace, in_flow_order  # noqa: F401 (the API)
from stackread.flows.hosts import name_hosts
from stackread.flows.question import MAX_DEPTH, Question, Showing, cached, kept_by_reads, load, shown_text, store  # noqa: F401 (the API)
from stackread.flows.reading import Progress, Reading, stage
from stackread.perf import collector_paused


def trace_operation(project: Reading | str | os.PathLike, question: Question | str,
                    progress: Progress | None = None, servers: tuple[Reading, ...] = ()) -> Trace:
    """The flow of one operation in the project (a Reading, or the working tree at a path); with
    `servers`, the trees of other projects its REST calls are followed into (crossing.py).

    A flow is kept in the cache, keyed by every source file's content, the project's metadata, the
    question and stackread's own code: asked again, the answer is read back rather than worked out.

    The driver None is the one an option's default names, else libvirt, unchecked; a named one must be in
    the tree (drivers.py).
    The settings are checked against the tree's options (settings.py), `DEFAULT.x` is `x` in the key."""
    return trace_and_show(project, question, None, progress, servers)[0]


def trace_and_show(project: Reading | str | os.PathLike, question: Question | str, showing: Showing | None,
                   progress: Progress | None = None, servers: tuple[Reading, ...] = ()) -> tuple[Trace, str | None]:
    """trace_operation's flow, and the text `showing` makes of it, kept in the cache beside the flow:
    the same question asked again and shown the same way is printed without drawing it again."""
    from stackread.flows.settings import normalized_settings
    from stackread.flows.treekey import tree_key as _tree_key

    reading, question = Reading.of(project), Question.of(question)
    question = replace(question, settings=normalized_settings(question.settings))
    tree = reading.tree
    cache_notes = Diagnostics()  # what the cache itself reports (a rebuilt file): told, never stored
    with reading.open_cache(cache_notes) as cache:
        tree_key = _tree_key(tree) if reading.use_cache else None
        server_keys = [_tree_key(s.tree) for s in servers] if tree_key else []
        key = question.key(":".join([tree_key, *map(str, server_keys)])) if tree_key else None
        result = load(cache, key)
        if result is None:
            paired = list(zip(servers, server_keys or [None] * len(servers)))
            result = _trace(reading, question, cache, (tree_key, paired), progress)
            store(cache, key, result)
        text = shown_text(cache, key, result, showing) if showing is not None else None
        if cache_notes.items:
            result.diagnostics = cache_notes.items + result.diagnostics
        return result, text


def _trace(reading: Reading, question: Question, cache, keys: tuple, progress: Progress | None) -> Trace:
    """`keys`: the tree's key, and each serving tree (crossing.py) with its own."""
    from stackread.flows.crossing import Server
    from stackread.index.build import prefetching
    from stackread.source.observed import unobserved

    tree_key, servers = keys
    tracer = Tracer(reading, question, cache, tree_key, progress)
    # A serving tree is walked for the same question, minus what only the calling tree's options,
    # drivers and microversions decide.
    asked = replace(question, driver=None, settings={}, scenario={})
    tracer.servers = [Server(Tracer(s, asked, cache, key, progress), tuple(s.project.packages)) for s, key in servers]
    # The walk needs the whole program: its files are parsed on the other cores while the routes and
    # entry points are read here (Nova 34.0.0, cold: about a second of the index's wall time).
    with prefetching(unobserved(reading.project.tree), cache, progress=progress):
        return tracer.walk(question.operation, tracer.entry(question.operation))


def _through(walker, via: str, root: Step) -> Step:
    """A route served by a generic controller that calls the method by name (Neutron's
    `Controller.create` calling `getattr(plugin, 'create_port')`, a call no reading of the code can
    bind): the flow starts at that controller, with the method it calls as its step."""
    definition = walker.program.defs.get(via)
    path = walker.program.modules[definition.module].path if definition else "?"
    top = Step(via, path, definition.line if definition else 0, root.process, "entry", receiver_exact=True)
    top.children.append(replace(root, kind="call"))
    return top


class Tracer:
    """One project made ready to trace operations, for one driver and one set of settings: the routes
    read once, and the program built, its conditions set and its RPC matched on the first walk, so that
    a gallery of 250 operations builds the program once, as one trace does."""

    def __init__(self, reading: Reading, question: Question, cache, tree_key: str | None,
                 progress: Progress | None = None):
        from stackread.flows.settings import check_settings

        self.reading, self.question, self.cache, self.tree_key, self.progress = \
            reading, question, cache, tree_key, progress
        # A typo in --set costs no time: refused before anything is read.
        self.settings = check_settings(reading.project.options, question.settings)
        if question.scenario:
            from stackread.flows.scenario import Scenario

            Scenario(reading.project.options, reading.project.options.packages, dict(question.scenario)).check()
        self._built = None
        self.servers: list = []  # the trees of other projects REST calls are followed into (crossing.py)

    @cached_property
    def routes(self):
        from stackread.frameworks.rest.routes_mapper import routes_of_project

        def read():
            stage(self.progress, "reading the REST routes")
            return routes_of_project(self.reading.project)

        return self._kept("routes", read)

    def _kept(self, kind: str, read):
        """What `read()` says of the tree, kept by the files it read: an edit elsewhere keeps it."""
        from stackread.flows.treekey import kept_key

        key = kept_key(kind, self.reading.project.tree) if self.tree_key else None
        return kept_by_reads(self.cache, key, self.reading.project.tree, read)

    def entry(self, operation: str):
        """The route an operation named the way the user knows it starts from."""
        from stackread.flows.operations import find_operation

        lookup = find_operation(self.routes.routes, operation)
        if lookup.found is None:
            raise UnknownOperation(lookup)
        entry = self._at_microversion(lookup)
        if not entry.controller:
            raise AnalysisError(f"{operation!r} maps to {entry.verb} {entry.path}, "
                                "but no controller method serves it")
        return entry

    def _at_microversion(self, lookup):
        """The route that serves the asked microversion: `@api_version('2.1', '2.5')` methods end
        where another takes over; the name means the newest, `--microversion` one in its range."""
        from stackread.flows.question import version

        asked = version(self.question.scenario.get("microversion"))
        routes = [r for op in (lookup.found, *lookup.candidates) for r in op.routes]
        if asked is None or _serves(routes[0], asked):
            return routes[0]
        return next((r for r in routes if _serves(r, asked)), routes[0])

    def walk(self, name: str, entry) -> Trace:
        """The flow from the controller of `entry`, called `name` in the answer."""
        from stackread.flows import cuts
        from stackread.flows.fold import folded

        walker, api_process, built = self._prepared()
        stage(self.progress, f"following {name}")
        diagnostics = Diagnostics()
        diagnostics.extend(built)
        with collector_paused():
            root = walker.walk(entry.controller, api_process, entry.receiver)
        if entry.via:
            root = _through(walker, entry.via, root)
        name_hosts(root)  # `nova-compute (source)` and `(dest)` where the operation moves an instance
        root = folded(root)  # a function drawn once per place it runs, before its hops are listed
        crossed: list[str] = []
        if self.servers:
            from stackread.flows.crossing import cross

            stage(self.progress, "following the REST calls into the other trees")
            with collector_paused():
                cross(root, walker.program, self.servers, crossed, tuple(self.reading.project.packages))
        hops = in_flow_order(root)
        notes = cuts.report(root, diagnostics)  # where the flow stops, rather than "reaches no other process"
        if not hops and not notes:
            notes.append(f"{name} reaches no other process: everything happens in {api_process}.")
        notes.append(walker.conditions.scenario.closing_note())
        notes += crossed
        return Trace(name, entry, self.routes.source, self.routes.revision, root, hops, dict(self.settings), notes,
                     list(diagnostics.items), self.release, servers=[s.tracer.release for s in self.servers])

    @cached_property
    def release(self):
        from stackread.flows.release import release_of

        return release_of(self.reading)

    def _prepared(self):
        """The walker over the whole program, the API's process, and what building them reported."""
        if self._built is None:
            self._built = self._prepare()
        return self._built

    def _prepare(self):
        from stackread.flows import cuts
        from stackread.flows.callgraph import build_program
        from stackread.flows.conditions import Conditions
        from stackread.flows.entrypoints import with_rpc_servers
        from stackread.flows.scenario import Scenario
        from stackread.flows.served import Served, served_key
        from stackread.flows.walker import Walker
        from stackread.frameworks.drivers import check_driver, dotted_defaults
        from stackread.frameworks.messaging import rpc_of_program

        project, reading = self.reading.project, self.reading
        declared = self._kept("entrypoints", lambda: reading.entrypoints)
        diagnostics = Diagnostics()
        diagnostics.extend(project.metadata.problems)
        with collector_paused():
            # The walk binds its own call path's arguments; every caller's values would make one
            # wrapper's parameter lead everywhere any caller's does.
            program, indexed = build_program(project.tree, self.cache, diagnostics, include_tests=False,
                                             progress=self.progress)
            program.follow_parameters = False
            scenario = Scenario(project.options, project.options.packages, dict(self.question.scenario), self._kept)
            conditions = Conditions(project.options, self.settings, program, scenario)
            program.branch_taken = conditions.branch_taken  # before anything is resolved (and memoised)
            def serve():
                # The processes as `entrypoints` and `rpc` name them: a server found in the code
                # (Designate's Service serving itself) is the binary that starts it, not its class.
                report = with_rpc_servers(declared, reading, program)
                stage(self.progress, "matching RPC casts and calls to their endpoints")
                return Served(report, rpc_of_program(program, _services(report), project.tree.label,
                                                     project.tree.revision))

            served = cached(self.cache, served_key(self.tree_key, self.settings, self.question.scenario), serve)
            report, rpc, services = served.report, served.rpc, _services(served.report)
            check_driver(program, self.question.driver)
            holes = cuts.Cuts({s.module: s for s in indexed.skipped}, cuts.cut_sends(program, rpc.sends, services))
            walker = Walker(program, rpc, self.question, conditions, holes)
            # Read before the walk, as the scenario's, so that the record holds no more than it read.
            if project.options is not None:
                walker.drivers.dotted = self._kept("drivers", lambda: dotted_defaults(project.options))
        return walker, _api_process(report.project, project.packages), list(diagnostics.items)


def _services(report) -> list:
    return [ep for ep in report.entrypoints if ep.service is not None]


def _api_process(name: str | None, packages: list[str]) -> str:
    """The API process as operators and the project's own docs call it: `heat-api`, `watcher-api`.
    A distribution named for its vendor or language and then its package (openstack-heat,
    python-watcher) is the package; otherwise the distribution's name is the project's (nova2 stays
    nova2). A WSGI script's name (heat-wsgi-api) is how the API is started, not what it is called."""
    if not name:
        return "api"
    short = next((p for p in packages if name != p and name.endswith(f"-{p}")), name)
    return f"{short}-api"


def _serves(route, asked: tuple[int, int]) -> bool:
    from stackread.flows.question import version

    low, high = version(route.min_version), version(route.max_version)
    return (low is None or low <= asked) and (high is None or asked <= high)
