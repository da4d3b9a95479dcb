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
"""

from __future__ import annotations

import ast
import functools
import hashlib
import heapq
import pathlib
import re
from dataclasses import dataclass, field
from typing import Any

from stackread.index import datacodec
from stackread.flows.cuts import cut_modules, cut_text
from stackread.diagnostics import Diagnostic, Diagnostics
from stackread.frameworks.drivers import DEFAULT_DRIVER, check_driver, matches_method
from stackread.errors import AnalysisError
from stackread.perf import collector_paused
from stackread.frameworks.rest.route import Route

# Client libraries of other OpenStack services: a class in a module importing one is that service's client.
SERVICE_LIBRARIES = {"neutronclient": "neutron", "glanceclient": "glance", "cinderclient": "cinder",
                     "ironicclient": "ironic", "keystoneclient": "keystone", "swiftclient": "swift",
                     "novaclient": "nova", "barbicanclient": "barbican", "designateclient": "designate"}
# Object indirection, the database and notifications (they look like RPC, they are not a flow):
# every save() ends there; shown with --show-objects only.
_OBJECT_PACKAGES = ("objects", "db", "notifications")
MAX_DEPTH = 12  # calls within one process before the walk gives up on a branch


@dataclass
class Hop:
    source: str  # the sending process (service binary)
    target: str
    method: str
    kind: str  # cast | call
    fanout: bool
    client: str
    client_path: str
    client_line: int
    endpoint: str
    endpoint_path: str
    endpoint_line: int
    route: str | None
    condition: str | None
    default_path: bool
    error_path: bool


@dataclass
class Step:
    function: str
    path: str
    line: int
    process: str
    kind: str = "call"  # entry | call | hop | driver | service
    call_line: int | None = None  # where the caller calls it
    condition: str | None = None
    loop: str | None = None
    error_path: bool = False
    default_path: bool = True
    service: str | None = None  # for service leaves: neutron, glance, ...
    hop: Hop | None = None
    receiver: str | None = None  # the class `self` is an instance of, when the method is inherited
    receiver_exact: bool = False  # `self` is exactly of that class (no subclass override runs)
    seen_above: bool = False  # already expanded earlier in the tree
    children: list["Step"] = field(default_factory=list)
    cut: str | None = None  # kind "cut": why the flow cannot be followed into `path` (see cuts.py)


@dataclass
class Trace:
    operation: str
    entry: Route
    source: str
    revision: str | None
    root: Step
    hops: list[Hop]
    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def trace_operation(path: str | pathlib.Path, operation: str, rev: str | None = None, *, driver: str | None = None,
                    settings: dict[str, Any] | None = None, show_objects: bool = False, extra_depth: int = 0,
                    cache_dir=None, use_cache: bool = True, progress=None) -> Trace:
    """The flow of one operation. `extra_depth` levels of calls that lead to no hop, driver or other
    service are shown too around the flow (`--depth N`; `--all-calls` is MAX_DEPTH).

    A flow is kept in the cache, keyed by every source file's content, the project's metadata, the
    question and stackread's own code: asked again, the answer is read back rather than worked out.

    `driver` None is libvirt, unchecked (Cinder has none); a named one must be in the tree (drivers.py).
    `settings` are checked against the tree's options (option_settings.py), `DEFAULT.x` is `x` in the key."""
    from stackread.flows.callgraph import open_cache
    from stackread.flows.settings import normalized_settings
    from stackread.source.trees import open_tree
    from stackread.flows.treekey import tree_key as _tree_key

    settings = normalized_settings(settings or {})
    tree = open_tree(path, rev)
    cache_notes = Diagnostics()  # what the cache itself reports (a rebuilt file): told, never stored
    with open_cache(cache_dir, use_cache, cache_notes) as cache:
        tree_key = _tree_key(tree) if use_cache else None
        key = _question_key(tree_key, operation, driver, settings or {}, show_objects, extra_depth) if tree_key else None
        result = _load(cache, key)
        if result is None:
            result = _trace(path, operation, rev, driver, settings, show_objects, extra_depth, cache, tree_key,
                            progress)
            _store(cache, key, result)
        if cache_notes.items:
            result.diagnostics = cache_notes.items + result.diagnostics
        return result


