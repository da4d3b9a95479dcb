"""`stackread rpc`: every oslo.messaging cast and call, matched to the method that serves it.

Client side: a class that builds `messaging.Target(topic=..., namespace=..., version=...)` in
its methods is an RPC client; each `.cast(ctxt, 'name', ...)` / `.call(...)` on a receiver that
comes from oslo.messaging (`self.client.prepare(...)`) sends `name` to that target.
Server side: each service from `entrypoints` listens on its topic with its manager and the
manager's `additional_endpoints`, each with the `target` its class declares.
Matching follows oslo.messaging's dispatcher: the service on the topic, then the first endpoint,
in order, whose namespace equals the client's and whose version is compatible, then the public
method of that name. A method of the same name on another class never matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stackread.diagnostics import Diagnostic
from stackread.frameworks.rpc_clients import Routing, SendNames, helper_target
from stackread.frameworks.rpc_consumers import prepared_topic
from stackread.frameworks.rpc_dispatch import off_endpoint_methods, served_method, why_unmatched
from stackread.frameworks.rpc_forwarding import forwarding
from stackread.frameworks.rpc_servers import ClientTopics, dedicated_first, server_endpoints, shared_endpoints
from stackread.program.facts import Scope

_MESSAGING = ("oslo_messaging", "oslo.messaging")


@dataclass(frozen=True)
class Target:
    topic: str | None
    namespace: str | None
    version: str | None


@dataclass(frozen=True)
class Endpoint:
    service: str  # the service binary, e.g. nova-conductor
    topic: str
    cls: str  # dotted class name
    namespace: str | None
    version: str | None


@dataclass(frozen=True)
class Send:
    client: str  # the client method, dotted
    client_path: str
    client_line: int  # the line of the cast/call
    kind: str  # cast | call
    fanout: bool
    method: str
    topic: str | None
    namespace: str | None
    version: str | None
    server_route: str | None  # prepare(server=...) as written
    condition: str | None  # the if/else the send sits under, as written
    # `rpc_method = cctxt.cast if do_cast else cctxt.call`: ["if" | "else", "do_cast", line] for this kind
    branch: list[Any] | None = None
    service: str | None = None
    endpoint: str | None = None  # dotted method that oslo.messaging dispatches to
    endpoint_path: str | None = None
    endpoint_line: int | None = None
    # The per-host topic a helper addresses (`cinder-volume.<volume.service_topic_queue>`), when
    # it differs from `topic`, the target's, on which the service's endpoints are matched.
    host_topic: str | None = None
    reason: str | None = None  # why no endpoint serves it (rpc_dispatch.why_unmatched)


@dataclass
class RpcReport:
    source: str
    revision: str | None
    sends: list[Send]
    endpoints: list[Endpoint]
    unsent: list[tuple[Endpoint, str, str, int]]  # endpoint methods no client sends: (endpoint, method, path, line)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def matched(self) -> list[Send]:
        return [s for s in self.sends if s.endpoint]

    @property
    def unmatched(self) -> list[Send]:
        return [s for s in self.sends if not s.endpoint]

    @property
    def renamed_branches(self) -> list[list[Send]]:
        """Client methods whose branches (`can_send_version`, pins) send different method names."""
        by_client: dict[str, list[Send]] = {}
        for send in self.sends:
            by_client.setdefault(send.client, []).append(send)
        return [sends for sends in by_client.values() if len({s.method for s in sends}) > 1]


def rpc_of_program(program, services, source: str, revision: str | None) -> RpcReport:
    """The RPC report of an already resolved program; `services` are entry points with a service."""
    services = dedicated_first(services)
    reader = _Reader(program)
    reader.client_topics = ClientTopics(program, reader.target_calls)
    endpoints = reader.endpoints(services)
    endpoints += server_endpoints(program, services, endpoints, reader.endpoint_target)  # servers no service explains
    sends = [_match(program, reader, send, endpoints) for send in reader.sends()]
    if any(not send.endpoint for send in sends):
        elsewhere = off_endpoint_methods(program, set(reader.target_calls()))
        sends = [send if send.endpoint else _explained(program, reader, send, endpoints, elsewhere) for send in sends]
    unsent = reader.unsent(endpoints, sends)
    return RpcReport(source, revision, sends, endpoints, unsent)


class _Reader:
    """Reads targets, sends and endpoints out of the resolved program."""

    def __init__(self, program):
        self.program = program
        self._target_calls_by_class: dict[str, list[tuple]] | None = None
        self._client_targets: dict[str | None, Target | None] = {}
        # What wrappers and helpers hide on the client side (frameworks.rpc_clients).
        self.send_names = SendNames(program)
        self.routing = Routing(program, self)

    # -- helpers ------------------------------------------------------------------------------

    def text(self, expr, scope) -> str | None:
        """The string an expression holds: a literal, a constant, or an oslo.config option's default."""
        values = sorted(self.program.resolve(expr, scope))
        texts = [v[1] for v in values if v[0] == "str"]
        texts += [t for v in values if (t := self.program.option_value(v))]
        # `self.topic = ''` when RPC is off (Ironic's `rpc_transport == 'none'`) is no topic to send to.
        texts = [t for t in texts if t] or texts
        return texts[0] if texts else None

    def newest_version(self, expr, scope) -> str | None:
        """Of the versions a client may pin (`version = '6.0'`, else `'5.0'` for old services), the one
        sent when every service is current: the highest."""
        versions = [v[1] for v in self.program.resolve(expr, scope) if v[0] == "str" and _version_key(v[1])]
        return max(versions, key=_version_key) if versions else None

    def _target(self, kwargs: dict, scope) -> Target:
        """A Target from the keyword arguments of `Target(topic=..., namespace=..., version=...)`."""
        def value(name):
            return self.text(kwargs[name], scope) if name in kwargs else None
        return Target(value("topic"), value("namespace"), value("version"))

    def _is_messaging(self, value) -> bool:
        return value[0] == "ext" and value[1].startswith(_MESSAGING)

    def _target_calls(self):
        """(module, scope name, call) for every `Target(...)` of oslo.messaging."""
        for module in self.program.modules.values():
            if "Target" not in module.summary["callee_names"]:
                continue
            for call in module.calls():
                if call[1][0] == "a" and call[1][2] == "Target" or call[1][0] == "n" and call[1][1] == "Target":
                    scope = Scope(module, call[0])
                    if any(v[0] == "ext" and v[1].endswith("Target") and self._is_messaging(v)
                           for v in self.program.resolve(call[1], scope)):
                        yield module, call[0], call

    # -- clients ------------------------------------------------------------------------------

    def target_calls(self) -> dict[str, list[tuple]]:
        """Client class -> (module, scope, call) of the Targets its methods build (a class body's
        target is an endpoint's, not a client's)."""
        if self._target_calls_by_class is None:
            self._target_calls_by_class = {}
            for module, scope_name, call in self._target_calls():
                definition = module.defs.get(scope_name)
                if definition is None or definition.kind == "class":
                    continue
                owner = self.program.enclosing_class(Scope(module, scope_name))
                if owner:
                    self._target_calls_by_class.setdefault(owner, []).append((module, scope_name, call))
        return self._target_calls_by_class

    def client_target(self, client_class: str | None) -> Target | None:
        """The target of the nearest class in the MRO that builds one, with `self` the client itself."""
        if client_class not in self._client_targets:
            self._client_targets[client_class] = self._client_target(client_class)
        return self._client_targets[client_class]

    def _client_target(self, client_class: str | None) -> Target | None:
        for cls in self.program.mro(client_class) if client_class else []:
            calls = self.target_calls().get(cls)
            if calls:
                targets = [self._target(call[6], Scope(module, scope_name, client_class))
                           for module, scope_name, call in calls]
                found = _first(targets)
                if found is not None and not found.topic:
                    # `Target(topic=topic)` of a base's __init__: what the subclass passes (Zun, Magnum)
                    return helper_target(self, client_class) or found
                return found
        return helper_target(self, client_class) if client_class else None

    def sends(self) -> list[Send]:
        found: list[Send] = []
        for module in sorted(self.program.modules.values(), key=lambda m: m.name):
            names = module.summary["callee_names"]
            if "cast" not in names and "call" not in names:
                continue
            calls = module.calls()
            contexts = module.contexts()
            for call in calls:
                scope_name, callee, line, _col, ctx, args, kwargs = call
                if len(args) < 2:
                    continue
                scope = Scope(module, scope_name)
                for sender, branch in self._senders(module, scope, callee, line):
                    found += self._sends_at(module, scope, calls, call, sender, branch, contexts)
        return found

    def _senders(self, module, scope, callee, line: int) -> list[tuple[list, list | None]]:
        """The `x.cast`/`x.call` a call site calls: itself, or what a local name chose between them."""
        if callee[0] == "a" and callee[2] in ("cast", "call"):
            return [(callee, None)]
        if callee[0] != "n":
            return []
        found = []
        for record in module.bindings.get(scope.function, {}).get(callee[1], []):
            expr = record[1] if record[0] == "assign" else None
            if expr and expr[0] == "either" and len(expr) > 2 and len(expr[1]) == 2 \
                    and all(e[0] == "a" and e[2] in ("cast", "call") for e in expr[1]):
                found += [(expr[1][0], ["if", expr[2], line]), (expr[1][1], ["else", expr[2], line])]
        return found

    def _sends_at(self, module, scope, calls, call, sender, branch, contexts) -> list[Send]:
        scope_name, _callee, line, _col, ctx, args, _kwargs = call
        receivers = self.program.resolve(sender[1], scope)
        if not any(self._is_messaging(v) for v in receivers) and not self._prepared(module, scope_name, sender[1]):
            return []  # `.call(` of something that is not an RPC client (7.9)
        target = self.client_target(self.program.enclosing_class(scope))
        prepare = self._prepare(calls, scope_name, line)
        methods = sorted({v[1] for v in self.program.resolve(args[1], scope) if v[0] == "str"})
        route = render_expr(prepare[6]["server"]) if prepare and "server" in prepare[6] else None
        fanout = bool(prepare and prepare[6].get("fanout") == ["k", True])
        topic = target.topic if target else None
        if prepare and "topic" in prepare[6]:
            topic = self.text(prepare[6]["topic"], scope) or prepared_topic(self.program, prepare[6]["topic"], scope) \
                or topic
        version = self.newest_version(prepare[6]["version"], scope) if prepare and "version" in prepare[6] else None
        routed = self.routing.prepared_by_helper(module, scope, sender[1])
        host_topic = None
        if routed is not None:
            route, fanout = routed.server or route, routed.fanout or fanout
            topic, host_topic = routed.topic or topic, routed.host_topic
        context = (contexts[ctx] if ctx is not None else []) + ([branch] if branch else [])
        condition = _condition(context) if context else None
        clients = [(f"{module.name}.{scope_name}", module.path, line, method) for method in methods]
        if not methods:
            clients = self.send_names.along(args[1], scope, line)
        found = []
        for client, path, client_line, method in clients:
            # A wrapper of a base class (`rpc_service.API._cast`) sends to the target of the class
            # its caller is in: Zun's compute API passes its topic to the base's __init__.
            own = self._caller_target(client, self.program.enclosing_class(scope)) or target
            send_topic = topic if topic != (target.topic if target else None) or own is target else own.topic
            found.append(Send(client, path, client_line, sender[2], fanout, method,
                              send_topic, own.namespace if own else None,
                              version or (own.version if own else None), route, condition, branch,
                              host_topic=host_topic))
        return found

    def _caller_target(self, client: str, send_class: str | None) -> Target | None:
        definition = self.program.defs.get(client)
        if definition is None or send_class is None:
            return None
        owner = self.program.enclosing_class(Scope(self.program.modules[definition.module], definition.qualname))
        if owner is None or owner == send_class or send_class not in self.program.mro(owner):
            return None
        found = self.client_target(owner)
        return found if found is not None and found.topic else None

    def _prepared(self, module, scope_name: str, receiver) -> bool:
        """A receiver assigned from a `...prepare...(...)` call in the same function.

        Nova 34 prepares some compute contexts in a helper of its own
        (`self.prepare_for_alt_rpcserver(client, ...)`) whose client is a parameter of unknown type.
        """
        if receiver[0] == "c" and "prepare" in _callee_name(receiver[1]):
            return True  # `self.rpc_client.prepare().call(...)` (Neutron's trunk agent API)
        if receiver[0] != "n":
            return False
        for record in module.bindings.get(scope_name, {}).get(receiver[1], []):
            if record[0] == "assign" and record[1][0] == "c" and "prepare" in _callee_name(record[1][1]):
                return True
        return False

    def _prepare(self, calls, scope_name: str, line: int):
        """The nearest `....prepare(...)` (or a helper named so) before the send in the same function."""
        best = None
        for call in calls:
            if call[0] == scope_name and call[1][0] == "a" and "prepare" in call[1][2] and call[2] <= line:
                if best is None or call[2] >= best[2]:
                    best = call
        return best

    # -- servers ------------------------------------------------------------------------------

    def endpoint_target(self, class_full: str) -> Target:
        for owner in self.program.mro(class_full):
            definition = self.program.defs.get(owner)
            if definition is None:
                continue
            module = self.program.modules[definition.module]
            for record in module.bindings.get(definition.qualname, {}).get("target", []):
                if record[0] == "assign" and record[1][0] == "c":
                    return self._target(record[1][3], Scope(module, definition.qualname))
        return Target(None, None, None)

    def additional_endpoints(self, manager: str) -> list[str]:
        """Classes a manager appends to `self.additional_endpoints` (conductor's ComputeTaskManager)."""
        found: list[str] = []
        for owner in self.program.mro(manager):
            definition = self.program.defs.get(owner)
            if definition is None:
                continue
            module = self.program.modules[definition.module]
            if "append" not in module.summary["callee_names"]:
                continue
            for call in module.calls():
                callee = call[1]
                if not (call[0].startswith(definition.qualname + ".") and callee[0] == "a"
                        and callee[2] in ("append", "extend") and callee[1][0] == "a"
                        and callee[1][2] == "additional_endpoints" and call[5]):
                    continue
                for value in sorted(self.program.resolve(call[5][0], Scope(module, call[0]))):
                    if value[0] == "inst" and value[1] not in found:
                        found.append(value[1])
        return found

    def endpoints(self, services) -> list[Endpoint]:
        result: list[Endpoint] = []
        for ep in services:
            service = ep.service
            if not service.manager or service.manager not in self.program.defs or service.endpoints:
                continue  # a service read from its server: rpc_servers gives its (topic, endpoint) pairs
            topics = [t for t in (service.topic, *service.extra_topics) if t]
            shared = shared_endpoints(self.program, service)  # Nova's BaseRPCAPI, on every topic
            for cls in [service.manager, *shared, *self.additional_endpoints(service.manager)]:
                target = self.endpoint_target(cls)
                for topic in topics:
                    result.append(Endpoint(service.binary or ep.name, topic, cls, target.namespace, target.version))
        return result

    def unsent(self, endpoints: list[Endpoint], sends: list[Send]) -> list[tuple[Endpoint, str, str, int]]:
        sent = {s.endpoint for s in sends if s.endpoint}  # an alias's sends are its method's
        result = []
        seen = set()
        for endpoint in endpoints:
            definition = self.program.defs[endpoint.cls]
            if endpoint.cls in seen:
                continue
            seen.add(endpoint.cls)
            module = self.program.modules[definition.module]
            for qual, member in module.defs.items():
                parent, _, name = qual.rpartition(".")
                if parent == definition.qualname and member.kind == "method" and not name.startswith("_") \
                        and member.full not in sent:
                    result.append((endpoint, name, module.path, member.line))
            forwarded = forwarding(self.program, endpoint.cls)  # names its `__getattr__` answers
            for name, function in forwarded.names if forwarded is not None else ():
                member = self.program.defs.get(function)
                if member is not None and function not in sent:
                    result.append((endpoint, name, self.program.modules[member.module].path, member.line))
        return result


