"""RPC servers made for the endpoints a caller hands in: consumers, read at each caller.

Neutron makes its servers through helpers that take the endpoints and build the target themselves:
neutron-lib's `Connection.create_consumer(topic, endpoints, fanout=False)` builds
`Target(topic=topic, server=cfg.CONF.host, fanout=fanout)` for `get_server(target, endpoints)`,
and the agents' `create_consumers(endpoints, prefix, topic_details)` calls it once per
`[table, operation]` in the list, with the topic `topics.get_topic_name(prefix, table, operation)`
(`q-agent-notifier-port-update`). A server site whose endpoints are a parameter of the function it
is in serves what each caller of that function hands in: the site is lifted to every call of the
function (a few levels up), read with the function's parameters bound to that call's arguments,
once per element of a list it loops over, and belongs to the function that makes the outermost
call (ml2's `start_rpc_listeners`, the OVS agent's `setup_rpc`). Found by reading the bodies,
never by the helpers' names.
"""

from __future__ import annotations

import itertools

from stackread.frameworks.rpc_values import Reader
from stackread.program.facts import Scope, enclosing_class

_MAX_LIFTS = 3  # create_consumer <- create_consumers <- the agent's setup_rpc
_MAX_LOOP_READINGS = 16
_MAX_DEPTH = 12
_FALSY = (None, False, 0, "")


def lifted(program, module, call, endpoints_slot) -> bool:
    """Whether a server call hands on its function's own endpoints parameter (as it is, or listed),
    for callers other than the instance itself."""
    definition = module.defs.get(call[0])
    if definition is None or definition.kind == "class" or definition.qualname.endswith(".__init__"):
        return False  # a constructor's: each construction is a server of its own (rpc_servers._sites)
    expr = call_argument(call, endpoints_slot)
    if expr is None or not _names_param(expr, definition):
        return False
    owner = enclosing_class(Scope(module, call[0]))
    # Watcher's `self.build_topic_handler(self.conductor_topic, self.conductor_endpoints)`: the
    # instance's own helper, read per construction of the class (rpc_servers._sites)
    return not owner or not any(
        (caller := enclosing_class(Scope(site[0], site[1]))) and owner in program.mro(caller)
        for site in program.params.sites(definition.full))


def consumer_servers(program, module, call, shape, explained: frozenset = frozenset()) -> list:
    """The servers a consumer site makes: one per outermost caller (and class it runs as), per loop
    element, with the topics and endpoints that caller gives."""
    from stackread.frameworks.rpc_servers import RpcServer

    found = []
    for chain in _chains(program, module, call[0], shape.endpoints, 0):
        outer_module, outer_scope, outer_line, pins, via = chain
        owner = enclosing_class(Scope(outer_module, outer_scope))
        if owner in explained:
            continue  # a service `entrypoints` read from its `Service.create(...)`
        classes = [owner, *program.all_subclasses(owner)] if owner else [None]
        function = f"{outer_module.name}.{outer_scope}" if outer_scope else outer_module.name
        for cls in classes:
            bound = _with_self(program, pins, outer_module, outer_scope, cls if cls != owner else None)
            for reading in _loop_pins(program, module, call, bound):
                reader = ConsumerReader(program, reading)
                scope = Scope(module, call[0])
                if _off(reader, module, call) or any(_off(reader, m, _call_at(m, name, line)) for m, name, line in via):
                    continue
                target = call_argument(call, shape.target)
                topics, namespace = reader.target(target, scope) if target else ((), None)
                endpoints_expr = call_argument(call, shape.endpoints)
                endpoints = reader.endpoints(endpoints_expr, scope, shape.listed) if endpoints_expr else ()
                if not endpoints or (cls != owner and not topics):
                    continue
                server = RpcServer(outer_module.path, outer_line, function, cls, topics, endpoints, namespace,
                                   function)
                if server not in found:
                    found.append(server)
    return _merged(found)


def _chains(program, module, scope_name: str, slot, depth: int) -> list[tuple]:
    """(module, scope, line, pins) of each outermost call that hands the endpoints down to here."""
    definition = module.defs.get(scope_name)
    found = []
    for site in program.params.sites(definition.full) if definition is not None else []:
        site_module, site_scope, args, kwargs, offset, line = site[:6]
        pins = {(definition.full, ""): None,
                **bound_arguments(definition, args, kwargs, offset, Scope(site_module, site_scope))}
        handed = pins.get((definition.full, slot[1]))
        caller = site_module.defs.get(site_scope)
        if depth < _MAX_LIFTS and handed is not None and caller is not None and caller.kind != "class" \
                and _names_param(handed[0], caller):
            for outer in _chains(program, site_module, site_scope, (0, handed[0][1] if handed[0][0] == "n"
                                                                       else handed[0][2][0][1]), depth + 1):
                found.append((*outer[:3], {**pins, **outer[3]}, ((site_module, site_scope, line), *outer[4])))
            continue
        found.append((site_module, site_scope, line, pins, ()))
    return found


