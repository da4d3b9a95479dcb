"""Callbacks where they run: a function handed to a callee as an argument runs where the callee
calls that parameter, not where it is handed over.

`ComputeManager._do_live_migration` makes `functools.partial(self._post_live_migration_update_host, ...)`
and hands it to `self.driver.live_migration(context, instance, dest, post_live_migration, ...)`,
whose parameter `post_method` the driver calls once the migration is done (through
`self._live_migration(..., post_method, ...)` and its monitor). Drawn where the partial is made,
the clean-up on the source would come before the migration itself. The walk (walker.py) asks this
module, for each call, which functions it hands over and where the callee calls them; those are
drawn under the callee's step, after what it does itself, marked "called back as post_method at
nova/virt/libvirt/driver.py:11855", and no longer where they are handed over. A function handed to a
callee that never calls it here (stores it, hands it to a library) keeps its old place.
"""

from __future__ import annotations

from dataclasses import dataclass

from stackread.program.facts import Scope

HANDED_DEPTH = 6  # functions a parameter is followed through before it is called: enough for a driver's helpers
# Library calls that only name what they are handed: neutron-lib's callbacks manager keys a callback by them.
_NAMING = frozenset({"builtins.hash", "builtins.id", "builtins.repr", "builtins.str",
                     "oslo_utils.reflection.get_callable_name"})


@dataclass(frozen=True)
class Callback:
    function: str  # what is handed over
    receiver: tuple  # (class `self` is an instance of, exactly): as the walk's targets carry it
    parameter: str  # the callee's parameter it is handed as
    path: str  # where the callee, or a function it hands the parameter on to, calls it
    line: int

    @property
    def text(self) -> str:
        return f"called back as {self.parameter} at {self.path}:{self.line}"


def calls_itself(function: str, record: list) -> bool:
    """The call site calls the function itself, so its arguments are the function's: not a callback
    handed to it (`utils.spawn_n(self._do_build, ...)`)."""
    callee = record[1]
    called = callee[1] if callee[0] == "n" else callee[2] if callee[0] == "a" else None
    name = function.rpartition(".")[2]
    return called == name or name == "__init__"