def _match(program, reader: _Reader, send: Send, endpoints: list[Endpoint]) -> Send:
    """The endpoint method oslo.messaging would dispatch this send to, if any."""
    from dataclasses import replace

    if not send.topic:  # the client side could not tell: the value flow of rpc_servers may
        for topic in reader.client_topics.of(send.client):
            found = _match(program, reader, replace(send, topic=topic), endpoints)
            if found.endpoint:
                return found

    for endpoint in endpoints:
        if endpoint.topic != send.topic or endpoint.namespace != send.namespace:
            continue
        if not _compatible(endpoint.version, send.version):
            continue
        member = served_method(program, endpoint.cls, send.method)
        # `_`-methods are matched too: releases before oslo.messaging's DefaultRPCAccessPolicy
        # dispatched them (Ocata's network API sends `_rpc_allocate_fixed_ip`).
        if member is None:
            continue
        module = program.modules[member.module]
        return replace(send, service=endpoint.service, endpoint=member.full, endpoint_path=module.path,
                       endpoint_line=member.line)
    return send


def _explained(program, reader: _Reader, send: Send, endpoints: list[Endpoint], elsewhere: dict) -> Send:
    from dataclasses import replace

    topics = (send.topic,) if send.topic else reader.client_topics.of(send.client)
    client = program.enclosing_class(Scope(program.modules[program.defs[send.client].module],
                                           program.defs[send.client].qualname)) if send.client in program.defs else None
    related = set(program.mro(client)) | set(program.all_subclasses(client)) if client else set()
    unserved = min((d for d in elsewhere.get(send.method, []) if d.full.rpartition(".")[0] not in related
                    and _could_serve(program, d, send.client)),
                   key=lambda d: d.full, default=None)  # not the client's own method of that name
    reason = why_unmatched(program, send, endpoints, topics, unserved)
    if not send.topic and topics:  # the topics its client class may name, none of them serving it
        reason = f"no topic at the send; its class's Target names {' or '.join(topics)}: {reason}"
    return replace(send, reason=reason)


