"""What a function's parameters hold: what every call site of the tree that calls it passes there.

A call site is found by how its callee is spelled (`name(...)`, `x.name(...)`), then kept only if
its callee resolves to the function; the spellings are the function's own name and every name its
value flows into (the summaries' "flows": assigned `handler = obj.m`, returned by a factory, passed
as an argument `g(cb)` to a parameter `cb`, pre-bound by `functools.partial`, decorated), so a
function called under another name is found too. An argument binds by position (a bound method's
`self`/`cls` is not passed), by keyword, through `*args`/`**kwargs` forwarded from the caller's
own parameters (followed to its callers), or through a partial's pre-bound arguments; a parameter
some site leaves out is worth its default too. Never by bare name alone: resolution decides.

`Scope.args` carries the values one call path binds (context sensitivity): asked there, a
parameter is worth what that caller passed only.
"""

from __future__ import annotations

from collections import deque
from functools import cached_property
from typing import TYPE_CHECKING

from stackread.program.depth import Guard
from stackread.program.facts import EMPTY, Definition, ModuleFacts, Scope, Value

if TYPE_CHECKING:
    from stackread.program.classes import Classes
    from stackread.program.values import Values

Site = tuple  # (module, scope name, positional argument exprs, keyword argument exprs, parameters filled before them, line)
_PARTIAL = "functools.partial"
# Names a function is looked for by, at most: a value handed on through common parameter names
# (`context`, `instance`) would otherwise make every call site of the program a candidate. What lies
# further along is missed, never guessed.
_MAX_SPELLINGS = 32
_SHARED = 8  # functions a parameter holds beyond which it is a shared helper's (see `shared`)


# Positions of forwarded `*args` beyond this come from a forwarding cycle (each turn adds the
# arguments written before `*args`), not from a call anyone writes.
_MAX_POSITION = 32