def _names_param(expr, definition) -> bool:
    """`endpoints` or `[endpoint]`, a parameter of the function (not `self`: the instance serves)."""
    if expr[0] == "l" and len(expr[2]) == 1:
        expr = expr[2][0]
    params = definition.params[1:] if definition.kind in ("method", "classmethod") else definition.params
    return expr[0] == "n" and expr[1] in params


def _with_self(program, pins: dict, module, scope_name: str, self_class: str | None) -> dict:
    """The pins, with the outermost caller's arguments read as the class it runs as."""
    if self_class is None:
        return pins
    return {key: (value[0], Scope(value[1].module, value[1].function, self_class=self_class))
            if value is not None and value[1].module is module and value[1].function == scope_name else value
            for key, value in pins.items()}


def _loop_pins(program, module, call, pins: dict) -> list[dict]:
    """The pins once per element of each list a function on the way loops over (`for details in
    topic_details`), so a consumer's table and operation come from the same element."""
    loops = []
    for function_full in [k[0] for k in pins if k[1] == ""] + [f"{module.name}.{call[0]}"]:
        definition = program.defs.get(function_full)
        if definition is None:
            continue
        owner = program.modules[definition.module]
        for name, records in owner.bindings.get(definition.qualname, {}).items():
            for record in records:
                if record[0] == "assign" and record[1][0] == "iter":
                    reader = ConsumerReader(program, pins)
                    elements = reader._elements(record[1][1], Scope(owner, definition.qualname), 0)
                    if elements:
                        loops.append([((function_full, "for " + name), element) for element in elements])
    readings = []
    for combination in itertools.product(*loops):
        readings.append({**pins, **dict(combination)})
        if len(readings) >= _MAX_LOOP_READINGS:
            break
    return readings or [pins]


def _off(reader, module, call) -> bool:
    """The call sits under `if name:` and the name holds only None or False here (`node_name` of a
    `[table, operation]` element padded with None)."""
    if call is None or call[4] is None:
        return False
    scope = Scope(module, call[0])
    for kind, text, _line in module.contexts()[call[4]]:
        if kind == "if" and text.isidentifier() and reader.falsy(["n", text], scope):
            return True
    return False


def _call_at(module, scope_name: str, line: int):
    return next((call for call in module.calls() if call[0] == scope_name and call[2] == line), None)


def _merged(found: list) -> list:
    """One server per call site and class: the topics of its loop elements together."""
    merged: dict[tuple, object] = {}
    from dataclasses import replace

    for server in found:
        key = (server.path, server.line, server.served_as, server.endpoints)
        have = merged.get(key)
        if have is None:
            merged[key] = server
        else:
            topics = tuple(sorted(set(have.topics) | set(server.topics)))
            merged[key] = replace(have, topics=topics)
    return list(merged.values())


def bound_arguments(definition, args, kwargs, offset: int, scope: Scope) -> dict:
    """The pins of the parameters a call passes (positional ones before any `*args`), each with the
    scope its expression is read in; `offset` skips a method's `self`."""
    pins = {}
    for index, param in enumerate(definition.params):
        position = index - offset
        arg = kwargs.get(param)
        if arg is None and 0 <= position < len(args) and not any(a[0] == "*" for a in args[:position + 1]):
            arg = args[position]
        if arg is not None:
            pins[(definition.full, param)] = (arg, scope)
    return pins


def call_argument(call, slot: tuple[int, str]):
    """The expression a call record passes for the (position, name) parameter, if it passes one."""
    position, name = slot
    args, kwargs = call[5], call[6]
    if name in kwargs:
        return kwargs[name]
    if position < len(args) and not any(a[0] == "*" for a in args[:position + 1]):
        return args[position]
    return None