def _could_serve(program, method, client: str) -> bool:
    """Whether a method off every endpoint read could be where a send of its name lands: the
    dispatcher calls it as `method(ctxt, **kwargs)`, so it takes a positional argument after `self`;
    and it does not call the client method that makes the send (`self.guest.attach_replication_slave(...)`:
    the caller side of this very RPC, where the send starts, not where it lands)."""
    positional = [p for p in method.params[1:] if not p.startswith("**")]
    if not positional:
        return False
    module = program.modules[method.module]
    return not any(value[0] in ("func", "meth") and value[1] == client
                   for call in program.calls_in(method.full)
                   for value in program.resolve(call[1], Scope(module, call[0])))


def _compatible(server: str | None, client: str | None) -> bool:
    """oslo.messaging accepts a message whose major version equals the endpoint's and whose minor is not newer."""
    if not server or not client:
        return True
    try:
        s_major, s_minor = (int(x) for x in server.split(".")[:2])
        c_major, c_minor = (int(x) for x in client.split(".")[:2])
    except ValueError:
        return True
    return s_major == c_major and c_minor <= s_minor


def _callee_name(expr) -> str:
    return expr[1] if expr[0] == "n" else expr[2] if expr[0] == "a" else ""


def _version_key(version: str) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return None


def _first(targets: list[Target]) -> Target | None:
    with_topic = [t for t in targets if t.topic]
    return with_topic[0] if with_topic else (targets[0] if targets else None)


def _condition(context: list) -> str | None:
    """The if/else branches a call sits in, as one condition: `a and not (b)`."""
    parts = [text if kind == "if" else f"not ({text})" for kind, text, _line in context if kind in ("if", "else")]
    return " and ".join(parts) if parts else None


def render_expr(expr) -> str:
    """An encoded expression back as source-like text (for routing expressions)."""
    kind = expr[0]
    if kind == "n":
        return expr[1]
    if kind == "a":
        return f"{render_expr(expr[1])}.{expr[2]}"
    if kind == "c":
        args = [render_expr(a) for a in expr[2]] + [f"{k}={render_expr(v)}" for k, v in expr[3].items()]
        return f"{render_expr(expr[1])}({', '.join(args)})"
    if kind == "s":
        return repr(expr[1])
    if kind == "k":
        return repr(expr[1])
    if kind == "i":
        return f"{render_expr(expr[1])}[{render_expr(expr[2])}]"
    return "…"