class Parameters:
    def __init__(self, modules: dict[str, ModuleFacts], defs: dict[str, Definition], guard: Guard,
                 values: Values, classes: Classes):
        self.modules = modules
        self.defs = defs
        self.guard = guard
        self.values = values
        self.classes = classes
        self._memo: dict[tuple, frozenset] = {}
        self._sites: dict[str, list[Site]] = {}
        self._resolved_calls: dict[str, dict] = {}
        self._spelling_memo: dict[tuple, set[str]] = {}
        self._receiving_memo: dict[tuple, list[str]] = {}
        self._calls_param: dict[tuple, bool] = {}

    # -- what a parameter holds ---------------------------------------------------------------

    def value(self, function_full: str, param: str) -> frozenset:
        """What `param` of the function holds, from every call site (and its default)."""
        key = ("param", function_full, param)
        return self.guard.cached(self._memo, key, lambda: self._value(function_full, param))

    def _value(self, function_full: str, param: str) -> frozenset:
        definition = self.defs.get(function_full)
        if definition is None or definition.kind == "class" or param not in definition.params:
            return EMPTY  # `*args`/`**kwargs` themselves are containers: not followed here
        params = definition.params
        index = params.index(param)
        positional = not any(p.startswith("*") for p in params[:index])
        values, unpassed = self._passed(function_full, index if positional else None, param)
        default = dict(definition.default_exprs).get(param)
        if default is not None and unpassed:
            module = self.modules[definition.module]
            values = values | self.values.resolve(default, Scope(module, definition.qualname.rpartition(".")[0]))
        return values

    def passed(self, function_full: str, index: int | None, keyword: str | None) -> frozenset:
        """What the call sites pass at parameter `index` (of the whole list, `self` included) or by `keyword`."""
        key = ("passed", function_full, index, keyword)
        found = self._memo.get(key)
        if found is not None:
            return found
        # `*args` forwarded round a cycle of wrappers (`f(*a)` -> `g(x, *a)` -> `f(y, *a)`) asks for a
        # new position at each turn, so no memo entry ends it: the stack is watched here as in resolve.
        guard, definition = self.guard, self.defs.get(function_full)
        if definition is None or index is not None and index > _MAX_POSITION or \
                len(guard.active) + guard.chain >= guard.next_check and \
                guard.cut_short(self.modules[definition.module], definition.qualname):
            return EMPTY
        return guard.memoised(self._memo, key, lambda: self._passed(function_full, index, keyword)[0])

    def _passed(self, function_full: str, index: int | None, keyword: str | None) -> tuple[frozenset, bool]:
        """(values passed, whether some site leaves the parameter to its default)."""
        values: set = set()
        unpassed = False
        for site in self.sites(function_full):
            found, passed = self._site_values(site, index, keyword)
            values |= found
            unpassed = unpassed or not passed
        return frozenset(values), unpassed

    def site_values(self, site: Site, function_full: str, param: str) -> frozenset:
        """What one call site passes as the function's parameter (`rpc` reads a wrapper's callers so)."""
        definition = self.defs.get(function_full)
        if definition is None or param not in definition.params:
            return EMPTY
        index = definition.params.index(param)
        positional = not any(p.startswith("*") for p in definition.params[:index])
        return self._site_values(site, index if positional else None, param)[0]

    def _site_values(self, site: Site, index: int | None, keyword: str | None) -> tuple[frozenset, bool]:
        """(values, whether the site passes the parameter at all)."""
        module, scope_name, args, kwargs, offset = site[:5]
        scope = Scope(module, scope_name)
        resolve = self.values.resolve
        if keyword is not None and keyword in kwargs:
            return resolve(kwargs[keyword], scope), True
        position = None if index is None else index - offset
        if position is not None and position < 0:
            return EMPTY, True  # bound before the arguments: `self`, or pre-bound by a partial (a site of its own)
        values: frozenset = EMPTY
        found = starred = False
        for at, arg in enumerate(args if position is not None else ()):
            if arg[0] == "*":  # what it unpacks may hold this position, or not: `**kwargs` may too
                values = self._forwarded(module, scope_name, arg, position - at, None)
                starred = True
                break
            if at == position:
                return resolve(arg, scope), True
        if keyword is not None and "**" in kwargs:
            values = values | self._forwarded(module, scope_name, kwargs["**"], None, keyword)
            found = True
        return values, found or starred

    def _forwarded(self, module: ModuleFacts, scope_name: str, arg: list, extra: int | None,
                   keyword: str | None) -> frozenset:
        """`f(*args, **kwargs)` inside `def w(*args, **kwargs)`: what w's own callers pass there."""
        caller = module.defs.get(scope_name)
        if caller is None or len(arg) < 2 or arg[1][0] != "n":
            return EMPTY
        name = arg[1][1]
        params = caller.params
        if extra is not None and f"*{name}" in params:
            return self.passed(caller.full, params.index(f"*{name}") + extra, None)
        if keyword is not None and f"**{name}" in params:
            return self.passed(caller.full, None, keyword)
        return EMPTY

    def bind(self, scope: Scope, record: list, function_full: str) -> tuple:
        """The (parameter, values) pairs one call site binds when it calls the function, its arguments
        resolved in the caller's scope (itself maybe bound: a chain of calls stays on its path); a
        parameter left out holds its default. For `Scope.args`: `self._cast(ctxt, 'create_instance')`
        makes `method` in `_cast` the string 'create_instance' only."""
        definition = self.defs.get(function_full)
        if definition is None or definition.kind == "class":
            return ()
        resolve = self.values.resolve
        callees = [(value, offset) for value in sorted(resolve(record[1], scope))
                   for called, offset in _super_self(self.defs, record[1], self.called(value)) if called == function_full]
        if not callees:
            return ()
        (callee, offset), args, kwargs = callees[0], record[5], record[6]
        module = self.modules[definition.module]
        defaults = dict(definition.default_exprs)
        pre_bound = dict(p for p in self.values.pre_bound(callee) if p[0] not in kwargs)  # through a partial
        bound = list(pre_bound.items())
        for index, param in enumerate(definition.params):
            if param.startswith("*"):
                break
            position = index - offset
            if position < 0 or param in pre_bound:
                continue
            starred = any(a[0] == "*" for a in args[:position + 1])
            if param in kwargs:
                bound.append((param, resolve(kwargs[param], scope)))
            elif position < len(args) and not starred:
                bound.append((param, resolve(args[position], scope)))
            elif param in defaults and not starred and "**" not in kwargs:
                def_scope = Scope(module, definition.qualname.rpartition(".")[0])
                bound.append((param, resolve(defaults[param], def_scope)))
        return tuple(sorted(bound))

    def shared(self, function_full: str, param: str) -> bool:
        """Whether the parameter holds more than _SHARED functions: a helper every caller hands its
        own function to (`spawn_on(fn, ...)`, a decorator's `function`). Read without the caller, its
        call would lead from any caller to every function: the call graph keeps such an edge with the
        caller that hands the function over (what one call path gives), not drawn from the helper."""
        functions = {v for v in self.value(function_full, param) if v[0] in ("func", "meth", "part")}
        return len(functions) > _SHARED

    def calls_parameter(self, function_full: str, param: str) -> bool:
        """Whether the function (or a function nested in it) calls its parameter: `callback()`, or hands
        it to a function of the tree that does; not when it only hands it on to a library or an
        executor (`executor.submit(fn)`): then the caller that handed the function over calls it."""
        key = (function_full, param)
        found = self._calls_param.get(key)
        if found is None:
            self._calls_param[key] = False  # a cycle back here: not called on that way
            found = self._calls_param[key] = self._calls_parameter(function_full, param)
        return found

    def _calls_parameter(self, function_full: str, param: str) -> bool:
        definition = self.defs.get(function_full)
        if definition is None:
            return False
        qual = definition.qualname
        module = self.modules[definition.module]
        if _stores(module, qual, param):
            return True  # kept (`self.func = func`, `self.listeners.append(func)`): called where what holds it is
        within = [(scope, call) for _module, scope, call in self.classes.calls_named(param)
                  if _module is module and (scope == qual or scope.startswith(qual + "."))]
        if any(call[1][0] == "n" for _scope, call in within):
            return True
        for scope, call in self._forwarding(module, qual, param):
            for value in sorted(self.values.resolve(call[1], Scope(module, scope))):
                for called, offset in self.called(value):
                    for key, arg in list(enumerate(call[5])) + list(call[6].items()):
                        if arg == ["n", param]:
                            inner = self.param_at(called, offset, key if isinstance(key, int) else None,
                                                  key if isinstance(key, str) else None)
                            # Handed on to a shared helper, it is called for each caller there.
                            if inner is not None and self.calls_parameter(called, inner) \
                                    and not self.shared(called, inner):
                                return True
        return False

    def _forwarding(self, module: ModuleFacts, qual: str, param: str) -> list[tuple[str, list]]:
        """The call sites in the function (and nested ones) passing the parameter on as an argument."""
        return [(call[0], call) for call in self.classes.module_calls(module)
                if (call[0] == qual or call[0].startswith(qual + "."))
                and (["n", param] in call[5] or ["n", param] in call[6].values())]

    def param_at(self, function_full: str, offset: int, position: int | None, keyword: str | None) -> str | None:
        """The parameter an argument binds: by position (after `offset` filled ones) or keyword."""
        definition = self.defs.get(function_full)
        if definition is None:
            return None
        if keyword is not None:
            return keyword if keyword in definition.params else None
        at = position + offset
        params = definition.params
        return params[at] if at < len(params) and not any(p.startswith("*") for p in params[:at + 1]) else None

    # -- where a function is called -----------------------------------------------------------

    def sites(self, function_full: str) -> list[Site]:
        """Every call site of the tree that calls the function, with its arguments as bound there."""
        found = self._sites.get(function_full)
        if found is None:
            found = self._sites[function_full] = []  # a site met while finding them is not followed again
            found.extend(self._find_sites(function_full))
        return found

    def _find_sites(self, function_full: str) -> list[Site]:
        found: dict[tuple, Site] = {}
        spellings, returning = self.spellings(function_full)
        for spelling in sorted(spellings):
            for key, site in self._calls_resolved(spelling).get(function_full, ()):
                found.setdefault(key, site)
        for module, definition in self._decorated(spellings, returning):
            found.update(self._decoration_sites(module, definition, function_full))
        return list(found.values())

    def _decoration_sites(self, module: ModuleFacts, definition: Definition, function_full: str) -> dict:
        """`@a @b def f`: `b` is called with f, `a` with what `b(f)` returns."""
        scope = Scope(module, definition.qualname.rpartition(".")[0])
        applied: list = ["n", definition.qualname.rpartition(".")[2]]
        found = {}
        for at in range(len(definition.decorators) - 1, -1, -1):
            decorator = definition.decorators[at]
            for value in sorted(self.values.resolve(decorator, scope)):
                for called, offset in self.called(value):
                    if called == function_full:
                        found[(module.name, definition.line, at, offset)] = \
                            (module, scope.function, [applied], {}, offset, definition.line)
            applied = ["c", decorator, [applied], {}]
        return found

    def called(self, value: Value) -> list[tuple[str, int]]:
        """The functions calling a value runs, each with how many parameters are filled before the arguments."""
        kind = value[0]
        if kind == "func":
            definition = self.defs.get(value[1])
            if definition is not None and definition.kind == "class":
                return self.called(("cls", value[1]))
            return [(value[1], 0)]
        if kind == "meth":
            return [(value[1], 1)]
        if kind in ("cls", "inst"):
            _owner, member = self.classes.find_member(value[1], "__init__" if kind == "cls" else "__call__")
            return [(member.full, 1)] if member is not None and member.kind == "method" else []
        if kind == "part":
            return [(called, offset + value[2]) for called, offset in self.called(value[1])]
        return []

    def _calls_resolved(self, spelling: str) -> dict[str, list[tuple[tuple, Site]]]:
        """The call sites whose callee is spelled so, by the function each calls (resolved once per spelling)."""
        found = self._resolved_calls.get(spelling)
        if found is None:
            found = self._resolved_calls[spelling] = {}  # a cycle back here sees none
            by_function: dict[str, list] = {}
            resolve = self.values.resolve
            for module, scope_name, call in self.classes.calls_named(spelling):
                scope = Scope(module, scope_name)
                for value in sorted(resolve(call[1], scope)):
                    for called, offset in _super_self(self.defs, call[1], self.called(value)):
                        by_function.setdefault(called, []).append(
                            ((module.name, call[2], call[3], offset),
                             (module, scope_name, call[5], call[6], offset, call[2])))
                    if value == ("ext", _PARTIAL) and call[5]:
                        # The partial's creation binds its pre-bound arguments.
                        for bound in sorted(resolve(call[5][0], scope)):
                            for called, offset in self.called(bound):
                                by_function.setdefault(called, []).append(
                                    ((module.name, call[2], call[3], offset, "partial"),
                                     (module, scope_name, call[5][1:], call[6], offset, call[2])))
            found.update(by_function)
        return found

    # -- the names a function may be called by ------------------------------------------------

    def spellings(self, function_full: str) -> tuple[set[str], set[str]]:
        """The names the function may be called by, and the names whose call returns it."""
        definition = self.defs.get(function_full)
        if definition is None:
            return set(), set()
        owner, _, name = definition.full.rpartition(".")
        classes = frozenset(c.rpartition(".")[2] for c in [owner, *self.classes.all_subclasses(owner)]) \
            if name in ("__init__", "__call__") and owner in self.defs else frozenset()
        key = (name, classes)
        found = self._spelling_memo.get(key)
        if found is None:
            found = self._spelling_memo[key] = self._spellings(name, classes)
        return found

    def _spellings(self, name: str, classes: frozenset) -> tuple[set[str], set[str]]:
        """(names holding the function, names whose call returns it)."""
        # Names holding the function, and names whose call returns it (a factory; a class whose
        # instances are called): kept apart, or every name assigned from any call would count, and a
        # common name would reach the whole program.
        holding = {name} | (classes if name == "__init__" else set())
        returning = set(classes) if name == "__call__" else set()
        pending = deque([(n, False) for n in sorted(holding)] + [(n, True) for n in sorted(returning)])
        while pending:  # breadth first: the nearest names are kept when the cap is reached
            spelling, returns = pending.popleft()
            for into, where in self._flow_index.get(spelling, ()):
                if returns:
                    found = [(into, False)] if where == "()" else [(into, True)] if where == "r()" else []
                elif where == "r":
                    found = [(into, True)]
                elif where not in ("()", "r()"):
                    found = [(name, False) for name in self._receiving(into, where)]
                else:
                    found = []
                for name, is_returning in found:
                    group = returning if is_returning else holding
                    if name not in group:
                        if len(holding) + len(returning) >= _MAX_SPELLINGS:
                            return holding, returning
                        group.add(name)
                        pending.append((name, is_returning))
        return holding, returning

    def _receiving(self, into: str, where: str | int) -> list[str]:
        """The names a value flows into: the assigned name, the returning function, or the parameters of
        the functions spelled like the callee at that position or keyword (the decorator's first one)."""
        if where in ("", "r"):
            return [into]
        key = (into, where)
        found = self._receiving_memo.get(key)
        if found is None:
            found = self._receiving_memo[key] = self._parameters_receiving(into, where)
        return found

    def _parameters_receiving(self, into: str, where: str | int) -> list[str]:
        if into == "partial" and where == 0:
            return ["partial"]  # `functools.partial(f, ...)`: its creation is a site of f
        names = []
        for definition in self._defs_named.get(into, ()):
            candidates = [definition]
            if definition.kind == "class":
                init = self.defs.get(f"{definition.full}.__init__")
                candidates = [init] if init is not None else []
            elif where == "@":  # `@retry(3)`: the function `retry` returns takes f
                candidates += [d for d in self._nested.get(definition.full, ())]
            for candidate in candidates:
                skip = 1 if candidate.kind in ("method", "classmethod") else 0
                params = candidate.params
                if where == "@" or isinstance(where, int):
                    at = skip + (0 if where == "@" else where)
                    if at < len(params) and not params[at].startswith("*"):
                        names.append(params[at])
                elif where in params:
                    names.append(where)
        return sorted(set(names))

    @cached_property
    def _flow_index(self) -> dict[str, list[tuple[str, str | int]]]:
        index: dict[str, dict] = {}
        for module in self.modules.values():
            for spelling, into, where in module.flows():
                index.setdefault(spelling, {})[(into, where)] = None  # once each: `context` is passed thousands of times
        return {spelling: list(flows) for spelling, flows in index.items()}

    @cached_property
    def _defs_named(self) -> dict[str, list[Definition]]:
        index: dict[str, list] = {}
        for definition in self.defs.values():
            index.setdefault(definition.qualname.rpartition(".")[2], []).append(definition)
        return index

    @cached_property
    def _nested(self) -> dict[str, list[Definition]]:
        index: dict[str, list] = {}
        for definition in self.defs.values():
            parent = f"{definition.module}.{definition.qualname.rpartition('.')[0]}"
            if "." in definition.qualname:
                index.setdefault(parent, []).append(definition)
        return index

    @cached_property
    def _decorators_spelled(self) -> dict[tuple[str, bool], list[tuple[ModuleFacts, Definition]]]:
        """(name, whether a call: `@retry(3)`) -> the definitions so decorated."""
        index: dict[tuple, list] = {}
        for module in self.modules.values():
            for definition in module.defs.values():
                for decorator in definition.decorators:
                    name = _last_name(decorator)
                    if name:
                        index.setdefault((name, decorator[0] == "c"), []).append((module, definition))
        return index

    def _decorated(self, holding: set[str], returning: set[str]) -> list[tuple[ModuleFacts, Definition]]:
        """The definitions decorated by the function: `@deco` spelled by a name holding it, `@retry(3)`
        by a name whose call returns it."""
        found = {}
        for key in [(s, False) for s in sorted(holding)] + [(s, True) for s in sorted(returning)]:
            for module, definition in self._decorators_spelled.get(key, ()):
                found[definition.full] = (module, definition)
        return list(found.values())


