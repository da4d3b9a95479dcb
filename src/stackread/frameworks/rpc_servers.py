"""Which oslo.messaging RPC servers a tree starts: on which topics, serving which endpoint classes.

An RPC server is made by `oslo_messaging.get_rpc_server(transport, target, endpoints, ...)`, or by
a project function that hands its own parameters on to it (`rpc.get_server(target, endpoints)`,
Heat's `get_rpc_server(target, endpoint)` that lists its one endpoint): a wrapper, found by reading
its body, never by its name. Each other call of either is a server site; its target's `topic=` and
its endpoint list are read with the values the code gives them, followed through:
- parameters, from every call site of the function (a constructor's, a `super().__init__(...)`'s);
- `self.x` attributes, read for each concrete class the site's method runs as (Designate's
  `RPCService` serves `[self]`, each subclass on the topic its `__init__` passes);
- local names, `a or b`, lists, option defaults (`CONF.x`, `CONF['group'].x`), importers of a dotted
  name (`import_object(manager)`), `getattr(module, name)`, and library wrappers around an endpoint
  (`profiler.trace_cls('rpc')(manager)` stands for the manager).
"""

from __future__ import annotations

from dataclasses import dataclass

from stackread.frameworks.rpc_consumers import bound_arguments, call_argument, consumer_servers, lifted
from stackread.frameworks.rpc_values import Reader, constructs
from stackread.program.facts import Scope, enclosing_class

_GET_RPC_SERVER = ("oslo_messaging.get_rpc_server", "oslo_messaging.rpc.get_rpc_server",
                   "oslo_messaging.rpc.server.get_rpc_server")
_MAX_WRAPPERS = 4  # a wrapper of a wrapper of a wrapper... of get_rpc_server


@dataclass(frozen=True)
class RpcServer:
    path: str  # the call that makes the server
    line: int
    function: str  # dotted function the call is in
    served_as: str | None  # the concrete class whose method makes it (a subclass of the method's own)
    topics: tuple[str, ...]
    endpoints: tuple[str, ...]  # dotted classes, in the order oslo.messaging tries them
    namespace: str | None = None  # the target's (rarely set on a server)
    made_in: str | None = None  # the function whose call constructs the instance that serves


@dataclass(frozen=True)
class _Shape:
    """Where a server function takes the target and the endpoints: positions among the call's
    arguments (`self` not counted) and names; `listed` when it lists a single endpoint itself."""

    target: tuple[int, str]
    endpoints: tuple[int, str]
    listed: bool = False


def find_servers(program, explained: frozenset = frozenset(), only: frozenset | None = None) -> list[RpcServer]:
    """Every RPC server site of the program, once per class it runs as; sites in the `explained`
    classes are left out; with `only`, the sites in those classes' own methods alone."""
    shapes = _server_functions(program)
    found: list[RpcServer] = []
    for module in sorted(program.modules.values(), key=lambda m: m.name):
        names = module.summary["callee_names"]
        if not any(name.rpartition(".")[2] in names for name in shapes):
            continue
        for call in module.calls():
            shape = _shape_of(program, module, call, shapes)
            if shape is None or _passes_through(module, call, shape):
                continue
            if only is not None:
                if enclosing_class(Scope(module, call[0])) in only:
                    found += _sites(program, module, call, shape)
                continue
            if lifted(program, module, call, shape.endpoints):  # each caller's endpoints
                found += consumer_servers(program, module, call, shape, explained)
            elif enclosing_class(Scope(module, call[0])) not in explained:
                found += _sites(program, module, call, shape)
    return found


def _server_functions(program) -> dict[str, _Shape]:
    """oslo's get_rpc_server, and the project's functions that pass their parameters on to one."""
    shapes = {name: _Shape((1, "target"), (2, "endpoints")) for name in _GET_RPC_SERVER}
    for _round in range(_MAX_WRAPPERS):
        new = {}
        for module in program.modules.values():
            names = module.summary["callee_names"]
            if not any(name.rpartition(".")[2] in names for name in shapes):
                continue
            for call in module.calls():
                shape = _shape_of(program, module, call, shapes)
                definition = module.defs.get(call[0])
                if shape is None or definition is None or f"{module.name}.{call[0]}" in shapes:
                    continue
                wrapper = _wrapper_shape(definition, call, shape)
                if wrapper is not None:
                    new[definition.full] = wrapper
        if not new:
            break
        shapes.update(new)
    return shapes


