"""What a call site runs: the definitions its callee can be, with a method dispatched to every
override in subclasses of the receiver's class (unless the instance was made right there),
a class to its `__init__`, an instance to its `__call__`, a decorated function to its decorator's
wrapper (in the call graph); and the functions handed to it as arguments (callbacks, spawn helpers,
taskflow tasks), which count as called when handed to a library.

Each target comes with the class its `self` is an instance of when that is not its own class,
so that a walk down the calls (`trace`) resolves `self.x` in an inherited method on the right class.
"""

from __future__ import annotations

from typing import Callable

from stackread.program.classes import Classes
from stackread.program.decorators import Decorators
from stackread.program.params import Parameters, parameter_of
from stackread.program.stars import StarParameters
from stackread.program.depth import Guard
from stackread.program.facts import Definition, ModuleFacts, Scope, Value
from stackread.program.values import Values

Target = tuple[str, bool, str | None, bool]  # (definition, certain, class of its `self`, exactly that class)
# Library calls that keep or describe a function handed to them rather than call it: a partial is called
# where it is called, `functools.wraps(func)` copies names.
_LOGGING = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical"})  # LOG.warning('%s', f)
# A builtin container's methods that store what they are handed (containers are followed, program.containers).
_STORING = frozenset({"append", "extend", "insert", "add", "setdefault", "update", "appendleft"})
_BUILDING = frozenset({"import_object", "import_object_ns"})  # library importers that instantiate what they import
_CONTAINERS = frozenset({"builtins.list()", "builtins.dict()", "builtins.set()", "builtins.tuple()"})
_KEEPING = frozenset({"functools.partial", "functools.wraps", "functools.update_wrapper", "builtins.isinstance",
                      "builtins.staticmethod", "builtins.classmethod", "builtins.property",
                      "builtins.callable", "builtins.getattr", "builtins.hasattr", "builtins.setattr", "builtins.id",
                      "builtins.repr", "builtins.str", "builtins.print"})


