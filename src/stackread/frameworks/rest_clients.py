"""The requests a client library's function sends: the HTTP verb, the URL template and the service.

OpenStack's clients (python-cinderclient, python-neutronclient, python-glanceclient, openstacksdk)
and a tree's own REST calls (Nova's Placement report client) all end in the same HTTP library:
keystoneauth1's `Session`/`Adapter` (`request(url, method, ...)` and its verb methods `get`,
`post`, `put`, `delete`, `patch`, `head`), or `requests`. That is the transport this module knows;
everything between it and the function asked about is read through the engine, never by a table
of client method names:
- the walk follows each call the function makes into the functions of the program (the library
  read with `-L`, or the tree itself), its parameters bound to the caller's arguments (so a method
  named by a string the caller passes, `getattr(controller, method)(*args)` in Nova's glance
  wrapper, is the one that caller names; the function asked about holds its defaults), until a
  call reaches the transport (`VolumeAttachmentManager.create` -> `Manager._create` ->
  `self.api.client.post(url, body=body)` -> `SessionClient.post` -> `_cs_request(url, 'POST')` ->
  `self.request(url, method)` on a keystoneauth1 Adapter);
- the verb and the URL are the transport's arguments read back outwards through those bindings:
  `'/attachments/%s' % id`, `self.ports_path` (a class attribute), `"%(a)s%(b)s" % {...}`, an
  f-string, a local built on several branches; what the function's caller passes stays a
  placeholder, normalised to the route table's `{id}`, and a query string is dropped;
- the send is where the verb is chosen: the call into the function that writes the verb
  (`self.api.client.post(url, body=body)` in `cinderclient/base.py`), or the transport's verb
  method itself (`session.post(...)`);
- a `POST .../action` carries the key of the body sent (`{action: info}` with `action='os-attach'`);
- a request sent only from an `except` block on the way (a cleanup after a failed create) is on the
  function's error path;
- the service type is the `service_type` default of the constructor of a client met on the way
  (cinderclient's `Client(..., service_type='volumev3')`), when the library writes one;
- an openstacksdk proxy is a transport too, known without reading openstacksdk: an attribute of a
  `Connection` (`conn.placement`, `getattr(conn, service_type.replace('-', '_'))` in Nova's
  `utils.get_sdk_adapter`) is `openstack.proxy.Proxy`, a keystoneauth1 Adapter for the service the
  attribute names, so its verb methods send and the attribute is the service type;
- the function's own parameters are its caller's to give: a placeholder in a URL, and a branch on
  one (`if force:`) is decided by the call site's argument when it is a literal, by the default
  when the call site does not pass it, either way otherwise.
`matching_route` then finds the serving project's route (frameworks.rest) a request reaches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from stackread.frameworks.rest.route import Route
from stackread.program.facts import EMPTY, Scope

VERBS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"})
# The HTTP libraries and the order their `request` takes the URL and the verb in, when its own
# definition is not read (not given with -L) or takes them as `*args` (a subclass's override).
_TRANSPORTS = {"keystoneauth1": ("url", "method"), "requests": ("method", "url")}
_DEPTH = 10  # calls followed inwards from the function asked about, at most
_MAX_TEXTS = 16  # templates one expression may make before the rest is left out
_BODY_KEYWORDS = ("body", "json", "data")


@dataclass(frozen=True)
class Request:
    """One HTTP request a client function sends."""
    verb: str
    url: str  # template: `{id}` for each part the caller gives, no query string
    service_type: str | None  # the catalog type the client asks for (`volumev3`), when written
    action: str | None  # the body key of a `POST .../action` (`os-attach`)
    path: str  # the send: where the verb is chosen
    line: int
    client_function: str  # the function asked about, dotted
    # Sent only from an `except` block on the way (nova's `_delete_ports` cleaning up after a port
    # create that failed): off the function's default path.
    error_path: bool = False
    # The branches taken on the way in the function asked about's own package (`if not request.port_id:`
    # in nova/network/neutron.py), as (kind, text) of the context chains ("if" or "else"); a library's
    # own branches are its business. Those every path to the send takes.
    branches: tuple = ()


@dataclass(eq=False)  # one per call path: compared by identity
class _Frame:
    """A function as one call path runs it: its scope, and per parameter the caller's argument with
    the caller's frame (a parameter not in `passed` is the function's own: its default, or a
    placeholder in the function asked about)."""
    scope: Scope
    definition: object
    passed: dict = field(default_factory=dict)  # parameter -> (expr, _Frame)
    extra: dict = field(default_factory=dict)  # keyword into `**kwargs` -> (expr, _Frame)
    parent: "_Frame | None" = None
    entered: list | None = None  # the call record in `parent` that runs this frame
    error: bool = False  # entered from an `except` block on the way from the function asked about
    branches: tuple = ()  # ("if" | "else", text) taken on the way, in the package of the function asked about

    def chain(self) -> tuple[str, ...]:
        frame, found = self, []
        while frame is not None:
            found.append(frame.definition.full)
            frame = frame.parent
        return tuple(found)


def requests_of(program, function_full: str, site: list | None = None) -> list[Request]:
    """The requests the function sends, following its calls inside the program. With `site`, the call
    record that runs it: a branch on a parameter passed there is decided by the argument written (a
    literal decides it, anything else may go either way), not by the parameter's default."""
    definition = program.defs.get(function_full)
    if definition is None or definition.kind == "class":
        return []
    module = program.modules[definition.module]
    outer = Scope(module, definition.qualname.rpartition(".")[0])
    # The caller's to name: each parameter holds its default, or nothing known, as the URL's
    # placeholders read them. Every caller's values instead would make `context` lead through the
    # whole calling tree (Nova's), too deep to follow, before the client library is reached.
    defaults = dict(definition.default_exprs)
    offset = 1 if definition.kind in ("method", "classmethod", "property") else 0
    own = tuple(sorted((p, program.resolve(defaults[p], outer) if p in defaults else EMPTY)
                       for p in definition.params[offset:] if not p.startswith("*")))
    scope = Scope(module, definition.qualname, program.enclosing_class(Scope(module, definition.qualname)), args=own)
    reader = _Reader(program, function_full)
    if site is not None:
        reader.site, _extra = _bind(definition, site[5], site[6], None)
    reader.walk(_Frame(scope, definition), 0)
    return sorted(_merged(reader.found), key=lambda r: (r.url, r.verb, r.action or "", r.path, r.line))