def _shape_of(program, module, call, shapes: dict[str, _Shape]) -> _Shape | None:
    callee = call[1]
    name = callee[2] if callee[0] == "a" else callee[1] if callee[0] == "n" else None
    if not isinstance(name, str) or not any(s.rpartition(".")[2] == name for s in shapes):
        return None
    for value in sorted(program.resolve(callee, Scope(module, call[0]))):
        if value[0] in ("ext", "func", "meth") and value[1] in shapes:
            return shapes[value[1]]
    return None


def _wrapper_shape(definition, call, shape: _Shape) -> _Shape | None:
    """The shape of the function the call is in, when it passes its own parameters as both."""
    params = [p for p in definition.params if not p.startswith("*")]
    skip = 1 if definition.kind in ("method", "classmethod") else 0
    target, endpoints = call_argument(call, shape.target), call_argument(call, shape.endpoints)
    if target is None or endpoints is None or target[0] != "n" or target[1] not in params:
        return None
    listed = False
    if shape.listed:
        listed = True
    elif endpoints[0] == "l" and len(endpoints[2]) == 1 and endpoints[2][0][0] == "n":
        endpoints, listed = endpoints[2][0], True
    if endpoints[0] != "n" or endpoints[1] not in params:
        return None
    return _Shape((params.index(target[1]) - skip, target[1]), (params.index(endpoints[1]) - skip, endpoints[1]), listed)


def _passes_through(module, call, shape: _Shape) -> bool:
    """A wrapper's own call: what it serves is its callers' to say."""
    definition = module.defs.get(call[0])
    return definition is not None and _wrapper_shape(definition, call, shape) is not None


def _sites(program, module, call, shape: _Shape) -> list[RpcServer]:
    function = f"{module.name}.{call[0]}" if call[0] else module.name
    owner = enclosing_class(Scope(module, call[0]))
    classes = [owner, *program.all_subclasses(owner)] if owner else [None]
    found = []
    for cls in classes:
        scope = Scope(module, call[0], self_class=cls if cls != owner else None)
        # Each place that makes the instance makes a server of its own: its topic and its manager
        # come from the same constructor call (Trove's RpcService, once per process).
        for pins in _constructions(program, cls) if cls else [{}]:
            reader = Reader(program, pins)
            target = call_argument(call, shape.target)
            topics, namespace = reader.target(target, scope) if target else ((), None)
            endpoints_expr = call_argument(call, shape.endpoints)
            endpoints = reader.endpoints(endpoints_expr, scope, shape.listed) if endpoints_expr else ()
            if cls != owner and not endpoints:
                continue
            made = pins.get(("", "made_in"))
            server = RpcServer(module.path, call[2], function, cls, topics, endpoints, namespace, made)
            if server not in found:
                found.append(server)
    return _drop_unspecialised(found, owner)


def _constructions(program, cls: str) -> list[dict]:
    """Per call that constructs exactly this class: its `__init__`'s parameters pinned to that call's
    arguments ({(function, parameter): (argument, caller's scope)}); one empty pinning when the class
    is only handed on (cotyledon's `manager.add(ConsumerService, ...)`)."""
    _owner, init = program.find_member(cls, "__init__")
    if init is None or init.kind == "class":
        return [{}]
    hierarchy = set(program.mro(cls))
    found = []
    for site in program.params.sites(init.full) + _factory_sites(program, cls):
        module, scope_name, args, kwargs, offset, line = site[:6]
        caller_class = enclosing_class(Scope(module, scope_name))
        if caller_class in hierarchy and scope_name.endswith(".__init__"):
            continue  # a `super().__init__(...)` on the way up, not a construction
        if len(site) < 7 and not constructs(program, module, scope_name, line, cls):
            continue
        pins = bound_arguments(init, args, kwargs, offset, Scope(module, scope_name))
        pins[(init.full, "")] = None  # pinned: a parameter not passed here takes its default only
        pins[("", "made_in")] = f"{module.name}.{scope_name}" if scope_name else module.name
        found += _per_caller(program, module, scope_name, pins)
    return found or [{}]