def _question_key(tree_key: str, operation: str, driver: str, settings: dict[str, Any], show_objects: bool,
                  extra_depth: int) -> str:
    question = repr((operation, driver, sorted(settings.items(), key=repr), show_objects, extra_depth))
    return "trace:" + hashlib.sha1(f"{tree_key}:{question}".encode()).hexdigest()


def _load(cache, key: str | None):
    """The answer stored under key, or None: plain JSON decoded into the type the key's kind names,
    so a stored entry can hold data only; a damaged, foreign or older entry is worked out again."""
    stored = cache.get_blob(key) if key else None
    if stored is None:
        return None
    try:
        value = datacodec.decode(_stored_type(key), stored)
    except datacodec.DecodeError:
        return None
    if isinstance(value, Trace):
        # The hops are the tree's own Hop objects (flow diff pairs them by identity), not copies.
        hops = _in_flow_order(value.root)
        if hops != value.hops:
            return None
        value.hops = hops
    return value


def _stored_type(key: str) -> type:
    kind = key.split(":", 1)[0]
    if kind == "routes":
        from stackread.frameworks.rest.route import RouteReport

        return RouteReport
    if kind == "entrypoints":
        from stackread.flows.entrypoints import EntrypointReport  # only a new question reads it

        return EntrypointReport
    return Trace


def _store(cache, key: str | None, value) -> None:
    if key:
        try:
            data = datacodec.encode(value)
        except TypeError:  # a field type the codec lacks: answered, not kept (the round-trip tests fail)
            return
        cache.put_blob(key, data)


def _cached(cache, key: str | None, compute):
    """What the tree says, once per tree: the routes and entry points every new question needs."""
    value = _load(cache, key)
    if value is None:
        value = compute()
        _store(cache, key, value)
    return value


def _trace(path, operation: str, rev: str | None, driver: str | None, settings: dict[str, Any], show_objects: bool,
           extra_depth: int, cache, tree_key: str | None, progress) -> Trace:
    from stackread.flows import cuts
    from stackread.flows.callgraph import build_program
    from stackread.flows.entrypoints import entrypoints_of_project, open_project
    from stackread.flows.operations import find_operation
    from stackread.flows.settings import check_settings
    from stackread.frameworks.rest.routes_mapper import routes_of_project
    from stackread.frameworks.messaging import rpc_of_program

    project = open_project(path, rev)
    settings = check_settings(project.options, settings)  # a typo costs no time: before anything is read
    routes = _cached(cache, tree_key and f"routes:{tree_key}", lambda: routes_of_project(project))
    lookup = find_operation(routes.routes, operation)
    if lookup.found is None:
        raise UnknownOperation(lookup)
    entry = lookup.found.route
    if not entry.controller:
        raise AnalysisError(f"{operation!r} maps to {entry.verb} {entry.path}, but no controller method serves it")
    report = _cached(cache, tree_key and f"entrypoints:{tree_key}", lambda: entrypoints_of_project(project))
    services = [ep for ep in report.entrypoints if ep.service is not None]
    api_process = f"{report.project}-api" if report.project else "api"
    diagnostics = Diagnostics()
    diagnostics.extend(project.metadata.problems)
    with collector_paused():
        program, indexed = build_program(project.tree, cache, diagnostics, include_tests=False, progress=progress)
        conditions = _Conditions(project.options, settings or {}, program)
        program.branch_taken = conditions.branch_taken  # before anything is resolved (and memoised)
        rpc = rpc_of_program(program, services, project.tree.label, project.tree.revision)
        check_driver(program, driver)
        walker = _Walker(program, rpc, driver, show_objects, conditions, extra_depth, indexed.skipped,
                         cuts.cut_sends(program, rpc.sends, services))
        root = walker.walk(entry.controller, api_process)
    hops = _in_flow_order(root)
    notes = cuts.report(root, diagnostics)  # where the flow stops, rather than "reaches no other process"
    if not hops and not notes:
        notes.append(f"{lookup.found.name} reaches no other process: everything happens in {api_process}.")
    return Trace(operation, entry, routes.source, routes.revision, root, hops, dict(settings), notes,
                 list(diagnostics.items))


class UnknownOperation(AnalysisError):
    def __init__(self, lookup):
        self.lookup = lookup
        what = "is ambiguous" if lookup.ambiguous else "is not an operation of this API"
        super().__init__(f"{lookup.query!r} {what}")