def _merged(found: list[Request]) -> list[Request]:
    """One request per send: on the error path only when every path to it is; under the branches
    every path to it off the error path takes."""
    by_send: dict[Request, list[Request]] = {}
    for request in found:
        by_send.setdefault(replace(request, error_path=False, branches=()), []).append(request)
    merged = []
    for send, ways in by_send.items():
        plain = [w for w in ways if not w.error_path]
        kept = plain or ways
        branches = kept[0].branches
        for way in kept[1:]:  # what every path takes: their common beginning
            at = next((i for i, (a, b) in enumerate(zip(branches, way.branches)) if a != b),
                      min(len(branches), len(way.branches)))
            branches = branches[:at]
        merged.append(replace(send, error_path=not plain, branches=branches))
    return merged


class _Reader:
    def __init__(self, program, client_function: str):
        self.program = program
        self.client_function = client_function
        self.found: list[Request] = []
        self._walked: set = set()
        self._reading: set = set()  # (frame, name) whose assignments are being read
        self.root_params: tuple[str, ...] = program.defs[client_function].params
        self.package = program.defs[client_function].module.split(".")[0]
        self.site: dict = {}  # parameter -> (argument, None) the call site of the function asked about writes

    # -- the walk inwards ----------------------------------------------------------------------

    def walk(self, frame: _Frame, depth: int) -> None:
        program = self.program
        scope = frame.scope
        contexts = scope.module.contexts()
        for record in program.calls_in(frame.definition.full):
            if record[4] is not None and not self._taken(contexts[record[4]], frame):
                continue
            chain = contexts[record[4]] if record[4] is not None else ()
            error = frame.error or any(c[0] == "except" for c in chain)
            branches = frame.branches + (tuple((c[0], c[1]) for c in chain if c[0] in ("if", "else")
                                               and self._holds(c[0], c[1], frame) is None)  # not decided here
                                         if scope.module.name.split(".")[0] == self.package else ())
            callee = record[1]
            values = sorted(program.resolve(callee, scope))
            for value in values:
                if value[0] == "ext" and _library_of(value[1]) and _name_of(value[1]) in _TRANSPORT_NAMES:
                    self.transport(record, frame, _name_of(value[1]), None, _library_of(value[1]), error, branches)
            if callee[0] == "a" and callee[2] in _TRANSPORT_NAMES:
                for service in sorted({s for v in program.resolve(callee[1], scope) for s in [_sdk_service(v)] if s}):
                    self.transport(record, frame, callee[2], None, "keystoneauth1", error, branches, service)
            if depth >= _DEPTH:
                continue
            # Read on this call path: `getattr(controller, method)(...)` runs the method its caller names.
            targets, _externals = program.call_targets_as(scope.module, record, scope.self_class, scope.self_exact,
                                                          args=scope.args)
            for target, _certain, self_class, exact in targets:
                inner = program.defs.get(target)
                if inner is None or inner.kind == "class" or target in frame.chain():
                    continue
                library = self.transport_library(inner, self_class)
                if library:
                    self.transport(record, frame, inner.qualname.rpartition(".")[2], inner, library, error,
                                   branches)
                    continue
                # Once per call path, not per site: every request of a client goes through the same
                # `do_request`, each with the URL its own path hands it.
                key = (target, self_class, record[2], frame.chain(), error, branches)
                if key in self._walked:
                    continue
                self._walked.add(key)
                self.walk(self._enter(record, frame, inner, self_class, exact, error, branches), depth + 1)

    def _taken(self, chain: list, frame: _Frame) -> bool:
        """Whether the call's branches can be taken on this path: `if body:` with no body passed (a
        default of None) is not; a test this does not read can."""
        return all(self._holds(kind, text, frame) is not False for kind, text, _line in chain)

    def _holds(self, kind: str, text: str, frame: _Frame) -> bool | None:
        """Whether the branch is taken on this path, when a parameter's literal argument decides it."""
        negated = text.startswith("not ")
        name = text[4:] if negated else text
        if kind not in ("if", "else") or not name.isidentifier() or name not in frame.definition.params:
            return None
        if name in frame.passed:
            expr = frame.passed[name][0]
        elif frame.parent is None and name in self.site:  # the call site of the function asked about
            expr = self.site[name][0]
        else:
            expr = dict(frame.definition.default_exprs).get(name)
        truth = _truth(expr)
        return None if truth is None else truth == ((kind == "if") != negated)

    def transport_library(self, definition, self_class: str | None) -> str | None:
        """The HTTP library a method sends through: a verb method or `request` of keystoneauth1 itself,
        or the `request` of a class deriving from one of its (or requests') classes."""
        name = definition.qualname.rpartition(".")[2]
        if name not in _TRANSPORT_NAMES:
            return None
        library = _library_of(definition.module)
        if library:
            return library
        if name != "request" or definition.kind != "method":
            return None
        owner = self_class or self.program.enclosing_class(Scope(self.program.modules[definition.module],
                                                                 definition.qualname))
        return self._http_base(owner) if owner else None

    def _http_base(self, class_full: str) -> str | None:
        program = self.program
        for cls in program.mro(class_full):
            library = _library_of(cls)
            if library:
                return library
            definition = program.defs.get(cls)
            if definition is None:
                continue
            outer = Scope(program.modules[definition.module], definition.qualname.rpartition(".")[0])
            for base in definition.bases:
                for value in program.resolve(base, outer):
                    if value[0] == "ext" and _library_of(value[1]):
                        return _library_of(value[1])
        return None

    def _enter(self, record: list, frame: _Frame, definition, self_class: str | None, exact: bool,
               error: bool = False, branches: tuple = ()) -> _Frame:
        program = self.program
        module = program.modules[definition.module]
        args = program.bind_arguments(frame.scope, record, definition.full)
        scope = Scope(module, definition.qualname, self_class, exact, args)
        passed, extra = _bind(definition, record[5], record[6], frame)
        return _Frame(scope, definition, passed, extra, frame, record, error, branches)

    # -- at the transport ----------------------------------------------------------------------

    def transport(self, record: list, frame: _Frame, name: str, definition, library: str, error: bool,
                  branches: tuple, service_type: str | None = None) -> None:
        if name == "request":
            order = _TRANSPORTS[library]
            params = tuple(p for p in definition.params if p not in ("self", "cls")) if definition else ()
            if "url" not in params or "method" not in params:
                params = order
            bound, _extra = _bind_names(params, record[5], record[6], frame)
            if "method" not in bound or "url" not in bound:
                return
            verbs = self.verbs(*bound["method"])
            url_expr = bound["url"]
        else:
            verbs = {(name.upper(), None)}
            url_expr = (record[5][0], frame) if record[5] else (record[6].get("url"), frame)
            if url_expr[0] is None:
                return
        urls = self.templates(*url_expr)
        if not urls:
            return
        # A path on the service's endpoint; a URL the library makes whole (an auth URL, a `next`
        # link) is not a route of the service; the one the caller of the function asked about names
        # is kept as the placeholder it is.
        given = {"{^%s}" % p for p in self.root_params}
        urls = {u for u in urls if u.startswith("/") or u in given}
        for verb, written in verbs:
            send, send_frame = (record, frame) if written is None else (written.entered or record,
                                                                        written.parent or frame)
            for url in sorted(urls):
                url = normal_url(url)
                action = self.action(send, send_frame) if verb == "POST" and url.endswith("/action") else None
                self.found.append(Request(verb, url, service_type or self.service_type(frame), action,
                                          send_frame.scope.module.path, send[2], self.client_function, error, branches))

    def verbs(self, expr, frame: _Frame, depth: int = 0) -> set[tuple[str, _Frame | None]]:
        """(verb, frame it is written in) for each verb the expression holds on this path."""
        if depth > 12 or expr is None:
            return set()
        kind = expr[0]
        if kind == "s":
            return {(expr[1].upper(), frame)} if expr[1].upper() in VERBS else set()
        if kind == "either":
            return {v for e in expr[1] for v in self.verbs(e, frame, depth + 1)}
        if kind == "n":
            found: set = set()
            if expr[1] in frame.passed:
                found |= self.verbs(*frame.passed[expr[1]], depth + 1)
            for record in self._locals(frame, expr[1]):
                found |= self.verbs(record, frame, depth + 1)
            if found:
                return found
        return {(v[1].upper(), frame) for v in self.program.resolve(expr, frame.scope)
                if v[0] == "str" and v[1].upper() in VERBS}

    def action(self, record: list, frame: _Frame) -> str | None:
        """The one key of the body the send posts: `{action: info}` -> the action its caller names."""
        for keyword in _BODY_KEYWORDS:
            if keyword in record[6]:
                keys = self.keys(record[6][keyword], frame)
                if len(keys) == 1:
                    return keys.pop()
        return None

    def keys(self, expr, frame: _Frame, depth: int = 0) -> set[str]:
        if depth > 8:
            return set()
        if expr[0] == "n":
            if expr[1] in frame.passed:
                return self.keys(*frame.passed[expr[1]], depth + 1)
            return {k for e in self._locals(frame, expr[1]) for k in self.keys(e, frame, depth + 1)}
        if expr[0] == "d":
            return {t for key, _value in expr[1] for t in self.templates(key, frame, depth + 1)}
        return set()

    def service_type(self, frame: _Frame) -> str | None:
        """The `service_type` default of a client's constructor met on the way (a class of `self`
        along the path, or the class an attribute chain of a send starts from)."""
        program = self.program
        classes: list[str] = []
        while frame is not None:
            if frame.scope.self_class:
                classes.append(frame.scope.self_class)
            owner = program.enclosing_class(frame.scope)
            if owner:
                classes.append(owner)
            if frame.entered is not None and frame.parent is not None:
                base = frame.entered[1]
                while base[0] == "a":
                    base = base[1]
                    classes += [v[1] for v in program.resolve(base, frame.parent.scope) if v[0] == "inst"]
            frame = frame.parent
        for cls in classes:
            for owner in program.mro(cls):
                _where, init = program.find_member(owner, "__init__")
                default = dict(init.defaults).get("service_type") if init is not None else None
                if isinstance(default, str):
                    return default
        return None

    # -- reading strings back outwards ---------------------------------------------------------

    def templates(self, expr, frame: _Frame, depth: int = 0) -> set[str]:
        """The strings an expression can be on this path; a part only the caller of the function asked
        about knows is a placeholder `{name}`."""
        if expr is None or depth > 16:
            return set()
        kind = expr[0]
        if kind == "s":
            return {expr[1]}
        if kind == "k":
            return set() if expr[1] is None else {str(expr[1])}
        if kind == "either":
            return _capped(t for e in expr[1] for t in self.templates(e, frame, depth + 1))
        if kind == "fmt":
            return self._formatted(expr, frame, depth)
        if kind == "n":  # ["n", name, "p"]: a parameter read before the function binds it again
            return self._name(expr[1], frame, depth, len(expr) > 2)
        known = {v[1] for v in self.program.resolve(expr, frame.scope) if v[0] == "str"}
        if known:
            return _capped(known)
        if kind == "a":
            return self._attribute(expr, frame, depth) or {"{%s}" % expr[2]}
        if kind == "c":
            return self._returned(expr, frame, depth) or {"{%s}" % _label(expr[2][0] if expr[2] else expr)}
        return {"{%s}" % _label(expr)}

    def _returned(self, call, frame: _Frame, depth: int) -> set[str]:
        """The strings a function of the program returns, read with this call's arguments
        (`self._build_list_url(resource_type, detailed=detailed)`)."""
        program = self.program
        found: set[str] = set()
        for func in sorted(program.resolve(call[1], frame.scope)):
            definition = program.defs.get(func[1]) if func[0] in ("func", "meth") else None
            if definition is None or definition.kind == "class" or definition.full in frame.chain():
                continue
            self_class = func[2] if func[0] == "meth" and len(func) > 2 else frame.scope.self_class
            record = [frame.scope.function, call[1], 0, 0, None, call[2], call[3]]
            inner = self._enter(record, frame, definition, self_class, False)
            for scope_name, returned, _context in inner.scope.module.summary["returns"]:
                if scope_name == definition.qualname:
                    found |= self.templates(returned, inner, depth + 1)
        return _capped(found)

    def _name(self, name: str, frame: _Frame, depth: int, as_passed: bool = False) -> set[str]:
        found: set[str] = set()
        key = (id(frame), name)
        # In `action = self.action_prefix + action` the name read on the right is what it held before.
        assigned = self._locals(frame, name, last=True) if key not in self._reading and not as_passed else []
        self._reading.add(key)
        try:
            for record in assigned:
                found |= self.templates(record, frame, depth + 1)
        finally:
            self._reading.discard(key)
        if not as_passed and self._overridden(frame, name) and assigned:
            return _capped(found)  # assigned unconditionally: what was passed is no longer read
        if name in frame.passed:
            found |= self.templates(*frame.passed[name], depth + 1)
        params = frame.definition.params
        if name in params and name not in frame.passed:
            default = dict(frame.definition.default_exprs).get(name)
            if frame.parent is None and default is None:
                found.add("{^%s}" % name)  # the caller's to name
            elif default is not None:
                found |= self.templates(default, frame, depth + 1)
        if found or name in params:
            return _capped(found)
        known = {v[1] for v in self.program.resolve(["n", name], frame.scope) if v[0] == "str"}
        return _capped(known) if known else {"{%s}" % name}

    def _locals(self, frame: _Frame, name: str, last: bool = False) -> list:
        """What the function assigns to the name; with `last`, from its last unconditional assignment
        on (the ones before it no longer hold: a URL built step by step). The summary keeps no line
        per assignment, so a body read back after the send (`resp, body = post(url, body=body)`) is
        asked for every assignment instead."""
        records = [r for r in frame.scope.module.bindings.get(frame.scope.function, {}).get(name, ())
                   if r[0] == "assign"]
        start = max((at for at, r in enumerate(records) if len(r) == 2), default=0) if last else 0
        return [r[1] for r in records[start:]]

    def _overridden(self, frame: _Frame, name: str) -> bool:
        records = frame.scope.module.bindings.get(frame.scope.function, {}).get(name, ())
        return any(r[0] == "assign" and len(r) == 2 for r in records)

    def _attribute(self, expr, frame: _Frame, depth: int) -> set[str]:
        """`request.url` of a local made by a call (`request = self._prepare_request(...)`): the
        argument the object's constructor keeps as that attribute (`self.url = url`)."""
        if expr[1][0] != "n":
            return set()
        found: set[str] = set()
        for made in self._locals(frame, expr[1][1]):
            if made[0] != "c":
                continue
            for value in self.program.resolve(made, frame.scope):
                if value[0] == "inst":
                    found |= self._kept(value[1], expr[2], made, frame, depth)
        return found

    def _kept(self, class_full: str, attr: str, made: list, frame: _Frame, depth: int) -> set[str]:
        program = self.program
        _owner, init = program.find_member(class_full, "__init__")
        if init is None:
            return set()
        module = program.modules[init.module]
        for scope_name, kept in module.self_assigns.get(attr, ()):
            if scope_name == init.qualname and kept[0] == "n" and kept[1] in init.params:
                for call in self._calls_making(made, frame, class_full):
                    passed, _extra = _bind(init, call[0][2], call[0][3], call[1])
                    if kept[1] in passed:
                        return self.templates(*passed[kept[1]], depth + 1)
        return set()

    def _calls_making(self, made: list, frame: _Frame, class_full: str) -> list[tuple[list, _Frame]]:
        """The constructor calls `made` runs: itself, or the class built in what a function it calls returns."""
        program = self.program
        if any(v == ("cls", class_full) for v in program.resolve(made[1], frame.scope)):
            return [(made, frame)]
        found = []
        for func in program.resolve(made[1], frame.scope):
            definition = program.defs.get(func[1]) if func[0] in ("func", "meth") else None
            if definition is None or definition.kind == "class":
                continue
            record = [frame.scope.function, made[1], 0, 0, None, made[2], made[3]]
            inner = self._enter(record, frame, definition, frame.scope.self_class, frame.scope.self_exact)
            module = inner.scope.module
            for scope_name, returned, _context in module.summary["returns"]:
                if scope_name == definition.qualname and returned[0] == "c" and \
                        any(v == ("cls", class_full) for v in program.resolve(returned[1], inner.scope)):
                    found.append((returned, inner))
        return found

    def _formatted(self, expr, frame: _Frame, depth: int) -> set[str]:
        op, operands = expr[1], expr[2]
        if op in ("+", "f"):
            made = {""}
            for part in operands:
                texts = self.templates(part, frame, depth + 1) or {"{%s}" % _label(part)}
                made = _capped(m + t for m in made for t in texts)
            return made
        patterns = self.templates(operands[0], frame, depth + 1)
        operand = operands[1]
        found: set[str] = set()
        for pattern in patterns:
            if operand[0] == "d":
                parts = {}
                for key, value in operand[1]:
                    if key[0] == "s":
                        parts[key[1]] = sorted(self.templates(value, frame, depth + 1)) or ["{%s}" % key[1]]
                names = re.findall(r"%\((\w+)\)s", pattern)
                made = [pattern]
                for name in names:
                    texts = parts.get(name, ["{%s}" % name])
                    made = [m.replace(f"%({name})s", t, 1) for m in made for t in texts][:_MAX_TEXTS]
                found |= set(made)
                continue
            items = operand[2] if operand[0] == "l" and operand[1] == "tuple" else [operand]
            made = [pattern]
            for item in items:
                texts = sorted(self.templates(item, frame, depth + 1)) or ["{%s}" % _label(item)]
                made = [_substitute(m, t) for m in made for t in texts][:_MAX_TEXTS]
            found |= set(made)
        return _capped(found)