def _per_caller(program, module, scope_name: str, pins: dict) -> list[dict]:
    """The construction's pins once per caller of the function it is in, when it passes on that
    function's own parameters and several callers call it: Trove's `startup(conf, topic)`, called
    by `main` with `conf.taskmanager_queue` and by `mgmt_main` with "mgmt-taskmanager", is two
    processes, each listening on the topic its own caller passes (the made_in of each is the
    caller, the script that runs it)."""
    definition = module.defs.get(scope_name)
    if definition is None or definition.kind == "class" or definition.qualname.endswith(".__init__"):
        return [pins]
    handed = {value[0][1] for value in pins.values()
              if isinstance(value, tuple) and value[0][0] == "n" and value[0][1] in definition.params}
    sites = program.params.sites(definition.full) if handed else []
    if len(sites) < 2:
        return [pins]
    found = []
    for site in sites:
        site_module, site_scope, args, kwargs, offset = site[:5]
        caller = Scope(site_module, site_scope)
        bound = {(definition.full, ""): None, **bound_arguments(definition, args, kwargs, offset, caller)}
        made = f"{site_module.name}.{site_scope}" if site_scope else site_module.name
        found.append({**pins, **bound, ("", "made_in"): made})
    return found


def _factory_sites(program, cls: str) -> list[tuple]:
    """`cls(topic, server, endpoints)` in a classmethod of the class (Magnum's and Zun's
    `Service.create`): a construction of whichever class the classmethod is called on."""
    found = []
    for owner in program.mro(cls):
        definition = program.defs.get(owner)
        if definition is None:
            continue
        module = program.modules[definition.module]
        if "cls" not in module.summary["callee_names"]:
            continue
        for call in module.calls():
            member = module.defs.get(call[0])
            if member is not None and member.kind == "classmethod" and call[1] == ["n", "cls"] \
                    and call[0].rpartition(".")[0] == definition.qualname:
                found.append((module, call[0], call[5], call[6], 1, call[2], "factory"))
    return found


def _drop_unspecialised(found: list[RpcServer], owner: str | None) -> list[RpcServer]:
    """The base class's own reading (every subclass's topics at once) is kept only when no subclass
    says more."""
    if not any(s.served_as != owner and s.topics for s in found):
        return found
    return [s for s in found if s.served_as != owner]


def server_endpoints(program, services, known, target_of) -> list:
    """Endpoints of the servers the described services do not already explain, after theirs (so a
    send the services match is matched as before); `target_of(cls)` is the Target an endpoint class
    declares (its namespace and version)."""
    from stackread.frameworks.messaging import Endpoint

    names = {}  # (topic, class) -> the binary of the first service that serves it
    for ep in dedicated_first(services):
        info = ep.service
        for topic in (info.topic, *info.extra_topics):
            for cls in info.endpoints or (info.manager,):
                names.setdefault((topic, cls), info.binary or ep.name)
    have = {(e.topic, e.cls) for e in known}
    found = []
    for server in find_servers(program, explained(program, services)):
        for cls in server.endpoints:
            for topic in server.topics:
                if (topic, cls) in have or cls not in program.defs:
                    continue
                have.add((topic, cls))
                service = names.get((topic, cls)) or server.served_as or server.function
                declared = target_of(cls)
                found.append(Endpoint(service, topic, cls, declared.namespace or server.namespace, declared.version))
    return found


def dedicated_first(services) -> list:
    """The services in the order their endpoints are claimed: where several scripts serve the same
    endpoint, the one that runs least besides is the process as deployed: the fewest service objects
    its main starts (trove-taskmanager its RpcService; trove-fake-mode that and the API's WSGI
    Service; `ironic` the conductor and the console proxy), then the fewest classes it names, then
    the plainer name. Never the all-in-one `ironic` or `trove-fake-mode`."""
    return sorted(services, key=lambda ep: (ep.service.services_started, ep.service.classes_named,
                                            len(ep.name), ep.name))


def explained(program, services) -> frozenset:
    """The classes (and their bases) the services with a manager and a topic build: their servers are
    what `entrypoints` read from `Service.create(binary=..., topic=..., manager=...)` (Nova, Cinder)."""
    found: set[str] = set()
    for ep in services:
        for cls in _built(program, ep.service):
            found.update(program.mro(cls))
    return frozenset(found)