class Handing:
    def __init__(self, program, parameters):
        self.program = program
        self._parameters = parameters  # function -> the parameters a caller passes (no self/cls)
        self._called: dict[tuple[str, str], tuple[str, int] | None] = {}

    def handed(self, module, record: list, receiver: tuple, callee: str, bound: tuple = ()) -> list[Callback]:
        """The functions the call `record` (in `module`, run by `self` of class `receiver`, its parameters
        `bound` on the walk's path) hands to `callee` that `callee` calls: each with where."""
        if not calls_itself(callee, record):
            return []
        scope = Scope(module, record[0], *receiver, bound)
        params = self._parameters(callee)
        found = []
        for key, expr in [*enumerate(record[5]), *record[6].items()]:
            if expr[0] == "*":
                break
            parameter = key if isinstance(key, str) else params[key] if key < len(params) else None
            if parameter is None or parameter.startswith("*") or expr[0] not in ("n", "a"):
                continue
            where = None
            for value in sorted(self.program.resolve(expr, scope)):
                if value[0] not in ("func", "meth", "part"):
                    continue
                for target, _certain, own, exact in self.program.calls.targets(value):
                    definition = self.program.defs.get(target)
                    if definition is None or definition.kind == "class" or target.endswith(".__init__"):
                        continue
                    where = where or self.called_at(callee, parameter)
                    if where is None:
                        break
                    found.append(Callback(target, (own, exact), parameter, *where))
        return found

    def only_named(self, scope: Scope, record: list, handed: str, callees: list[str], externals: list[str]) -> bool:
        """Whether the call hands the function `handed` to what only names it: a library call that does
        (`hash(callback)`), or callees of the tree that do, through any of their helpers: Queens'
        `registry.unsubscribe_by_resource(self._send_dhcp_notification, ...)` reaches neutron-lib's
        `_get_id(callback)`, which hashes it. Not called, so no step of the flow. `scope`: where the call
        is read on the walk's path (run by `self` of its class, its parameters bound)."""
        if externals and all(e in _NAMING for e in externals) and not any(calls_itself(c, record) for c in callees):
            return True
        found = False
        for callee in callees:
            definition = self.program.defs.get(callee)
            if definition is None or definition.kind == "class" or not calls_itself(callee, record):
                continue
            params = self._parameters(callee)
            for key, expr in [*enumerate(record[5]), *record[6].items()]:
                if expr[0] == "*":
                    return False
                if expr[0] not in ("n", "a") or not any(t[0] == handed for value in sorted(self.program.resolve(expr, scope))
                                                        if value[0] in ("func", "meth", "part")
                                                        for t in self.program.calls.targets(value)):
                    continue
                parameter = key if isinstance(key, str) else params[key] if key < len(params) else None
                if parameter not in params or parameter.startswith("*") or not self._names_only(callee, parameter, 0):
                    return False  # taken in `**kwargs` it may be called anywhere (Nova's attach_block_devices)
                found = True
        return found

    def _names_only(self, function: str, parameter: str, depth: int) -> bool:
        """Whether the function does nothing with its parameter but name it (`hash(callback)`), itself or
        through the functions of the tree it hands it to; calling, keeping or returning it is more, and a
        parameter it hands to nothing says nothing (it may be used in ways no call shows)."""
        definition = self.program.defs.get(function)
        if definition is None or depth > HANDED_DEPTH or parameter not in definition.params \
                or self.program.params.calls_parameter(function, parameter):
            return False
        named = False
        module = self.program.modules[definition.module]
        qual = definition.qualname
        if any(returning == qual and expr == ["n", parameter] for returning, expr, _c in module.summary["returns"]):
            return False
        for call in self.program.classes.module_calls(module):
            if not (call[0] == qual or call[0].startswith(qual + ".")):
                continue
            if call[1] == ["n", parameter]:
                return False
            keys = [k for k, a in [*enumerate(call[5]), *call[6].items()] if a == ["n", parameter]]
            if not keys:
                continue
            values = sorted(self.program.resolve(call[1], Scope(module, call[0])))
            if not values:
                return False
            named = True
            for value in values:
                if value[0] == "ext":
                    if value[1] not in _NAMING:
                        return False
                    continue
                targets = [t for t, _c, _r, _e in self.program.calls.targets(value)]
                if not targets:
                    return False
                for target in targets:
                    params = self._parameters(target)
                    for key in keys:
                        inner = key if isinstance(key, str) else params[key] if key < len(params) else None
                        if inner is None or not self._names_only(target, inner, depth + 1):
                            return False
        return named

    def called_at(self, function: str, parameter: str, depth: int = 0) -> tuple[str, int] | None:
        """Where `function` calls its `parameter`: itself, or a function it hands it on to (by position or
        keyword, or through a library that calls what it is handed: `spawn(self._go, post_method)`)."""
        key = (function, parameter)
        if key in self._called:
            return self._called[key]
        self._called[key] = None  # a cycle finds nothing
        definition = self.program.defs.get(function)
        if definition is None or depth > HANDED_DEPTH:
            return None
        module = self.program.modules[definition.module]
        found = None
        for record in sorted(self.program.calls_in(function), key=lambda r: r[2]):
            if record[1] == ["n", parameter]:
                found = (module.path, record[2])
                break
            found = self._handed_on(module, record, parameter, depth)
            if found is not None:
                break
        self._called[key] = found
        return found

    def _handed_on(self, module, record: list, parameter: str, depth: int) -> tuple[str, int] | None:
        args, kwargs = record[5], record[6]
        position = next((i for i, a in enumerate(args) if a == ["n", parameter]), None)
        keyword = next((k for k, a in kwargs.items() if a == ["n", parameter]), None)
        if position is None and keyword is None:
            return None
        targets, _externals = self.program.call_targets_as(module, record, None)
        for target, _certain, _receiver, _exact in targets:
            params = self._parameters(target)
            if keyword is not None:
                inner = keyword if keyword in params else None
            elif calls_itself(target, record):
                inner = params[position] if position < len(params) else None
            else:  # handed to a library with its arguments: `spawn(f, a, b)` calls `f(a, b)`
                name = target.rpartition(".")[2]
                at = next((i for i, a in enumerate(args) if a[0] in ("n", "a") and a[-1] == name), None)
                inner = params[position - at - 1] if at is not None and 0 <= position - at - 1 < len(params) \
                    else None
            if inner and not inner.startswith("*"):
                where = self.called_at(target, inner, depth + 1)
                if where is not None:
                    return where
        return None