_TRANSPORT_NAMES = frozenset({"request"} | {verb.lower() for verb in VERBS})
# What makes an openstacksdk Connection, whose attributes are the services' proxies.
_SDK_CONNECTIONS = ("openstack.connection.Connection()", "openstack.connect()")


def normal_url(url: str) -> str:
    """The route table's form: every placeholder `{id}`, no query string, no trailing slash."""
    url = url.split("?", 1)[0]
    url = re.sub(r"\{[^{}]*\}", "{id}", url)
    url = re.sub(r"%[sd]", "{id}", url)
    return url.rstrip("/") or "/"


def matching_route(routes: list[Route], verb: str, url: str, action: str | None = None) -> Route | None:
    """The route of the serving project a request reaches: the same verb (or a route for every verb),
    the same segments, a placeholder for a placeholder; a route mounted under a prefix (`/v2.0`) is
    reached by its URL with or without it; an action route by the body key of its action."""
    wanted = _segments(normal_url(url))
    best: Route | None = None
    for route in routes:
        if route.verb not in (verb, "*") or (route.action or None) != (action if route.action else None):
            continue
        candidates = [route.path] + [route.path[len(m):] for m in route.mounts or () if route.path.startswith(m)]
        candidates += [m + route.path for m in route.mounts or () if not route.path.startswith(m)]
        if any(_same(_segments(normal_url(c)), wanted) for c in candidates):
            if best is None or _better(route, best, action):
                best = route
    return best