def _built(program, info) -> list[str]:
    """The classes the service's creating call constructs (its `Service`), the manager aside."""
    if not (info.manager and info.topic and info.manager_path):
        return []
    module = next((m for m in program.modules.values() if m.path == info.created_path), None)
    if module is None:
        return []
    found = []
    for call in module.calls():
        if call[2] != info.created_line:
            continue
        for value in program.resolve(call[1], Scope(module, call[0])):
            definition = program.defs.get(value[1]) if value[0] in ("cls", "func", "meth") else None
            if definition is None:
                continue
            cls = definition.full if definition.kind == "class" else \
                enclosing_class(Scope(program.modules[definition.module], definition.qualname))
            if cls and cls != info.manager and cls not in found:
                found.append(cls)
    return found


def shared_endpoints(program, info) -> list[str]:
    """Endpoints the service's own `Service` class builds in its server's endpoint list besides the
    manager, served on every topic a service of that class listens on: Nova's
    `baserpc.BaseRPCAPI(self.manager.service_name, ...)` next to the manager in `Service.start`.
    A class that forwards through `__getattr__` (`_TrackingEndpointWrapper(self.manager)`) is the
    object it wraps, not an endpoint of its own."""
    classes = frozenset(c for cls in _built(program, info) for c in program.mro(cls))
    if not classes:
        return []
    found: list[str] = []
    for server in find_servers(program, only=classes):
        for cls in server.endpoints:
            if cls == info.manager or cls in found or program.find_member(cls, "__getattr__")[1] is not None:
                continue
            if info.manager in program.defs and cls in program.mro(info.manager):
                continue
            found.append(cls)
    return found


class ClientTopics:
    """The topics a client class's Target can name, read with this module's value flow: for the sends
    whose topic the client side left unknown (`self.topic = topic if topic else
    CONF['service:central'].topic`, a `topic=CONF.conductor.topic` default handed to a base class)."""

    def __init__(self, program, target_calls):
        self.program = program
        self.target_calls = target_calls  # client class -> [(module, scope name, call)]
        self._memo: dict[str, tuple[str, ...]] = {}
        self._functions: list[tuple] | None = None

    def of(self, client: str) -> tuple[str, ...]:
        """Topics for a send made in `client` (a method, or a wrapper's caller)."""
        cls = client.rpartition(".")[0]
        definition = self.program.defs.get(cls)
        if definition is None or definition.kind != "class":
            return ()
        if cls not in self._memo:
            self._memo[cls] = self._topics(cls)
        return self._memo[cls]

    def _topics(self, cls: str) -> tuple[str, ...]:
        reader = Reader(self.program)
        mro = self.program.mro(cls)
        for owner in mro:
            found: set[str] = set()
            for module, scope_name, call in self.target_calls().get(owner, []):
                if "topic" in call[6]:
                    scope = Scope(module, scope_name, self_class=cls if cls != owner else None)
                    found |= {t for t in reader.strings(call[6]["topic"], scope) if t}
            if not found and owner == cls:
                # A base class constructed by its subclasses alone (Watcher's `Service(manager_class)`,
                # each subclass's `super().__init__(ApplierManager)`): the topics of those instances.
                found = {t for sub in self.program.all_subclasses(cls)
                         for module, scope_name, call in self.target_calls().get(owner, []) if "topic" in call[6]
                         for t in reader.strings(call[6]["topic"], Scope(module, scope_name, self_class=sub)) if t}
            if found:
                return tuple(sorted(found))
        # Magnum's `_get_cached_client(topic, server, timeout)`: a module function builds the Target
        # with what the client's methods pass it.
        found = set()
        for module, scope_name, call in self._function_targets():
            function = f"{module.name}.{scope_name}"
            if "topic" in call[6] and any(enclosing_class(Scope(site[0], site[1])) in mro
                                          for site in self.program.params.sites(function)):
                found |= {t for t in reader.strings(call[6]["topic"], Scope(module, scope_name, self_class=cls)) if t}
        return tuple(sorted(found))

    def _function_targets(self) -> list[tuple]:
        """`Target(...)` calls in module-level functions: (module, function, call)."""
        if self._functions is None:
            self._functions = []
            for module in self.program.modules.values():
                if "Target" not in module.summary["callee_names"]:
                    continue
                for call in module.calls():
                    definition = module.defs.get(call[0])
                    if definition is None or definition.kind != "function" or "." in call[0]:
                        continue
                    callee = call[1]
                    named = callee[2] if callee[0] == "a" else callee[1] if callee[0] == "n" else None
                    if named == "Target" and any(v[0] == "ext" and v[1].endswith("Target") for v in
                                                 self.program.resolve(callee, Scope(module, call[0]))):
                        self._functions.append((module, call[0], call))
        return self._functions