def _super_self(defs: dict[str, Definition], callee: list, called: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """`called` for a call spelled `callee`, one more parameter filled for `super().method(...)`: the engine
    reads the method found past the class as a plain function (no override of it runs), yet `self` is
    bound there as for any method call."""
    if callee[0] != "a" or callee[1][0] != "super":
        return called
    return [(function, offset + (defs[function].kind in ("method", "classmethod") if function in defs else 0))
            for function, offset in called]


def _last_name(expr: list) -> str:
    if expr[0] == "c":
        expr = expr[1]
    return expr[1] if expr[0] == "n" else expr[2] if expr[0] == "a" else ""


def parameter_of(scope: Scope, name: str) -> str | None:
    """The function whose parameter `name` is, as read from the scope (closures too); None if it is not one."""
    module, function = scope.module, scope.function
    while function:
        definition = module.defs.get(function)
        if definition is None:
            return None
        if definition.kind != "class":
            if module.bindings.get(function, {}).get(name):
                return None
            if name in definition.params:
                return definition.full
        function = function.rpartition(".")[0]
    return None


def _stores(module: ModuleFacts, qual: str, param: str) -> bool:
    """Whether the function keeps its parameter on `self`, as an attribute or in a container there:
    the stored value is then called wherever the attribute's value is (a timer's `self.func()`)."""
    held = ["n", param]
    inside = lambda scope: scope == qual or scope.startswith(qual + ".")  # noqa: E731
    return any(expr == held and inside(scope) for assigns in module.self_assigns.values() for scope, expr in assigns) \
        or any(expr == held and inside(scope) for grows in module.self_grows.values() for scope, _key, expr in grows)