def _better(route: Route, best: Route, action: str | None) -> bool:
    """An exact verb over `*`, an action route over the plain POST of the same path."""
    return (route.verb != "*", bool(route.action) == bool(action)) > (best.verb != "*",
                                                                       bool(best.action) == bool(action))


def _segments(url: str) -> list[str]:
    return [s for s in url.split("/") if s]


def _same(route: list[str], wanted: list[str]) -> bool:
    return len(route) == len(wanted) and all(
        r == w or r.startswith("{") and w.startswith("{") for r, w in zip(route, wanted))


def _truth(expr) -> bool | None:
    """Whether a literal argument is true; None for anything else."""
    if expr is None or expr[0] not in ("k", "s"):
        return None
    return bool(expr[1])


def _library_of(dotted: str) -> str | None:
    top = dotted.split(".", 1)[0]
    return top if top in _TRANSPORTS else None


def _sdk_service(value) -> str | None:
    """The service type of an openstacksdk proxy: `conn.placement`, `getattr(conn, 'shared_file_system')`
    of a `Connection` (openstacksdk read or not, it is `openstack.proxy.Proxy`, a keystoneauth1 Adapter
    for the service the attribute names, `_` for `-`)."""
    if value[0] != "ext":
        return None
    for connection in _SDK_CONNECTIONS:
        if value[1].startswith(connection + ".") and value[1].count(".") == connection.count(".") + 1:
            return value[1].rpartition(".")[2].replace("_", "-")
    return None


