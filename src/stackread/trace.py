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
import heapq
import pathlib
from dataclasses import dataclass, field
from typing import Any

from stackread.diagnostics import Diagnostic, Diagnostics
from stackread.errors import AnalysisError
from stackread.perf import collector_paused
from stackread.rest import Route

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
    seen_above: bool = False  # already expanded earlier in the tree
    children: list["Step"] = field(default_factory=list)


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


def trace_operation(path: str | pathlib.Path, operation: str, rev: str | None = None, *, driver: str = "libvirt",
                    settings: dict[str, Any] | None = None, show_objects: bool = False, cache_dir=None,
                    use_cache: bool = True, progress=None) -> Trace:
    from stackread.callgraph import build_program, open_cache
    from stackread.entrypoints import entrypoints_of_project, open_project
    from stackread.operations import find_operation
    from stackread.rest import routes_of_project
    from stackread.rpc import rpc_of_program

    project = open_project(path, rev)
    routes = routes_of_project(project)
    lookup = find_operation(routes.routes, operation)
    if lookup.found is None:
        raise UnknownOperation(lookup)
    entry = lookup.found.route
    if not entry.controller:
        raise AnalysisError(f"{operation!r} maps to {entry.verb} {entry.path}, but no controller method serves it")
    report = entrypoints_of_project(project)
    services = [ep for ep in report.entrypoints if ep.service is not None]
    api_process = f"{report.project}-api" if report.project else "api"
    diagnostics = Diagnostics()
    with open_cache(cache_dir, use_cache, diagnostics) as cache, collector_paused():
        program, _ = build_program(project.tree, cache, diagnostics, include_tests=False, progress=progress)
        rpc = rpc_of_program(program, services, project.tree.label, project.tree.revision)
        walker = _Walker(program, rpc, driver, show_objects, _Conditions(project.options, settings or {}))
        root = walker.walk(entry.controller, api_process)
    hops = _in_flow_order(root)
    notes = []
    if not hops:
        notes.append(f"{lookup.found.name} reaches no other process: everything happens in {api_process}.")
    return Trace(operation, entry, routes.source, routes.revision, root, hops, dict(settings or {}), notes,
                 list(diagnostics.items))


class UnknownOperation(AnalysisError):
    def __init__(self, lookup):
        self.lookup = lookup
        what = "is ambiguous" if lookup.ambiguous else "is not an operation of this API"
        super().__init__(f"{lookup.query!r} {what}")