class _Conditions:
    """Conditions on oslo.config options, evaluated on their defaults: True, False, or None (cannot say)."""

    def __init__(self, options, settings: dict[str, Any], program=None):
        self.options = options
        self.settings = settings
        self.program = program  # to read `is_neutron()`: a function returning an option
        self._memo: dict[tuple[str, str | None], bool | None] = {}
        self._contexts: dict[str, list] = {}

    def holds(self, text: str, arguments: dict[str, Any] | None = None, module=None) -> bool | None:
        """Whether the condition holds under the settings (and the literal arguments of this call path);
        calls of argument-less functions that return an option are read in the module of the condition."""
        node = _parsed(text)
        if node is None:
            return None
        if arguments and _names_in(text) & arguments.keys():
            value = self._value(node, arguments, module)
            return bool(value) if value is not _UNKNOWN else None
        key = (text, module.name if module is not None and "(" in text else None)
        if key not in self._memo:
            value = self._value(node, {}, module)
            self._memo[key] = bool(value) if value is not _UNKNOWN else None
        return self._memo[key]

    def branch_taken(self, module, context_index: int) -> bool:
        """For `Program.branch_taken`: an assignment under a branch the settings rule out binds nothing."""
        return self.taken(module, self.contexts(module)[context_index])

    def contexts(self, module) -> list:
        if module.name not in self._contexts:
            self._contexts[module.name] = module.contexts()
        return self._contexts[module.name]

    def taken(self, module, context: list) -> bool:
        """False when an if/else of the context goes the other way under the settings."""
        for kind, text, _line in context:
            holds = self.holds(text, module=module) if kind in ("if", "else") else None
            if holds is not None and (kind == "if") != holds:
                return False
        return True

    def _returned(self, module, func: ast.AST) -> ast.AST | None:
        """What `is_neutron()` stands for: the one expression the function returns, when it is an option."""
        chain = _attribute_chain(func)
        if self.program is None or module is None or not chain:
            return None
        from stackread.program.resolve import Scope

        expr: list = ["n", chain[0]]
        for attr in chain[1:]:
            expr = ["a", expr, attr]
        values = [v for v in self.program.resolve(expr, Scope(module, "")) if v[0] == "func"]
        if len(values) != 1 or values[0][1] not in self.program.defs:
            return None
        definition = self.program.defs[values[0][1]]
        owner = self.program.modules[definition.module]
        returns = [e for scope, e, _context in owner.summary["returns"] if scope == definition.qualname]
        if len(returns) != 1:
            return None
        parts, e = [], returns[0]
        while e[0] == "a":
            parts.append(e[2])
            e = e[1]
        return _parsed(".".join([e[1], *reversed(parts)])) if e[0] == "n" and e[1] == "CONF" and parts else None

    def residue(self, text: str, arguments: dict[str, Any]) -> str:
        """The part of a condition the arguments leave open: `not live and not rebuild and flavor`
        with live=False, rebuild=False is `flavor`."""
        node = _parsed(text)
        if node is None or not isinstance(node, ast.BoolOp):
            return text
        keep = [v for v in node.values if self._value(v, arguments) is _UNKNOWN]
        if len(keep) == len(node.values):
            return text
        return ast.unparse(keep[0]) if len(keep) == 1 else ast.unparse(ast.BoolOp(node.op, keep))

    def _value(self, node: ast.AST, arguments: dict[str, Any], module=None) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name) and node.id in arguments:
            return arguments[node.id]
        if isinstance(node, ast.Call) and not node.args and not node.keywords:
            returned = self._returned(module, node.func)
            return self._value(returned, arguments) if returned is not None else _UNKNOWN
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self._value(node.operand, arguments, module)
            return _UNKNOWN if inner is _UNKNOWN else not inner
        if isinstance(node, ast.BoolOp):
            values = [self._value(v, arguments, module) for v in node.values]
            decided = [v for v in values if v is not _UNKNOWN]
            if isinstance(node.op, ast.And):
                return False if any(not v for v in decided) else (_UNKNOWN if len(decided) < len(values) else True)
            return True if any(decided) else (_UNKNOWN if len(decided) < len(values) else False)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = self._value(node.left, arguments, module), self._value(node.comparators[0], arguments, module)
            if left is _UNKNOWN or right is _UNKNOWN:
                return _UNKNOWN
            op = node.ops[0]
            compare = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
                       ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b}.get(type(op))
            return compare(left, right) if compare else _UNKNOWN
        chain = _attribute_chain(node)
        if chain and chain[0] == "CONF" and len(chain) in (2, 3):
            group, name = (chain[1], chain[2]) if len(chain) == 3 else (None, chain[1])
            key = f"{group}.{name}" if group else name
            if key in self.settings:
                return self.settings[key]
            found = self.options.lookup(group, name)
            if found is not None and isinstance(found.value, (bool, int, float, str, type(None))):
                return found.value
        return _UNKNOWN