def _name_of(dotted: str) -> str:
    return dotted.rstrip("()").rpartition(".")[2]


def _bind(definition, args: list, kwargs: dict, frame: _Frame) -> tuple[dict, dict]:
    params = definition.params
    offset = 1 if definition.kind in ("method", "classmethod") else 0
    return _bind_names(params[offset:], args, kwargs, frame)


def _bind_names(params: tuple, args: list, kwargs: dict, frame: _Frame) -> tuple[dict, dict]:
    """parameter -> (argument expr, frame) for what a call writes; a `*args`/`**kwargs` the caller
    forwards hands on what its own caller passed there."""
    passed: dict = {}
    extra: dict = {}
    positional = [p for p in params if not p.startswith("*")]
    at = 0
    for arg in args:
        if arg[0] == "*":
            break  # `f(*args)`: what the positions hold is not written here
        if at < len(positional):
            passed[positional[at]] = (arg, frame)
        at += 1
    for name, arg in kwargs.items():
        if name == "**":
            for key, value in frame.extra.items():
                (passed if key in positional else extra)[key] = value
        elif name in positional:
            passed[name] = (arg, frame)
        else:
            extra[name] = (arg, frame)
    return passed, extra


def _substitute(pattern: str, text: str) -> str:
    match = re.search(r"%[sdr]", pattern)
    return pattern[:match.start()] + text + pattern[match.end():] if match else pattern


def _capped(texts) -> set[str]:
    found: set[str] = set()
    for text in texts:
        if len(found) >= _MAX_TEXTS:
            break
        found.add(text)
    return found


def _label(expr) -> str:
    """A name for a part the caller gives: the name or attribute it is read from."""
    while expr and expr[0] in ("a", "c", "i", "*"):
        if expr[0] == "a":
            return expr[2]
        expr = expr[1]
    return expr[1] if expr and expr[0] == "n" else "id"
