"""The client side of oslo.messaging that wrappers hide: what a send names, to whom, and how.

frameworks.messaging finds each `.cast(ctxt, name, ...)`/`.call(...)`; when `name` is not a string
there, it comes from the callers of the function the send is in, read one call path at a time with
the engine's `Scope.args` (what one caller binds):
- a parameter passed straight on (`def _cast(self, ctxt, method): cctxt.cast(ctxt, method)`: Trove,
  Magnum, Zun, Barbican), also through several wrappers (`_notify` -> `_cast_message`: Neutron);
- an element of a tuple the caller passes (`self.call(ctxt, self.make_msg('list_stacks', ...))`
  with `def make_msg(method, **kw): return method, kw` and `method, kwargs = msg`: Heat). A call
  whose function hands back a container of its parameters is read with this caller's arguments.
Each send is reported where its name is written: the outermost caller, at its call.

Routing: a client context made by a helper of the tree (`cctxt = self._get_cctxt(host, fanout=True)`
returning `super()._get_cctxt(version=version, **kwargs)` returning `self.client.prepare(version=
version, **kwargs)`: Cinder; `self._prepare_call(topic=topic)`: Ironic) prepares with the keywords
the helpers put together, each helper's parameters standing for what its caller passes there; a
client whose `Target(**kwargs)` is built by a helper it calls (`messaging.get_rpc_client(topic=...)`:
Heat; `queue.get_client()` -> `get_target()`: Barbican) has that target.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from stackread.program.facts import Scope

_DEPTH = 4  # wrappers followed outwards from a send, at most
_HELPERS = 3  # helpers followed inwards to the prepare (or Target) they make, at most


@dataclass(frozen=True)
class Frame:
    """Where an expression of a helper is read: its scope (parameters bound to this caller's values)
    and, per parameter, the caller's argument with the caller's own frame (to write it as the caller does)."""
    scope: Scope
    passed: tuple = ()  # (parameter, expr, Frame)
    extra: tuple = ()  # keywords the caller passes into `**kwargs`: (name, expr, Frame)


class SendNames:
    """The method names a send's name expression holds, one call path at a time."""

    def __init__(self, program):
        self.program = program

    def along(self, expr, scope: Scope, line: int) -> list[tuple[str, str, int, str]]:
        """(client function, path, line, method) for each name the expression holds on some call path."""
        found = set()
        for origin, values in self._along(expr, scope, 0):
            client = origin or (f"{scope.module.name}.{scope.function}", scope.module.path, line)
            found |= {client + (v[1],) for v in values if v[0] == "str"}
        return sorted(found)

    def _along(self, expr, scope: Scope, depth: int) -> list[tuple[tuple | None, frozenset]]:
        values = self.value(expr, scope)
        definition = scope.module.defs.get(scope.function)
        # The send's own name wants a string; an argument further out, anything known (Heat's tuple).
        known = any(v[0] == "str" for v in values) if depth == 0 else bool(values)
        if known or depth >= _DEPTH or definition is None or definition.kind == "class":
            return [(None, values)]
        bound = {name for name, _values in scope.args}
        params = sorted(self._reads(expr, scope.module, scope.function, definition.params) - bound)
        if not params:
            return [(None, values)]
        found = []
        for site in self.program.params.sites(definition.full):
            caller = Scope(site[0], site[1])
            here = (f"{site[0].name}.{site[1]}", site[0].path, site[5])
            for param in params[:1]:  # the one a name is read from; more would multiply the paths
                arg = _argument(site, definition, param)
                if arg is None:
                    continue
                for origin, passed in self._along(arg, caller, depth + 1):
                    inner = replace(scope, args=tuple(sorted(scope.args + ((param, passed),))))
                    found.append((origin or here, self.value(expr, inner)))
        return found or [(None, values)]

    def value(self, expr, scope: Scope, depth: int = 0) -> frozenset:
        """What the engine says, except that a call of a function handing back a container of its
        parameters (`return method, kwargs`) is read with this call's arguments, also where a local
        name or an index (`method, kwargs = self.make_msg(...)`) holds it."""
        kind = expr[0]
        if depth < 4 and kind == "c":
            made = self._bound_call(expr, scope)
            if made is not None:
                return made
        if depth < 4 and kind == "i" and expr[1][0] in ("c", "n"):
            base = self.value(expr[1], scope, depth + 1)
            if any(v[0] == "box" for v in base):
                return self.program.values.containers.index(base, expr[2], scope)
        if depth < 4 and kind == "n":
            found = self.program.names.lookup(expr[1], scope)
            if isinstance(found, tuple) and found[0].function == scope.function and scope.function:
                records = [r for r in found[1] if r[0] == "assign"]
                if records and any(r[1][0] in ("c", "i") for r in records):
                    return frozenset(v for r in records for v in self.value(r[1], found[0], depth + 1))
        return self.program.resolve(expr, scope)

    def _bound_call(self, expr, scope: Scope) -> frozenset | None:
        program = self.program
        found: set = set()
        handled = False
        for func in sorted(program.resolve(expr[1], scope)):
            definition = program.defs.get(func[1]) if func[0] in ("func", "meth") else None
            if definition is None or definition.kind == "class":
                continue
            module = program.modules[definition.module]
            returned = [r[1] for r in module.summary["returns"] if r[0] == definition.qualname]
            if not returned or not all(_of_parameters(r, definition.params) for r in returned):
                continue
            handled = True
            record = [scope.function, expr[1], 0, 0, None, expr[2], expr[3]]
            bound = Scope(module, definition.qualname, args=program.bind_arguments(scope, record, definition.full))
            found |= {v for r in returned for v in program.resolve(r, bound)}
        return frozenset(found) if handled else None

    def _reads(self, expr, module, function: str, params: tuple, seen: frozenset = frozenset()) -> set[str]:
        """The function's parameters the expression is made from, through its local assignments."""
        found: set[str] = set()
        for name in _names(expr):
            if name in seen:
                continue
            records = module.bindings.get(function, {}).get(name)
            for record in records or ():
                if record[0] == "assign":
                    found |= self._reads(record[1], module, function, params, seen | {name})
            # A parameter reassigned (`topic = topic or self.topic`) still holds what the caller passed.
            if name in params and name not in ("self", "cls"):
                found.add(name)
        return found


@dataclass(frozen=True)
class Routed:
    """How a helper prepared a send: the server as the caller names it, fanout, the topic (a
    per-host topic as a template, `cinder-volume.<host>`, apart). Not the version: a helper's
    `if version is None: version = DEFAULT` hides what its caller pinned from the engine."""
    server: str | None
    fanout: bool
    topic: str | None
    host_topic: str | None


class Routing:
    """The keywords a client context is prepared with when a helper of the tree prepares it."""

    def __init__(self, program, reader):
        self.program = program
        self.reader = reader
        self._calls: dict[str, dict[str, list]] = {}  # module -> function -> its call records, decoded once

    def calls_in(self, module, function: str) -> list:
        by_function = self._calls.get(module.name)
        if by_function is None:
            by_function = self._calls[module.name] = {}
            for call in module.calls():
                by_function.setdefault(call[0], []).append(call)
        return by_function.get(function, [])

    def prepared_by_helper(self, module, scope: Scope, receiver) -> Routed | None:
        found = self.helper_prepare(module, scope, receiver, 0)
        if found is None:
            return None
        keywords, _frame = found
        if self._cut_host(keywords) == "":
            keywords = {k: v for k, v in keywords.items() if k != "server"}  # nothing cut off: anycast
        server = self.written(*keywords["server"]) if "server" in keywords else None
        fanout = "fanout" in keywords and any(
            v == ("const", "True") for v in self.program.resolve(keywords["fanout"][0], keywords["fanout"][1].scope))
        topic = host_topic = None
        if "topic" in keywords:
            text = self.text(*keywords["topic"])
            if text is not None and "<" in text:
                host_topic = text
            else:
                topic = text
                cut = self._cut_host(keywords)
                if text and cut:
                    host_topic = f"{text}.<{cut}>"
        return Routed(server, fanout, topic, host_topic)

    def _cut_host(self, keywords: dict) -> str | None:
        """The local a helper's `server=` is, when it cuts it out of a per-host topic its caller hands
        in (Ironic's hash ring: `host = topic[len(self.topic) + 1:]` of `get_topic_for(node)`'s
        `'%s.%s' % (self.topic, hostname)`, then `prepare(topic=self.topic, server=host or None)`):
        oslo.messaging routes it to `<topic>.<host>` again, the per-host topic the caller chose."""
        if "server" not in keywords:
            return None
        expr, frame = keywords["server"]
        expr = _one_of(expr)
        cut = _slice_of(frame.scope.module, frame.scope.function, expr)
        if cut is None or "topic" not in keywords or keywords["topic"][0] not in _parts(cut[2]):
            return None  # not cut after the length of the topic it is prepared with
        # `_prepare_call(topic=self.topic)`: the cut of the topic itself is empty, no host
        from stackread.frameworks.messaging import render_expr

        whole = self.written(["n", cut[1]], frame)
        return "" if whole == render_expr(keywords["topic"][0]) else expr[1]

    def helper_prepare(self, module, scope: Scope, receiver, line: int):
        """(keywords, Frame of the prepare) for `cctxt = self.helper(...)`; None when no helper prepares it.
        Keywords: name -> (expr, Frame it is read in)."""
        if receiver[0] != "n":
            return None
        made = None
        for record in module.bindings.get(scope.function, {}).get(receiver[1], []):
            if record[0] == "assign" and record[1][0] == "c":
                made = record[1]
        if made is None:
            return None
        return self._prepared(made, Frame(scope), 0)

    def _prepared(self, call, frame: Frame, depth: int):
        if depth >= _HELPERS:
            return None
        program = self.program
        for func in sorted(program.resolve(call[1], frame.scope)):
            definition = program.defs.get(func[1]) if func[0] in ("func", "meth") else None
            if definition is None or definition.kind == "class":
                continue
            inner = self._enter(call, frame, definition, func)
            module = inner.scope.module
            # An unconditional return first, then the last: early returns are the exceptions (Ironic's
            # `if json-rpc: return prepare(topic=topic)`), `return self.client.prepare(topic=self.topic,
            # server=host)` at the end the rule.
            returns = sorted((context is not None, -at, expr) for at, (returning, expr, context)
                             in enumerate(module.summary["returns"])
                             if returning == definition.qualname and expr[0] == "c")
            for _conditional, _at, expr in returns:
                expr = _as_called(self.calls_in(module, definition.qualname), expr)
                if expr[1][0] == "a" and expr[1][2] == "prepare":
                    return self._keywords(expr, inner), inner
                found = self._prepared(expr, inner, depth + 1)
                if found is not None:
                    return found
        return None

    def _enter(self, call, frame: Frame, definition, func) -> Frame:
        """The frame of the function a call runs, its parameters bound to the call's arguments."""
        program = self.program
        module = program.modules[definition.module]
        record = [frame.scope.function, call[1], 0, 0, None, call[2], call[3]]
        self_class = func[2] if func[0] == "meth" and len(func) > 2 else frame.scope.self_class
        if func[0] == "func" and definition.kind == "method":
            self_class = frame.scope.self_class  # `super()._get_cctxt(...)`: the same self
        args = program.bind_arguments(frame.scope, record, definition.full)
        offset = 1 if definition.kind in ("method", "classmethod") else 0
        params = [p for p in definition.params]
        passed, extra = [], []
        for at, arg in enumerate(call[2]):
            if arg[0] != "*" and at + offset < len(params) and not params[at + offset].startswith("*"):
                passed.append((params[at + offset], arg, frame))
        for name, arg in call[3].items():
            if name == "**":
                extra += self._forwarded(arg, frame)
            elif name in params:
                passed.append((name, arg, frame))
            else:
                extra.append((name, arg, frame))
        scope = Scope(module, definition.qualname, self_class, False, args)
        return Frame(scope, tuple(passed), tuple(extra))

    def _forwarded(self, arg, frame: Frame) -> list:
        """`helper(**kwargs)` in a helper with `**kwargs`: what its caller passed there, and what it
        set itself (`kwargs['server'] = server`)."""
        if len(arg) < 2 or arg[1][0] != "n":
            return []
        name = arg[1][1]
        definition = frame.scope.module.defs.get(frame.scope.function)
        if definition is None or f"**{name}" not in definition.params:
            return []
        found = list(frame.extra)
        for scope_name, key, value in _grows(frame.scope.module, frame.scope.function, name):
            if key and key[0] == "s":
                found = [item for item in found if item[0] != key[1]] + [(key[1], value, frame)]
        return found

    def _keywords(self, prepare, frame: Frame) -> dict:
        keywords = {name: (expr, frame) for name, expr in prepare[3].items() if name != "**"}
        if "**" in prepare[3]:
            for name, expr, where in self._forwarded(prepare[3]["**"], frame):
                keywords[name] = (expr, where)
        return keywords

    # -- reading what the keywords hold --------------------------------------------------------

    def text(self, expr, frame: Frame, depth: int = 0) -> str | None:
        """A keyword's string, or a template of it: `cinder-volume.<volume.service_topic_queue>`.
        A parameter is what the caller passed there, read in the caller's frame (not what the function
        may reassign it to: Magnum's `if topic is None: topic = ''`), else its default."""
        if expr[0] == "fmt":
            made = self.template(expr, frame)
            if made is not None:
                return made
        if expr[0] == "n" and depth < 8:
            passed = {p: (e, f) for p, e, f in frame.passed}
            if expr[1] in passed:
                found = self.text(passed[expr[1]][0], passed[expr[1]][1], depth + 1)
                if found:
                    return found
            definition = frame.scope.module.defs.get(frame.scope.function)
            default = dict(definition.default_exprs).get(expr[1]) if definition is not None else None
            if default is not None and expr[1] not in passed:
                outer = Scope(frame.scope.module, definition.qualname.rpartition(".")[0])
                found = self.reader.text(default, outer)
                if found:
                    return found
        return self.reader.text(expr, frame.scope)

    def template(self, expr, frame: Frame, depth: int = 0) -> str | None:
        if depth > 4:
            return None
        if expr[0] == "fmt" and expr[1] == "%" and len(expr[2]) == 2 and expr[2][0][0] == "s":
            pattern, operand = expr[2][0][1], expr[2][1]
            try:
                if operand[0] == "d":
                    parts = {k[1]: self._part(v, frame, depth) for k, v in operand[1] if k[0] == "s"}
                    return pattern % parts
                items = operand[2] if operand[0] == "l" else [operand]
                return pattern % tuple(self._part(v, frame, depth) for v in items)
            except (TypeError, ValueError, KeyError):
                return None
        if expr[0] == "fmt" and expr[1] == "+":
            try:
                return "".join(self._part(v, frame, depth) for v in expr[2])
            except ValueError:
                return None
        return None

    def _part(self, expr, frame: Frame, depth: int) -> str:
        """A part known when it is a constant (`self.TOPIC`); one made from the helper's parameters
        (a host) is the caller's to name: `<volume.service_topic_queue>`."""
        definition = frame.scope.module.defs.get(frame.scope.function)
        params = definition.params if definition else ()
        if expr[0] == "s" or expr[0] == "a" and not SendNames(self.program)._reads(
                expr, frame.scope.module, frame.scope.function, params):
            values = {v[1] for v in self.program.resolve(expr, frame.scope) if v[0] == "str"}
            if len(values) == 1:
                return values.pop()
        written = self.written(expr, frame, depth + 1)
        if written is None:
            raise ValueError(expr)  # a part the caller does not give: no such topic on this path
        return f"<{written}>"

    def written(self, expr, frame: Frame, depth: int = 0) -> str | None:
        """The expression as the outermost caller writes it: a helper's parameter (or a local made
        from one parameter only) stands for the caller's argument."""
        from stackread.frameworks.messaging import render_expr

        if depth > 6:
            return render_expr(expr)
        expr = _one_of(expr)
        if expr == ["?"] or expr[0] == "either":
            return None  # not kept by the index, or one of several: not guessed
        if expr[0] == "n":
            name = expr[1]
            passed = {p: (e, f) for p, e, f in frame.passed}
            if name in passed:
                return self.written(passed[name][0], passed[name][1], depth + 1)
            definition = frame.scope.module.defs.get(frame.scope.function)
            params = definition.params if definition else ()
            cut = _slice_of(frame.scope.module, frame.scope.function, expr)
            if cut is not None and cut[1] in params:
                # `host = topic[len(self.topic) + 1:]`: a part of what the caller passes, not all of it
                whole = self.written(["n", cut[1]], frame, depth + 1)
                return f"{name} in {whole}" if whole else None
            reads = SendNames(self.program)._reads(expr, frame.scope.module, frame.scope.function, params)
            if len(reads) == 1 and name not in params:
                (param,) = reads
                if param in passed:
                    return self.written(passed[param][0], passed[param][1], depth + 1)
                return None  # the caller leaves it to its default: `_get_cctxt(fanout=True)` names no host
        return render_expr(expr)


def helper_target(reader, client_class: str):
    """The Target a client gets where it is constructed: built in an `__init__` of its class or a
    base, read with the arguments the subclass's `super().__init__(topic=CONF.compute.topic)` passes
    (Zun, Magnum), or by a helper those call (`self._client = messaging.get_rpc_client(topic=...)`
    whose helper builds `Target(**kwargs)`: Heat), with that call's arguments."""
    program = reader.program
    routing = reader.routing
    frames = _init_frames(routing, client_class)
    for cls in program.mro(client_class):
        definition = program.defs.get(cls)
        if definition is None:
            continue
        module = program.modules[definition.module]
        # Where the client is constructed only: every method's calls followed three helpers deep would
        # cost more than the rest of `rpc` (Ironic's ConductorAPI).
        for call in routing.calls_in(module, f"{definition.qualname}.__init__"):
            frame = frames.get(f"{module.name}.{call[0]}") or Frame(Scope(module, call[0], client_class))
            if _is_target(reader, call, frame.scope):
                made = _made_target(routing, ["c", call[1], call[5], call[6]], frame)
                if made.topic:
                    return made
                continue
            target = _target_in(reader, routing, call[1:2] + [call[5], call[6]], frame, 0)
            if target is not None:
                return target
    return None


def _init_frames(routing: Routing, client_class: str) -> dict[str, Frame]:
    """`__init__` -> its Frame as constructing the client runs it: the client's own with its defaults,
    each next one bound by the `super().__init__(...)` call of the one before."""
    program = routing.program
    _owner, init = program.find_member(client_class, "__init__")
    frames: dict[str, Frame] = {}
    frame = Frame(Scope(program.modules[init.module], init.qualname, client_class)) \
        if init is not None and init.kind == "method" else None
    while frame is not None and init.full not in frames and len(frames) < _HELPERS + 2:
        frames[init.full] = frame
        module, following = frame.scope.module, None
        for call in routing.calls_in(module, init.qualname):
            if call[1][0] != "a" or call[1][2] != "__init__":
                continue
            for func in sorted(program.resolve(call[1], frame.scope)):
                definition = program.defs.get(func[1]) if func[0] in ("func", "meth") else None
                if definition is not None and definition.qualname.endswith("__init__") and following is None:
                    following = (definition, routing._enter(["c", call[1], call[5], call[6]], frame, definition, func))
        init, frame = following if following else (init, None)
    return frames


def _made_target(routing: Routing, call, frame: Frame):
    from stackread.frameworks.messaging import Target

    keywords = routing._keywords(call, frame)

    def text(name):
        return routing.text(*keywords[name]) if name in keywords else None
    return Target(text("topic"), text("namespace"), text("version"))


def _target_in(reader, routing: Routing, call, frame: Frame, depth: int):
    """The Target built by the function a call runs, or by one it calls or returns (depth-limited)."""
    if depth >= _HELPERS:
        return None
    program = reader.program
    record = ["c", call[0], call[1], call[2]]
    for func in sorted(program.resolve(record[1], frame.scope)):
        definition = program.defs.get(func[1]) if func[0] in ("func", "meth") else None
        if definition is None or definition.kind == "class":
            continue
        inner = routing._enter(record, frame, definition, func)
        module = inner.scope.module
        inner_calls = routing.calls_in(module, definition.qualname)
        for inner_call in inner_calls:
            if _is_target(reader, inner_call, inner.scope):
                made = _made_target(routing, ["c", inner_call[1], inner_call[5], inner_call[6]], inner)
                if made.topic:
                    return made
        for inner_call in inner_calls:
            found = _target_in(reader, routing, inner_call[1:2] + [inner_call[5], inner_call[6]], inner, depth + 1)
            if found is not None:
                return found
    return None


def _is_target(reader, call, scope: Scope) -> bool:
    callee = call[1]
    if not (callee[0] == "a" and callee[2] == "Target" or callee[0] == "n" and callee[1] == "Target"):
        return False
    return any(v[0] == "ext" and v[1].endswith("Target") and reader._is_messaging(v)
               for v in reader.program.resolve(callee, scope))


def _as_called(calls: list, expr):
    """A returned call with its keywords as the call site records them: a return's expression
    leaves out `**kwargs`, the call record keeps it."""
    for call in calls:
        if call[1] == expr[1] and call[5] == expr[2] \
                and set(call[6]) - {"**"} == set(expr[3]):  # the keywords' names: a return encodes less deep
            return ["c", call[1], call[5], call[6]]
    return expr


def _one_of(expr):
    """`host or None`: the one alternative that is not None (the caller's default), else the expression."""
    if expr[0] == "either":
        others = [e for e in expr[1] if e != ["k", None]]
        if len(others) == 1:
            return others[0]
    return expr


def _slice_of(module, function: str, expr):
    """(local, parameter, lower bound) when the local is assigned, once, a slice of a parameter:
    `host = topic[len(self.topic) + 1:]`."""
    if expr[0] != "n":
        return None
    records = [r for r in module.bindings.get(function, {}).get(expr[1], []) if r[0] == "assign"]
    if len(records) != 1:
        return None
    value = records[0][1]
    if value[0] == "i" and value[1][0] == "n" and value[2][0] == "sl":
        return expr[1], value[1][1], value[2][1]
    return None


def _parts(expr) -> list:
    """Every sub-expression of an encoded expression, itself first."""
    found, stack = [], [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, list) and node and isinstance(node[0], str):
            found.append(node)
            stack.extend(part for part in node[1:] if isinstance(part, list))
            stack.extend(v for part in node[1:] if isinstance(part, dict) for v in part.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _argument(site, definition, param: str):
    """The argument expression a call site passes as the parameter, if it writes one."""
    module, scope_name, args, kwargs, offset = site[:5]
    if param in kwargs:
        return kwargs[param]
    position = definition.params.index(param) - offset
    if 0 <= position < len(args) and not any(a[0] == "*" for a in args[:position + 1]):
        return args[position]
    return None


def _of_parameters(expr, params: tuple) -> bool:
    """A container literal holding parameters as they are (`return method, kwargs`)."""
    if expr[0] == "l":
        return any(e[0] == "n" and (e[1] in params or f"**{e[1]}" in params) for e in expr[2])
    if expr[0] == "d":
        return any(v[0] == "n" and v[1] in params for _k, v in expr[1])
    return False


def _names(expr) -> list[str]:
    """The plain names an expression reads (not attribute names, not call keywords' names)."""
    found: list[str] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if not isinstance(node, list) or not node:
            continue
        if node[0] == "n" and len(node) == 2 and isinstance(node[1], str):
            found.append(node[1])
            continue
        for part in node[1:] if isinstance(node[0], str) else node:  # an expression, or a list of them
            if isinstance(part, list):
                stack.append(part)
            elif isinstance(part, dict):
                stack.extend(v for v in part.values() if isinstance(v, list))
    return found


def _grows(module, function: str, name: str) -> list[tuple[str, list, list]]:
    """`name[key] = value` written in the function on its `**name` parameter: (scope, key expr, value expr)."""
    return [(function, key, value) for key, value in module.keyword_grows.get((function, name), ())]