class Calls:
    def __init__(self, modules: dict[str, ModuleFacts], defs: dict[str, Definition], guard: Guard,
                 values: Values, classes: Classes, params: Parameters, dispatch_excludes: Callable[[str], bool],
                 stars: StarParameters):
        self.decorators = Decorators(modules, defs, guard, values)
        self.params = params
        self.stars = stars
        self.modules = modules
        self.defs = defs
        self.guard = guard
        self.values = values
        self.classes = classes
        self.dispatch_excludes = dispatch_excludes  # e.g. test classes: never an implementation
        self._calls_by_scope: dict[str, dict[str, list[list]]] = {}
        # Whether a declaration (`raise NotImplementedError`) is a target beside its overrides: for a flow
        # it is the driver interface the walk stops at; the call graph (which runs code) leaves it out.
        self.declarations = True

    def dispatch(self, method_full: str, receiver: str) -> list[str]:
        """The method and every override of it in subclasses of the receiver's class: what the name finds
        through each subclass's MRO (`class Child(Mixin, Base)` runs Mixin's for Base's). A method that
        only declares itself (`raise NotImplementedError`) is left out when something overrides it,
        unless `declarations` are kept."""
        name = method_full.rpartition(".")[2]
        targets = [method_full]
        find_member = self.classes.find_member
        for sub in self.classes.all_subclasses(receiver):
            if self.dispatch_excludes(sub):
                continue
            override = self.classes.own_member(sub, name)
            if override is None and len(self.classes.bases(sub)) > 1:
                override = find_member(sub, name)[1]  # a base before the receiver's in the MRO may have it
            if override is not None and override.full not in targets and override.kind != "class":
                targets.append(override.full)
        if not self.declarations and len(targets) > 1 and self.defs.get(method_full) is not None \
                and self.defs[method_full].abstract:
            targets.remove(method_full)
        return targets

    def call_targets(self, module: ModuleFacts, record: list) -> tuple[list[tuple[str, bool]], list[str]]:
        """What one call site may run: (definition, certain) pairs, and the library names it calls.

        Functions handed to a library (spawn helpers, `Thread(target=f)`, functools.partial) or to a
        callee that cannot be resolved count as called here; handed to a function of the tree, they are
        called where that function calls its parameter (program.params), not here.
        """
        targets, externals = self.call_targets_as(module, record, None, handed=False)
        caller = f"{module.name}.{record[0]}" if record[0] else module.name
        if any(e.rpartition(".")[2] in _BUILDING for e in externals):
            targets += self._built(module, record)
        return [(target, certain) for target, certain, _self, _exact in self._decorated(targets, caller)], externals

    def _built(self, module: ModuleFacts, record: list) -> list[Target]:
        """`importutils.import_object('virt.libvirt.LibvirtDriver')` makes an instance: its constructor runs
        there (in the call graph; a flow walks the calls as written)."""
        made = self.values.resolve(["c", record[1], record[5], record[6]], Scope(module, record[0]))
        return [t for value in sorted(made) if value[0] == "inst" and len(value) > 2
                for t in self._constructor(value[1])]

    def _decorated(self, targets: list[Target], caller: str) -> list[Target]:
        """Each target as its decorators make it: `@deco def f` called runs `deco`'s wrapper (program.decorators),
        except from inside its own decorators, where the wrapped function itself is called."""
        found: list[Target] = []
        for target in targets:
            applied = self.decorators.applied(("func", target[0]))
            if ("func", target[0]) in applied or self.decorators.wraps(caller, target[0]) \
                    or self._shared_decorator(target[0]):
                found.append(target)
                continue
            for value in sorted(applied):
                found += [(t, target[1] and certain, r, exact) for t, certain, r, exact in self._targets(value)]
        return found

    def call_targets_as(self, module: ModuleFacts, record: list, self_class: str | None, self_exact: bool = False,
                        handed: bool = True, args: tuple = ()) -> tuple[list[Target], list[str]]:
        """`call_targets` for a method run on an instance of `self_class` (None: of its own class),
        exactly that class when `self_exact`. Each target comes with the class its own `self` is then
        an instance of (None: its own) and whether exactly.

        `TaskBase.execute` run by a LiveMigrationTask calls `self._execute()`: the live-migration
        task's, not every task's; `API.attach_volume` run by an `API()` calls `API._attach_volume`,
        not the cells subclass's override.

        With `handed` (the walk of `trace`, which reads callbacks handed to a driver as its error path),
        functions handed to the call are among its targets even when the callee is of the tree."""
        scope = Scope(module, record[0], self_class, self_exact, args)
        callee, args, kwargs = record[1], record[5], record[6]
        targets: list[Target] = []
        externals: list[str] = []
        guard = self.guard
        site, guard.site = guard.site, (module.path, record[2])  # where a chain cut short is reported
        resolve = self.values.resolve
        callees = sorted(resolve(callee, scope))
        if not handed and callee[0] == "n" and self._through_shared(scope, callee[1]):
            callees = []  # a shared helper's parameter: each caller that hands a function calls it
        for value in callees:
            if value[0] == "ext":
                externals.append(value[1])
            else:
                targets += self._targets(value)
        targets = self._accepting(targets, kwargs)
        keep_all = handed or not targets and not (externals and all(_keeps(e) for e in externals))
        for key, arg in list(enumerate(args)) + list(kwargs.items()):
            if arg[0] in ("n", "a") or arg[0] == "c" and not handed and arg[1][-1] == "partial":
                # `spawn(functools.partial(f, x))` calls f too. A partial handed on is followed in
                # the call graph only: `trace` already reads its function where the partial is made.
                if not handed and arg[0] == "n" and self._through_shared(scope, arg[1]):
                    continue  # a shared helper's parameter handed on: each caller that handed a function calls it
                functions = [v for v in sorted(resolve(arg, scope))
                             if v[0] in ("func", "meth") or v[0] == "part" and not handed]
                if functions and (keep_all or self._stays_with_caller(callees, key)):
                    for value in functions:
                        targets += self._targets(value)
        if callee[0] == "a" and callee[2] == "add":
            targets += self._flow_tasks(args, scope)
        guard.site = site  # no finally: nothing catches an exception from here and goes on
        return targets, externals

    def _accepting(self, targets: list[Target], kwargs: dict) -> list[Target]:
        """The targets that can take the call's keywords: `bdm.attach(..., do_driver_attach=True)` runs
        no override whose signature lacks `do_driver_attach` (Python would raise TypeError there). A
        decorated one may be a wrapper's, which takes anything; a call keeps one target at least."""
        keywords = [k for k in kwargs if k != "**"]
        if not keywords or len(targets) < 2:
            return targets
        kept = [t for t in targets if self._takes(t[0], keywords)]
        return kept or targets

    def _takes(self, function_full: str, keywords: list[str]) -> bool:
        definition = self.defs.get(function_full)
        if definition is None or definition.kind == "class" or definition.decorators:
            return True
        return any(p.startswith("**") for p in definition.params) or all(k in definition.params for k in keywords)

    def _shared_decorator(self, function_full: str) -> bool:
        """A decorator applied to more than a few functions (`@wrap_instance_fault`): its wrapper's call of
        the wrapped function would lead from every caller to all of them, so the caller keeps the edge."""
        for owner in self.decorators.chain(function_full):
            definition = self.defs.get(owner)
            if definition is not None and definition.kind != "class":
                skip = 1 if definition.kind in ("method", "classmethod") else 0
                params = [p for p in definition.params[skip:] if not p.startswith("*")]
                if params and self.params.shared(owner, params[0]):
                    return True
        return False

    def _through_shared(self, scope: Scope, name: str) -> bool:
        owner = parameter_of(scope, name)
        return owner is not None and self.params.shared(owner, name)

    def _stays_with_caller(self, callees: list, key: int | str) -> bool:
        """Whether a function handed to a function of the tree counts as called by the caller: when the
        callee does not call that parameter itself but hands it on (to a library, an executor), or the
        parameter is a shared helper's (program.params `shared`)."""
        for value in callees:
            for called, offset in self.params.called(value):
                position, keyword = (key, None) if isinstance(key, int) else (None, key)
                param = self.params.param_at(called, offset, position, keyword)
                if param is None:
                    # Handed in `*args`/`**kwargs`: called there only if the callee calls that entry.
                    if not self.stars.calls_argument(called, offset, position, keyword):
                        return True
                elif not self.params.calls_parameter(called, param) or self.params.shared(called, param):
                    return True
        return False

    def _flow_tasks(self, args: list, scope: Scope) -> list[Target]:
        """`flow.add(VolumeCastTask(...), ...)`: a taskflow engine runs each task's `execute` (Cinder's
        and Manila's API flows); the flow is read as calling them where it is put together."""
        found = []
        for arg in args:
            if arg[0] != "c":
                continue
            for value in sorted(self.values.resolve(arg, scope)):
                if value[0] == "inst" and len(value) > 2:
                    _owner, execute = self.classes.find_member(value[1], "execute")
                    if execute is not None and execute.kind == "method":
                        found.append((execute.full, True, _receiver(execute.full, value[1]), True))
        return found

    def calls_in(self, function_full: str) -> list[list]:
        """The call records written in one function's own body (not in functions nested in it)."""
        definition = self.defs.get(function_full)
        if definition is None:
            return []
        module = self.modules[definition.module]
        by_scope = self._calls_by_scope.get(module.name)
        if by_scope is None:
            by_scope = self._calls_by_scope[module.name] = {}
            for record in module.calls():
                by_scope.setdefault(record[0], []).append(record)
        return by_scope.get(definition.qualname, [])

    def value_targets(self, value: Value) -> list[tuple[str, bool]]:
        """What calling a value runs: (definition, certain) pairs."""
        return [(target, certain) for target, certain, _r, _exact in self._targets(value)]

    def _targets(self, value: Value) -> list[Target]:
        kind = value[0]
        if kind == "func":
            definition = self.defs.get(value[1])
            if definition is not None and definition.kind == "class":
                return self._constructor(value[1])
            return [(value[1], True, None, False)]
        if kind == "meth":
            if len(value) > 3:  # on an instance made right there: no override runs
                return [(value[1], True, _receiver(value[1], value[2]), True)]
            targets = self.dispatch(value[1], value[2])
            return [(t, len(targets) == 1, _receiver(t, value[2]) if t == value[1] else None, False)
                    for t in targets]
        if kind == "cls":
            return self._constructor(value[1])
        if kind == "part":  # a partial runs its function
            return self._targets(value[1])
        if kind == "inst":
            _owner, member = self.classes.find_member(value[1], "__call__")
            if member is None:
                return []
            return [(member.full, True, _receiver(member.full, value[1]), len(value) > 2)]
        return []

    def targets(self, value: Value) -> list[Target]:
        """What calling one value runs (program.implicit asks it for dunders)."""
        return self._targets(value)

    def constructor(self, class_full: str) -> list[Target]:
        return self._constructor(class_full)

    def _constructor(self, class_full: str) -> list[Target]:
        """Making an instance runs a user `__new__` and `__init__` (inherited ones too). A class with
        neither stays the target here, for the walk of a flow to meet; the call graph leaves it out."""
        found = []
        for dunder in ("__new__", "__init__"):
            _owner, member = self.classes.find_member(class_full, dunder)
            if member is not None and member.kind != "class":
                found.append((member.full, True, _receiver(member.full, class_full), True))
        return found or [(class_full, True, None, True)]


def _keeps(external: str) -> bool:
    owner, _, method = external.rpartition(".")
    return external in _KEEPING or method in _LOGGING and "log" in external.lower() \
        or method in _STORING and owner in _CONTAINERS  # `handlers.append(f)`: called where the list's items are


def _receiver(method_full: str, receiver: str) -> str | None:
    """The receiver class when it is not the method's own (an inherited method)."""
    return None if method_full.rpartition(".")[0] == receiver else receiver