class ConsumerReader(Reader):
    """The server reader, also reading what a project function returns with its parameters bound to
    the call's arguments (`topics.get_topic_name(prefix, table, operation)`), element `n` of a
    sequence (`islice(chain(details, [None]), 3)[1]`), one loop element at a time, and the
    `.append(x)` of a list."""

    def strings(self, expr, scope: Scope, depth: int = 0) -> set[str]:
        if depth <= _MAX_DEPTH and expr is not None and expr[0] == "c":
            found: set[str] = set()
            for reader, returned, returned_scope in self._bound_returns(expr, scope):
                found |= reader.strings(returned, returned_scope, depth + 1)
            if found:
                return found
        return super().strings(expr, scope, depth)

    def falsy(self, expr, scope: Scope, depth: int = 0) -> bool:
        """Whether every value the expression is given is None, False, 0 or ''."""
        sources = self._sources(expr, scope)
        if not sources or depth > _MAX_DEPTH:
            return expr[0] == "k" and expr[1] in _FALSY
        return all(self.falsy(source, source_scope, depth + 1) for source, source_scope in sources)

    def _bound_returns(self, call, scope: Scope) -> list[tuple]:
        found = []
        for value in sorted(self.program.resolve(call[1], scope)):
            definition = self.program.defs.get(value[1]) if value[0] in ("func", "meth") else None
            if definition is None or definition.kind == "class":
                continue
            module = self.program.modules[definition.module]
            offset = 1 if value[0] == "meth" and definition.kind != "staticmethod" else 0
            pins = {**self.pins, (definition.full, ""): None, **bound_arguments(definition, call[2], call[3], offset, scope)}
            reader = ConsumerReader(self.program, pins)
            inner = Scope(module, definition.qualname, self_class=scope.self_class if value[0] == "meth" else None)
            contexts = None
            for returning, expr, context in module.summary["returns"]:
                if returning != definition.qualname:
                    continue
                if context is not None:
                    contexts = contexts if contexts is not None else module.contexts()
                    if any(kind == "if" and text.isidentifier() and text in definition.params
                           and reader.falsy(["n", text], inner) for kind, text, _line in contexts[context]):
                        continue  # `if host:` with no host given
                found.append((reader, expr, inner))
        return found

    def _name_sources(self, name: str, scope: Scope) -> list[tuple[list, Scope]]:
        definition = scope.module.defs.get(scope.function)
        if definition is not None:
            pinned = self.pins.get((definition.full, "for " + name))
            if pinned is not None:
                return [pinned]
        return super()._name_sources(name, scope)

    def _sources(self, expr, scope: Scope) -> list[tuple[list, Scope]]:
        if expr[0] == "i" and expr[2][0] == "k" and isinstance(expr[2][1], int) and not isinstance(expr[2][1], bool):
            return self._at(expr[1], scope, expr[2][1], 0)
        return super()._sources(expr, scope)

    def _at(self, expr, scope: Scope, n: int, depth: int) -> list[tuple[list, Scope]]:
        """Element `n` of a sequence: a list literal's, `islice(x, ...)`'s and `chain(a, b)`'s."""
        if depth > _MAX_DEPTH or n < 0:
            return []
        if expr[0] == "l":
            items = expr[2]
            if any(item[0] == "*" for item in items[:n + 1]) or n >= len(items):
                return []
            return [(items[n], scope)]
        if expr[0] == "c" and expr[2]:
            names = {v[1] for v in self.program.resolve(expr[1], scope) if v[0] == "ext"}
            if "itertools.islice" in names:
                return self._at(expr[2][0], scope, n, depth + 1)
            if "itertools.chain" in names:
                for part in expr[2]:
                    length = self._length(part, scope, depth + 1)
                    if length is None:
                        return self._at(part, scope, n, depth + 1)
                    if n < length:
                        return self._at(part, scope, n, depth + 1)
                    n -= length
                return []
        return [found for source, source_scope in super()._sources(expr, scope)
                for found in self._at(source, source_scope, n, depth + 1)]

    def _length(self, expr, scope: Scope, depth: int) -> int | None:
        if depth > _MAX_DEPTH:
            return None
        if expr[0] == "l":
            return None if any(item[0] == "*" for item in expr[2]) else len(expr[2])
        lengths = {self._length(source, source_scope, depth + 1) for source, source_scope in self._sources(expr, scope)}
        return lengths.pop() if len(lengths) == 1 else None

    def _elements(self, expr, scope: Scope, depth: int) -> list[tuple[list, Scope]]:
        found = super()._elements(expr, scope, depth)
        if expr is not None and expr[0] == "n" and depth <= _MAX_DEPTH:
            # `consumers.append([topics.L2POPULATION, topics.UPDATE])` under `if self.l2_pop:`
            for call in scope.module.calls():
                if call[0] == scope.function and call[1] == ["a", ["n", expr[1]], "append"] and len(call[5]) == 1:
                    found.append((call[5][0], scope))
        return found


def prepared_topic(program, expr, scope: Scope) -> str | None:
    """The topic a client's `prepare(topic=...)` names when the engine cannot tell: a helper's
    return with its arguments bound (`topics.get_topic_name(self.topic, topics.PORT, topics.UPDATE)`),
    `self.topic` read for each class that mixes the sending method in (ml2's AgentNotifierApi
    mixes in the DVR, security group and tunnel notifiers); the first of them, sorted."""
    reader = ConsumerReader(program)
    found = {text for text in reader.strings(expr, scope) if text}
    owner = enclosing_class(scope)
    if owner and all("*" in text for text in found):  # `self.topic` unknown in the mixin itself
        for cls in program.all_subclasses(owner):
            found |= reader.strings(expr, Scope(scope.module, scope.function, self_class=cls))
    found = {text for text in found if "*" not in text} or found
    return min(found) if found else None