class _Conditions:
    """Conditions on oslo.config options, evaluated on their defaults: True, False, or None (cannot say)."""

    def __init__(self, options, settings: dict[str, Any]):
        self.options = options
        self.settings = settings
        self._memo: dict[str, bool | None] = {}

    def holds(self, text: str) -> bool | None:
        if text not in self._memo:
            try:
                node = ast.parse(text, mode="eval").body
            except SyntaxError:
                self._memo[text] = None
            else:
                value = self._value(node)
                self._memo[text] = bool(value) if value is not _UNKNOWN else None
        return self._memo[text]

    def _value(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self._value(node.operand)
            return _UNKNOWN if inner is _UNKNOWN else not inner
        if isinstance(node, ast.BoolOp):
            values = [self._value(v) for v in node.values]
            decided = [v for v in values if v is not _UNKNOWN]
            if isinstance(node.op, ast.And):
                return False if any(not v for v in decided) else (_UNKNOWN if len(decided) < len(values) else True)
            return True if any(decided) else (_UNKNOWN if len(decided) < len(values) else False)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = self._value(node.left), self._value(node.comparators[0])
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

    children: list[tuple[list, tuple]]  # (call context, (kind, target or send, line))
    truncated: bool


class _Walker:
    def __init__(self, program, rpc, driver: str, show_objects: bool, conditions: _Conditions):
        self.program = program
        self.driver = driver.lower()
        self.show_objects = show_objects
        self.conditions = conditions
        self._sends: dict[tuple[str, int], list] = {}
        for send in rpc.sends:
            if send.endpoint and not (send.namespace is None and send.method.startswith("object_")):
                self._sends.setdefault((send.client, send.client_line), []).append(send)
        self._clients = {client for client, _line in self._sends}
        self._memo: dict[str, _Visit] = {}
        self._contexts: dict[str, list] = {}
        self._service_of_module: dict[str, str | None] = {}

    # -- what each function leads to ----------------------------------------------------------

    def visit(self, function: str, depth: int, stack: frozenset) -> _Visit:
        cached = self._memo.get(function)
        if cached is not None:
            return cached
        if depth > MAX_DEPTH:
            return _Visit([], True)
        definition = self.program.defs.get(function)
        if definition is None:
            return _Visit([], False)
        module = self.program.modules[definition.module]
        contexts = self._module_contexts(module)
        found: list[tuple[list, Any]] = []
        truncated = False
        for record in sorted(self.program.calls_in(function), key=lambda r: (r[2], r[3])):
            line, ctx = record[2], record[4]
            context = contexts[ctx] if ctx is not None else []
            for send in self._sends.get((function, line), []):
                found.append((context, ("hop", send, line)))
            if (function, line) in self._sends:
                continue
            targets, externals = self.program.call_targets(module, record)
            for target, kind in self._choose(targets):
                if target in stack or target == function:
                    continue
                if kind in ("driver", "service"):
                    found.append((context, (kind, target, line)))
                    continue
                sub = self.visit(target, depth + 1, stack | {function})
                truncated = truncated or sub.truncated
                if sub.children:
                    found.append((context, ("call", target, line)))
        result = _Visit(found, truncated)
        if not truncated:
            self._memo[function] = result
        return result

    def _choose(self, targets: list[tuple[str, bool]]) -> list[tuple[str, str]]:
        """The targets worth following, each with its kind: the chosen driver among a driver
        interface's implementations, service clients as leaves, objects and the DB left out."""
        result: list[tuple[str, str]] = []
        uncertain = [t for t, certain in targets if not certain]
        certain = [t for t, is_certain in targets if is_certain]
        if len(uncertain) > 1 and any(self._is_driver(t) for t in uncertain):
            chosen = [t for t in uncertain if self._matches_driver(t)] if self.driver != "all" else uncertain
            result += [(t, "driver") for t in chosen or uncertain[:1]]
        else:
            certain += uncertain
        for target in dict.fromkeys(certain):
            definition = self.program.defs.get(target)
            if definition is None:
                continue
            package_parts = definition.module.split(".")[1:2]
            if not self.show_objects and package_parts and package_parts[0] in _OBJECT_PACKAGES:
                continue
            service = self._service(definition.module)
            if service and (definition.kind == "class" or target.endswith(".__init__")):
                continue  # making the client is not calling the service
            result.append((target, "service" if service else "call"))
        return result

    def _is_driver(self, function: str) -> bool:
        cls = function.rsplit(".", 2)[-2] if function.count(".") >= 2 else ""
        return cls.endswith("Driver")

    def _matches_driver(self, function: str) -> bool:
        parts = function.lower().split(".")
        return self.driver in parts[:-2] or parts[-2].startswith(self.driver)

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

    def _module_contexts(self, module) -> list:
        if module.name not in self._contexts:
            self._contexts[module.name] = module.contexts()
        return self._contexts[module.name]

    # -- the tree -----------------------------------------------------------------------------

    def walk(self, entry: str, process: str) -> Step:
        """The tree from the entry. Steps are expanded default path first, then other branches, then
        the error path, each breadth first: a function met again is drawn once, where the default
        flow runs it, and elsewhere says "expanded above"."""
        root = self._step(entry, process, "entry")
        shown: set[tuple[str, str]] = set()
        queue: list = [((False, False, 0), 0, root, frozenset(), [])]
        counter = 1
        while queue:
            (_error, _other, depth), _n, step, stack, conditions = heapq.heappop(queue)
            key = (step.function, step.process)
            if key in shown:
                step.seen_above = True
                continue
            shown.add(key)
            for child, child_conditions in self._children(step, stack, conditions):
                priority = (child.error_path, not child.default_path, depth + 1)
                heapq.heappush(queue, (priority, counter, child, stack | {step.function}, child_conditions))
                counter += 1
        return root

    def _step(self, function: str, process: str, kind: str) -> Step:
        definition = self.program.defs.get(function)
        path = self.program.modules[definition.module].path if definition else "?"
        return Step(function, path, definition.line if definition else 0, process, kind)

    def _children(self, step: Step, stack: frozenset, conditions: list[str]) -> list[tuple[Step, list[str]]]:
        """Adds the step's children; returns those to expand further, with their conditions."""
        pending: list[tuple[Step, list[str]]] = []
        for context, (kind, target, line) in self.visit(step.function, 0, stack).children:
            condition, loop, in_except = _describe(context)
            child_default = step.default_path and self._default(context) and not in_except
            child_error = step.error_path or in_except
            child_conditions = conditions + ([condition] if condition else [])
            if kind == "hop":
                send = target
                hop = Hop(step.process, send.service, send.method, send.kind, send.fanout, send.client,
                          send.client_path, send.client_line, send.endpoint, send.endpoint_path, send.endpoint_line,
                          send.server_route, " and ".join(child_conditions) or None, child_default, child_error)
                child = self._step(send.endpoint, send.service, "hop")
                child.hop = hop
                target = send.endpoint
            else:
                child = self._step(target, step.process, kind)
                if kind == "service":
                    child.service = self._service(self.program.defs[target].module)
            child.call_line, child.condition, child.loop = line, condition, loop
            child.error_path, child.default_path = child_error, child_default
            step.children.append(child)
            if kind in ("call", "hop") and target not in stack:
                pending.append((child, child_conditions))
        return pending

    def _default(self, context: list) -> bool:
        """False when an if/else the call sits in goes the other way under the settings."""
        for kind, text, _line in context:
            holds = self.conditions.holds(text) if kind in ("if", "else") else None
            if holds is not None and (kind == "if") != holds:
                return False
        return True


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