_UNKNOWN = object()


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> ast.AST | None:
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError:
        return None


@functools.lru_cache(maxsize=4096)
def _names_in(text: str) -> frozenset[str]:
    """The plain names a condition reads (`live`, `rebuild`), not attributes of them."""
    node = _parsed(text)
    return frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name)) if node is not None else frozenset()


def _attribute_chain(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


@dataclass
class _Visit:
    """What a function leads to, independent of where it is called from."""

    children: list[tuple[list, tuple]]  # (call context, (kind, target or send, line, receiver class, call record))
    truncated: bool
    others: list[tuple[list, tuple]] = field(default_factory=list)  # calls leading nowhere: for --depth


class _Walker:
    def __init__(self, program, rpc, driver: str | None, show_objects: bool, conditions: _Conditions,
                 extra_depth: int = 0, skipped=(), cut_sends: dict[tuple[str, int], list[str]] | None = None):
        self.program = program
        self.skipped = {s.module: s for s in skipped}  # modules the flow cannot be followed into
        self._cut_sends = cut_sends or {}
        self.extra_depth = extra_depth  # levels of calls that lead nowhere shown around the flow (--depth)
        self.driver = (driver or DEFAULT_DRIVER).lower()
        self.show_objects = show_objects
        self.conditions = conditions
        self._sends: dict[tuple[str, int], list] = {}
        for send in rpc.sends:
            if send.endpoint and not (send.namespace is None and send.method.startswith("object_")):
                self._sends.setdefault((send.client, send.client_line), []).append(send)
        self._clients = {client for client, _line in self._sends}
        self._memo: dict[tuple[str, str | None], _Visit] = {}
        self._service_of_module: dict[str, str | None] = {}

    # -- what each function leads to ----------------------------------------------------------

    def visit(self, function: str, receiver: tuple[str | None, bool], depth: int, stack: frozenset) -> _Visit:
        """What a function leads to, run by `self` of class `receiver` = (class or None: its own, exactly)."""
        cached = self._memo.get((function, receiver))
        if cached is not None:
            return cached
        if depth > MAX_DEPTH:
            return _Visit([], True)
        definition = self.program.defs.get(function)
        if definition is None:
            return _Visit([], False)
        module = self.program.modules[definition.module]
        contexts = self.conditions.contexts(module)
        found: list[tuple[list, Any]] = []
        others: list[tuple[list, Any]] = []
        truncated = False
        for record in sorted(self.program.calls_in(function), key=lambda r: (r[2], r[3])):
            line, ctx = record[2], record[4]
            context = contexts[ctx] if ctx is not None else []
            for send in self._sends.get((function, line), []):
                found.append((context + ([send.branch] if send.branch else []), ("hop", send, line, (None, True), record)))  # the service's own manager
            # A call into a skipped module, or a send whose serving manager is in one: the flow is cut.
            for skipped in self._cut_sends.get((function, line)) or cut_modules(self.program, module, record, receiver):
                found.append((context, ("cut", skipped, line, (None, False), record)))
            if (function, line) in self._sends or (function, line) in self._cut_sends:
                continue
            targets, _externals = self.program.call_targets_as(module, record, *receiver)
            callees = [t for t, _certain, _r, _exact in targets]
            for target, kind, target_receiver in self._choose(targets):
                if (target, target_receiver) in stack or (target, target_receiver) == (function, receiver):
                    continue
                if kind in ("driver", "service"):
                    found.append((context, (kind, target, line, target_receiver, record)))
                    continue
                sub = self.visit(target, target_receiver, depth + 1, stack | {(function, receiver)})
                truncated = truncated or sub.truncated
                where = context + self._recovery(target, record, callees)
                (found if sub.children else others).append((where, ("call", target, line, target_receiver, record)))
        result = _Visit(found, truncated, others)
        if not truncated:
            self._memo[(function, receiver)] = result
        return result

    def _recovery(self, target: str, record: list, callees: list[str]) -> list:
        """A callback handed over for recovery runs when something fails: `driver.live_migration(...,
        self._post_live_migration, self._rollback_live_migration)` (parameters post_method and
        recover_method), `functools.partial(self._rollback_live_migration, ...)`. Named so by itself or
        by the parameter it is passed as, it gets an except-like context: the error path."""
        if _calls_itself(target, record):
            return []
        name = target.rpartition(".")[2]
        if _RECOVERY.search(name):
            return [["except", f"{name} is a recovery callback", record[2]]]
        args, kwargs = record[5], record[6]
        position = next((i for i, a in enumerate(args) if a[0] in ("n", "a") and a[-1] == name), None)
        keyword = next((k for k, a in kwargs.items() if a[0] in ("n", "a") and a[-1] == name), None)
        for callee in callees:
            if callee == target or not _calls_itself(callee, record):
                continue
            params = self._parameters(callee)
            role = keyword or (params[position] if position is not None and position < len(params) else None)
            if role and _RECOVERY.search(role):
                return [["except", f"called back as {role}", record[2]]]
        return []

    def _choose(self, targets: list[tuple[str, bool, str | None, bool]]) -> list[tuple[str, str, tuple]]:
        """The targets worth following, each with its kind and receiver class: the chosen driver among
        a driver interface's implementations, service clients as leaves, objects and the DB left out."""
        result: list[tuple[str, str, tuple]] = []
        uncertain = [(t, (r, exact)) for t, certain, r, exact in targets if not certain]
        certain = [(t, (r, exact)) for t, is_certain, r, exact in targets if is_certain]
        if len(uncertain) > 1 and any(self._is_driver(t) for t, _r in uncertain):
            chosen = [(t, r) for t, r in uncertain if self._matches_driver(t)] if self.driver != "all" else uncertain
            result += [(t, "driver", r) for t, r in chosen or uncertain[:1]]
        else:
            certain += uncertain
        for target, receiver in dict.fromkeys(certain):
            definition = self.program.defs.get(target)
            if definition is None:
                continue
            package_parts = definition.module.split(".")[1:2]
            if not self.show_objects and package_parts and package_parts[0] in _OBJECT_PACKAGES:
                continue
            service = self._service(definition.module)
            if service and (definition.kind == "class" or target.endswith(".__init__")):
                continue  # making the client is not calling the service
            result.append((target, "service" if service else "call", receiver))
        return result

    def _is_driver(self, function: str) -> bool:
        cls = function.rsplit(".", 2)[-2] if function.count(".") >= 2 else ""
        return cls.endswith("Driver")

    def _matches_driver(self, function: str) -> bool:
        return matches_method(self.driver, function)

    def _service(self, module_name: str) -> str | None:
        """Other OpenStack services' clients: a module importing their client library, or
        Placement's report client (it talks REST through keystoneauth, with no client library)."""
        if module_name not in self._service_of_module:
            module = self.program.modules.get(module_name)
            found = None
            if module is not None:
                # A manager importing cinderclient for its exceptions is no Cinder client: the module
                # must be named for the service (nova.volume.cinder, nova.network.neutronv2.api) or be an `*_api`.
                for records in module.bindings.get("", {}).values():
                    for record in records:
                        top = record[1].split(".")[0] if record[0] == "import" else ""
                        service = SERVICE_LIBRARIES.get(top)
                        if service and (service in module_name or module_name.endswith("_api")):
                            found = service
                if found is None and any(d.qualname.endswith("ReportClient") for d in module.defs.values()):
                    found = "placement"
            self._service_of_module[module_name] = found
        return self._service_of_module[module_name]

    # -- the tree -----------------------------------------------------------------------------

    def walk(self, entry: str, process: str) -> Step:
        """The tree from the entry. Steps are expanded default path first, then other branches, then
        the error path, each breadth first: a function met again is drawn once, where the default
        flow runs it, and elsewhere says "expanded above"."""
        root = self._step(entry, process, "entry")
        root.receiver_exact = True  # the router makes the controller itself
        shown: set[tuple] = set()
        queue: list = [((False, False, 0), 0, root, frozenset(), [], {}, self.extra_depth, {})]
        counter = 1
        while queue:
            (_error, _other, depth), _n, step, stack, conditions, arguments, budget, texts = heapq.heappop(queue)
            # The same function with other literal arguments may take other branches: drawn again.
            key = (step.function, step.receiver, step.receiver_exact, step.process,
                   tuple(sorted(arguments.items(), key=repr)))
            if key in shown:
                step.seen_above = True
                continue
            shown.add(key)
            inner = stack | {(step.function, (step.receiver, step.receiver_exact))}
            for child, child_conditions, child_arguments, child_budget, child_texts in self._children(
                    step, stack, conditions, arguments, budget, texts):
                priority = (child.error_path, not child.default_path, depth + 1)
                heapq.heappush(queue, (priority, counter, child, inner, child_conditions, child_arguments, child_budget,
                                       child_texts))
                counter += 1
        return root

    def _step(self, function: str, process: str, kind: str) -> Step:
        if kind == "cut":
            skipped = self.skipped[function]
            return Step(function, skipped.path, skipped.line or 0, process, kind, cut=cut_text(skipped))
        definition = self.program.defs.get(function)
        path = self.program.modules[definition.module].path if definition else "?"
        return Step(function, path, definition.line if definition else 0, process, kind)

    def _children(self, step: Step, stack: frozenset, conditions: list[str], arguments: dict[str, Any], budget: int,
                  texts: dict[str, str]) -> list[tuple[Step, list[str], dict[str, Any], int, dict[str, str]]]:
        """Adds the step's children; returns those to expand further, with their conditions, the
        literal arguments they are called with on this path, how many levels of calls leading
        nowhere may still be shown below them, and the caller's text of each of their arguments."""
        pending: list[tuple[Step, list[str], dict[str, Any], int, dict[str, str]]] = []
        definition = self.program.defs.get(step.function)
        module = self.program.modules[definition.module] if definition else None
        visit = self.visit(step.function, (step.receiver, step.receiver_exact), 0, stack)
        listed = [(c, t, budget) for c, t in visit.children]
        if budget > 0:
            listed = sorted(listed + [(c, t, budget - 1) for c, t in visit.others], key=lambda item: item[1][2])
        for context, (kind, target, line, receiver, record), child_budget in listed:
            context = self._on_path(context, arguments)
            if context is None:
                continue
            condition, loop, in_except = _describe(context)
            child_default = step.default_path and self.conditions.taken(module, context) and not in_except
            child_error = step.error_path or in_except
            child_conditions = conditions + ([condition] if condition else [])
            if kind == "hop":
                send = target
                # `prepare(server=host)` routes to what the caller passed as host: `self.source`.
                route = texts.get(send.server_route, send.server_route) if send.server_route else None
                hop = Hop(step.process, send.service, send.method, send.kind, send.fanout, send.client,
                          send.client_path, send.client_line, send.endpoint, send.endpoint_path, send.endpoint_line,
                          route, " and ".join(child_conditions) or None, child_default, child_error)
                child = self._step(send.endpoint, send.service, "hop")
                child.hop = hop
                target = send.endpoint
                # RPC sends keyword arguments named like the endpoint's parameters.
                child_arguments = {name: value for name, value in arguments.items()
                                   if name in self._parameters(target)}
                child_conditions = []  # a hop's condition is the sending process's own
                child_texts: dict[str, str] = {}
            else:
                child = self._step(target, step.process, kind)
                if kind == "service":
                    child.service = self._service(self.program.defs[target].module)
                child_arguments = self._arguments(target, record, arguments)
                child_texts = self._argument_texts(target, record, texts)
            child.call_line, child.condition, child.loop = line, condition, loop
            child.receiver, child.receiver_exact = receiver if receiver is not None else (None, False)
            child.error_path, child.default_path = child_error, child_default
            step.children.append(child)
            if kind in ("call", "hop") and (target, receiver) not in stack:
                pending.append((child, child_conditions, child_arguments, child_budget, child_texts))
        return pending

    def _argument_texts(self, function: str, record: list, texts: dict[str, str]) -> dict[str, str]:
        """Each parameter as the caller wrote its argument (a caller's own parameter as its caller wrote it)."""
        from stackread.frameworks.messaging import render_expr

        bound = self._bound(function, record)
        if bound is None:
            return {}
        result = {}
        for name, expr in bound.items():
            text = texts.get(expr[1]) if expr[0] == "n" else None
            result[name] = text or render_expr(expr)
        return {name: text for name, text in result.items() if "…" not in text}

    def _on_path(self, context: list, arguments: dict[str, Any]) -> list | None:
        """The context once the literal arguments of this path have decided what they can: None when
        they rule the call out (`live=False` for a resize), else the branches they leave open, each
        reduced to its open part (`not live and not rebuild and flavor` is `flavor`)."""
        kept = []
        for entry in context:
            kind, text, line = entry
            if kind not in ("if", "else") or not (_names_in(text) & arguments.keys()):
                kept.append(entry)
                continue
            holds = self.conditions.holds(text, arguments)
            if holds is None:
                kept.append([kind, self.conditions.residue(text, arguments), line])
            elif (kind == "if") != holds:
                return None
        return kept

    def _bound(self, function: str, record: list) -> dict[str, list] | None:
        """The function's parameters this call site passes, each with the argument's expression;
        None when the site hands the function over rather than calling it (a callback)."""
        if not _calls_itself(function, record):
            return None
        params = self._parameters(function)
        args, kwargs = record[5], record[6]
        bound = {}
        for name, expr in zip(params, args):
            if expr[0] == "*" or name.startswith("*"):
                break
            bound[name] = expr
        bound.update((name, expr) for name, expr in kwargs.items() if name in params)
        return bound

    def _parameters(self, function: str) -> list[str]:
        """The parameters a caller passes: without the `self`/`cls` of a method."""
        definition = self.program.defs.get(function)
        if definition is None:
            return []
        params = list(definition.params)
        if definition.kind in ("method", "classmethod", "property") and params:
            params = params[1:]
        return params

    def _arguments(self, function: str, record: list, arguments: dict[str, Any]) -> dict[str, Any]:
        """The parameters a call binds to literals (`live=False`), or to the caller's own literal
        arguments; a parameter not passed has its literal default (`is_local_creation=False`)."""
        bound = self._bound(function, record)
        if bound is None:
            return {}
        params = self._parameters(function)
        definition = self.program.defs.get(function)
        found: dict[str, Any] = {}
        args, kwargs = record[5], record[6]
        if definition is not None and "**" not in kwargs and not any(a[0] == "*" for a in args):
            found.update((name, value) for name, value in definition.defaults
                         if name not in kwargs and name not in params[:len(args)])
        for name, expr in bound.items():
            if expr[0] in ("k", "s"):
                found[name] = expr[1]
            elif expr[0] == "n" and expr[1] in arguments:
                found[name] = arguments[expr[1]]
        return found


# Parameters that take a callback for when something fails: recover_method, rollback, on_error...
_RECOVERY = re.compile(r"recover|rollback|revert|fail|error|cleanup", re.I)


def _calls_itself(function: str, record: list) -> bool:
    """The call site calls the function itself, so its arguments are the function's: not a callback
    handed to it (`utils.spawn_n(self._do_build, ...)`)."""
    callee = record[1]
    called = callee[1] if callee[0] == "n" else callee[2] if callee[0] == "a" else None
    name = function.rpartition(".")[2]
    return called == name or name == "__init__"


def _describe(context: list) -> tuple[str | None, str | None, bool]:
    """(condition text, loop text, inside an except block) of a call's context chain."""
    conditions = [text if kind == "if" else _negate(text) for kind, text, _line in context if kind in ("if", "else")]
    loops = [text for kind, text, _line in context if kind == "loop"]
    in_except = any(kind == "except" for kind, _text, _line in context)
    return (" and ".join(conditions) or None, loops[-1] if loops else None, in_except)


def _negate(text: str) -> str:
    """`not (x)`, and `x` for `not x` (an early `if not x: return` guards what follows with x)."""
    if text.startswith("not ") and " and " not in text and " or " not in text:
        return text[4:].strip()
    return f"not ({text})"


def _in_flow_order(root: Step) -> list[Hop]:
    """Hops as a reader meets them: depth first through the tree, calls in source order."""
    hops: list[Hop] = []
    todo = [root]
    while todo:
        step = todo.pop()
        if step.hop is not None:
            hops.append(step.hop)
        todo.extend(reversed(step.children))
    return hops
