"""What an expression can be: the engine every reader of the program asks.

An expression (as the index records it) is evaluated to the set of things it can denote:
modules, classes, instances of classes, functions, methods reached through an instance
(which dispatch to overrides in subclasses too), external names, strings. Types come from where
values are made, never from names alone: `self.compute_api = compute.API()` makes the
attribute an instance of `API` (or of whatever the factory `compute.API` returns), and
`self.compute_api.create(...)` then calls `API.create`. An expression that cannot be
evaluated gives no value, never a guess by method name.

Names are looked up by program.names, class members and instance attributes by program.classes;
this part evaluates the rest: attributes, calls and what they return, dict tables, library
importers and configuration options.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Callable, Protocol

from stackread.program import strings
from stackread.program.containers import CHAINS, Containers
from stackread.program.depth import Guard
from stackread.program.facts import EMPTY, Definition, ModuleFacts, Scope, Value, enclosing_class
from stackread.program.forwarding import forwarded
from stackread.program.libraries import instantiated, library_call, plugin

if TYPE_CHECKING:
    from stackread.program.classes import Classes
    from stackread.program.names import Names

_CONF = "oslo_config.cfg.CONF"
_CONFS = (_CONF, "oslo_config.cfg.ConfigOpts()")


class OptionLookup(Protocol):
    """The tree's oslo.config option index (frameworks.oslo_config.OptionIndex): an option's default and
    where it is declared, the same answer the readers' evaluator (program.constants) gets."""

    def lookup(self, group: str | None, name: str): ...




_DATA = frozenset({"l", "d", "iter", "enter", "ga", "fmt"})  # program.containers reads these
_CONTAINER_METHODS = frozenset({"get", "pop", "setdefault", "values", "keys", "items", "copy"})
# The str methods the value sets follow (program.strings applies them): `service_type.replace('-',
# '_')` names the attribute `getattr(conn, ...)` reads as surely as the string it is called on. Only
# those that make one string of one; a wider set (format, removeprefix) is as sound, but resolving
# more receivers first moves which cycles are met, and with them edges elsewhere (Nova 34.0.0: the
# partials of NetworkInfoAsyncWrapper lost, QuotaEngine's driver found), until the engine's answers
# no longer depend on the order it is asked in.
_STR_METHODS = frozenset({"replace", "lower", "upper", "strip", "lstrip", "rstrip"})


class Values:
    # Names and classes evaluate the expressions they bind, and values look up names and members: the
    # engine's one cycle. Program makes this part first and hands it `names` and `classes` once they exist.
    names: Names
    classes: Classes
    # The values one call site binds to a function's parameters (program.params; set by Program).
    bind: Callable[[Scope, list, str], tuple] = staticmethod(lambda scope, record, function_full: ())
    # The same whether or not parameters are followed: a call whose arguments the path knows (`cls`).
    bind_path: Callable[[Scope, list, str], tuple] = staticmethod(lambda scope, record, function_full: ())

    def __init__(self, modules: dict[str, ModuleFacts], defs: dict[str, Definition], guard: Guard,
                 options: OptionLookup | None):
        self.modules = modules
        self.defs = defs
        self.guard = guard
        self.options = options
        # (entry point group, name) -> the "module:attr" targets the project declares (frameworks.packaging);
        # set by the frameworks before anything is resolved. Nothing declared, nothing found.
        self.plugins: Callable[[str, str], tuple[str, ...]] = lambda group, name: ()
        self._resolved: dict[tuple, dict[int, frozenset]] = {}  # scope key -> id(expr) -> values
        self._local_resolved: dict[tuple, dict[int, frozenset]] = {}
        self._returns: dict[tuple, frozenset] = {}
        self.containers = Containers(self)
        self._partials: list[tuple[list, Scope]] = []  # where each partial is made (`_made`)
        self._partial_sites: dict[tuple, int] = {}
        # external dotted name -> attribute -> [(scope, expr)]: what an attribute of a library's object
        # holds because the project's code sets it where the library hands that object over (a pecan
        # hook's `state.request.rpcapi = ...` is `pecan.request.rpcapi` in the controllers). Given by
        # the frameworks (Program.set_external_attributes) before anything is resolved.
        self.external_attrs: dict[str, dict[str, list[tuple[Scope, list]]]] = {}
        # A call returns what its own arguments make, not every caller's (Program.follow_parameters_of).
        self.on_path = False

    def resolve(self, expr: list, scope: Scope) -> frozenset:
        key = id(expr)
        # Module-level and class-body bindings are asked for from everywhere; an expression in a
        # function body mostly once, so those are kept only while their module is being built.
        memos = self._resolved if scope.module.defs.get(scope.function) is None \
            or scope.module.defs[scope.function].kind == "class" else self._local_resolved
        memo = memos.get(scope.key)
        if memo is None:
            memo = memos[scope.key] = {}
        cached = memo.get(key)
        if cached is not None and cached[0] is expr:
            return cached[1]
        guard = self.guard
        if len(guard.active) + guard.chain >= guard.next_check and guard.cut_short(scope.module, scope.function):
            return EMPTY
        result = guard.memoised(memo, key, lambda: self._resolve(expr, scope))
        if memo.get(key) is result:  # stored, not a provisional answer to a cycle
            # The entry holds the expression itself: while it exists, no other object can take its id.
            memo[key] = (expr, result)
        return result

    def forget_local(self) -> None:
        """Drop what was memoised for expressions in function bodies (done with their module)."""
        self._local_resolved.clear()

    def _resolve(self, expr: list, scope: Scope) -> frozenset:
        kind = expr[0]
        if kind == "n":  # ["n", name, "p"]: a parameter read before it is bound again, what was passed on a path
            return self.names.passed(expr[1], scope) if self.on_path and len(expr) > 2 else self.names.name(expr[1], scope)
        if kind == "a":
            return frozenset(v for base in sorted(self.resolve(expr[1], scope)) for v in self.attribute(base, expr[2]))
        if kind == "i":
            base = self.resolve(expr[1], scope)
            if any(v[0] == "box" for v in base):
                return self.containers.index(base, expr[2], scope)
            return self.lookup_table(expr[1], expr[2], scope) or self.dunder_result(base, "__getitem__")
        if kind == "either":
            return frozenset(v for operand in expr[1] for v in self.resolve(operand, scope))
        if kind in _DATA:
            return self.containers.resolve(expr, scope)
        if kind == "c" and expr[1][0] == "a" and expr[1][2] == "get" and expr[2] and self.tables(expr[1][1], scope):
            return self.lookup_table(expr[1][1], expr[2][0], scope)
        if kind == "c":
            if expr[1][0] == "a" and expr[1][2] in _CONTAINER_METHODS:
                found = self.containers.method(self.resolve(expr[1][1], scope), expr[1][2], expr, scope)
                if found:
                    return found
            if expr[1][0] == "a" and expr[1][2] in _STR_METHODS:
                found = _str_method(self.resolve(expr[1][1], scope), expr[1][2], expr)
                if found:
                    return found
            return frozenset(v for func in sorted(self.resolve(expr[1], scope))
                             for v in self.call_result(func, expr, scope))
        if kind == "s":
            return frozenset({("str", expr[1])})
        if kind == "isa":  # `isinstance(x, C)`: an instance of C or of any subclass
            return frozenset(("inst", v[1]) for v in self.resolve(expr[1], scope) if v[0] == "cls")
        if kind == "k":  # by its repr: values are sorted, and None and 1 do not compare
            return frozenset({("const", repr(expr[1]))})
        if kind == "super":
            named = [v[1] for v in self.resolve(expr[1], scope) if v[0] == "cls"] if len(expr) > 1 else []
            cls = named[0] if len(named) == 1 else enclosing_class(scope)
            return frozenset({("super", cls, scope.self_class) if scope.self_class else ("super", cls)}) if cls else EMPTY
        return EMPTY

    def dunder_result(self, values: frozenset, dunder: str) -> frozenset:
        """What a user class's dunder returns for the instances among the values (`obj[k]`: __getitem__)."""
        found: set = set()
        for value in sorted(values):
            if value[0] == "inst":
                _owner, member = self.classes.find_member(value[1], dunder)
                if member is not None and member.kind == "method":
                    found |= self.returns(member.full)
        return frozenset(found)

    def tables(self, expr: list, scope: Scope, depth: int = 0) -> list[tuple[list, Scope]]:
        """The dict literals an expression may be (`CELL_TYPE_TO_CLS_NAME`), with the scope of each."""
        if depth > 6:
            return []
        kind = expr[0]
        if kind == "d":
            return [(expr, scope)]
        if kind == "n":
            found = self.names.lookup(expr[1], scope)
            records = [] if found is None or isinstance(found, frozenset) else found[1]
            return [t for r in records for t in self._record_tables(r, found[0], depth)]
        if kind == "a":
            return [t for value in sorted(self.resolve(expr[1], scope)) if value[0] == "mod"
                    for r in self.modules[value[1]].bindings.get("", {}).get(expr[2], [])
                    for t in self._record_tables(r, Scope(self.modules[value[1]], ""), depth)]
        return []

    def _record_tables(self, record: tuple, scope: Scope, depth: int) -> list[tuple[list, Scope]]:
        if record[0] == "assign":
            return self.tables(record[1], scope, depth + 1)
        if record[0] == "import" and record[2] not in (None, "*") and record[1] in self.modules:
            owner = self.modules[record[1]]
            return [t for r in owner.bindings.get("", {}).get(record[2], [])
                    for t in self._record_tables(r, Scope(owner, ""), depth + 1)]
        return []

    def lookup_table(self, table_expr: list, key_expr: list | None, scope: Scope) -> frozenset:
        """`table[key]` / `table.get(key)`: the entry for a known key, every entry's value otherwise."""
        found = self.resolve(key_expr, scope) if key_expr else frozenset()
        keys = {v[1] for v in found if v[0] == "str"}
        constants = {v[1] for v in found if v[0] == "const"}  # CELL_TYPE_TO_CLS_NAME[None]
        values: set = set()
        for table, table_scope in self.tables(table_expr, scope):
            entries = table[1]
            chosen = [v for k, v in entries if k[0] == "s" and k[1] in keys or k[0] == "k" and repr(k[1]) in constants]
            for value_expr in chosen or [v for _k, v in entries]:
                values |= self.resolve(value_expr, table_scope)
        return frozenset(values)

    def attribute(self, value: Value, name: str) -> frozenset:
        kind = value[0]
        if kind == "mod":
            return self.names.module_attr(value[1], name)
        if kind in ("ext", "cut"):
            if kind == "cut":
                return frozenset({value})
            held = self.external_attrs.get(value[1], {}).get(name)
            if held:
                return frozenset({_external(f"{value[1]}.{name}")}).union(
                    *(self.resolve(expr, scope) for scope, expr in held))
            return frozenset({_external(f"{value[1]}.{name}")})
        if kind in ("cls", "inst"):
            owner, member = self.classes.find_member(value[1], name)
            if member is not None:
                if member.kind == "class":
                    return frozenset({("cls", member.full)})
                if member.kind == "property" and kind == "inst":
                    return self.returns(member.full)
                if member.kind in ("staticmethod",) or kind == "cls" and member.kind != "classmethod":
                    return frozenset({("func", member.full)})
                return frozenset({("meth", member.full, value[1]) + value[2:]})
            if kind == "inst":
                return self.classes.instance_attr(value[1], name) or forwarded(self, value[1], name)
            if owner:
                return self.classes.class_attribute(owner, name)
            return EMPTY
        if kind == "super":
            # The next class after the method's own in the MRO of the instance's class: when that is not
            # known, of the class itself or of any subclass (a mixin's cooperative `super()`).
            instances = [value[2]] if len(value) > 2 else [value[1], *self.classes.all_subclasses(value[1])]
            found = set()
            for instance in instances:
                _owner, member = self.classes.find_member(instance, name, after=value[1])
                if member is not None and member.kind != "class":
                    found.add(("func", member.full))
            return frozenset(found)
        if kind == "plugin":  # ("plugin", manager, target, invoked): the manager's `.driver` is the plugin
            if name == "driver":
                return plugin(self, value[2], value[3])
            return frozenset({_external(f"{value[1]}.{name}")})
        if kind == "box":  # a container's methods are the builtin type's
            return frozenset({_external(f"builtins.{self.containers.boxes[value[1]].kind}().{name}")})
        return EMPTY

    def call_result(self, func: Value, call: list, scope: Scope) -> frozenset:
        kind = func[0]
        if kind == "cls":
            return self._proxied(func[1], call, scope) or frozenset({("inst", func[1], True)})
        if kind in ("func", "meth"):
            definition = self.defs.get(func[1])
            if definition is not None and definition.kind == "class":
                return frozenset({("inst", definition.full, True)})
            if self.containers.is_generator(func[1]):  # what iterating it gives: its yields
                return self.returns(func[1]) | {("gen", func[1])}
            if definition is not None and self._returns_parameter(definition):
                bind = self.bind_path if self.on_path else None  # on a path, this call's own arguments
                return self._returns_bound(definition, call, scope, bind) | self._checked(definition, call, scope)
            if kind == "meth" and len(func) > 2 and definition is not None and definition.kind == "classmethod" \
                    and self._makes_cls(definition):
                return self._returns_as(definition, func[2])  # `Sub.load(...)`: `cls` is Sub
            if self.on_path and definition is not None and definition.kind != "class":  # `Client(2)`: the v2 client
                bound = self.bind_path(scope, [scope.function, call[1], 0, 0, None, call[2], call[3]], func[1])
                if bound:
                    return self._returns_with(func[1], bound) | self._checked(definition, call, scope)
            return self.returns(func[1]) | self._checked(definition, call, scope)
        if kind == "part":
            pre_bound = self.pre_bound(func)
            if pre_bound:
                # What the function makes of the arguments pre-bound where the partial was made:
                # `functools.partial(_convert, DriverVolumeBlockDevice)()` makes that class's instances.
                return self._returns_with(func[1][1], pre_bound)
            return self.call_result(func[1], call, scope)
        if kind == "inst":  # calling an instance runs its `__call__` (`@retry(3)` applied: its wrapper)
            _owner, member = self.classes.find_member(func[1], "__call__")
            if member is not None and member.kind == "method":
                return self.call_result(("meth", member.full, func[1]) + func[2:], call, scope)
            return EMPTY
        if kind == "ext" and func[1] == "builtins.staticmethod" and call[2]:
            # `weigher = staticmethod(default_weigher)` in a class body: the function itself, unbound
            return frozenset(v for v in self.resolve(call[2][0], scope) if v[0] in ("func", "part"))
        if kind == "ext" and func[1] == "functools.partial" and call[2]:
            pre_bound = [a for a in call[2][1:]]
            if not any(a[0] == "*" for a in pre_bound):
                return frozenset(("part", v, len(pre_bound), tuple(sorted(call[3])), self._made(call, scope))
                                 for v in self.resolve(call[2][0], scope)
                                 if v[0] in ("func", "meth", "cls", "inst", "part")) or frozenset({_external(f"{func[1]}()")})
        if kind == "ext":
            # What a library call returns stays outside the tree: `LOG = logging.getLogger()`
            # makes `LOG.debug(...)` an external call rather than an unresolved one.
            if func[1].startswith("builtins.") or func[1] in CHAINS:
                made = self.containers.builtin(func[1].removeprefix("builtins."), call, scope)
                if made:
                    return made
            return library_call(self, func[1], call, scope) or frozenset({_external(f"{func[1]}()")})
        if kind == "cut":
            return frozenset({func})
        return EMPTY

    def _made(self, call: list, scope: Scope) -> int:
        """The number of the place a partial is made (the fifth element of its value), for `pre_bound`:
        its arguments are read only when a call through it needs them, as a box's elements are."""
        site = (id(call), scope.key)
        found = self._partial_sites.get(site)
        if found is None:
            found = self._partial_sites[site] = len(self._partials)
            self._partials.append((call, scope))
        return found

    def pre_bound(self, partial: Value) -> tuple:
        """The (parameter, values) pairs `functools.partial(f, a, k=b)` binds in f where it was made
        (as `Scope.args`): f's parameters wherever the partial is called."""
        if len(partial) < 5 or partial[1][0] != "func":
            return ()
        key = ("pre-bound", partial[4], partial[1][1])
        found = self._returns.get(key)
        if found is None:
            self._returns[key] = ()  # a cycle back here binds nothing
            found = self._returns[key] = self._pre_bound(partial[1][1], *self._partials[partial[4]])
        return found

    def _pre_bound(self, function_full: str, call: list, scope: Scope) -> tuple:
        definition = self.defs.get(function_full)
        if definition is None or definition.kind == "class" or "**" in call[3]:
            return ()
        record = [scope.function, call[2][0], 0, 0, None, call[2][1:], call[3]]
        named = set(definition.params[:len(call[2]) - 1]) | set(call[3])
        return tuple(sorted((param, values) for param, values in self.bind_path(scope, record, function_full)
                            if param in named and values))

    def _returns_with(self, function_full: str, args: tuple) -> frozenset:
        """What the function returns read with these parameters bound (Scope.args)."""
        return self.guard.cached(self._returns, ("returns with", function_full, args),
                                 lambda: self._returns_of(function_full, args))

    def _checked(self, definition: Definition | None, call: list, scope: Scope) -> frozenset:
        """A type-check helper returns its argument as an instance of the class it is handed:
        `utils.check_isinstance(driver, ComputeDriver)` (Ocata's load_compute_driver) is a ComputeDriver,
        and the very object checked where it is one (Masakari's TaskFlowDriver; frameworks.drivers chooses)."""
        if definition is None or len(call) < 4:
            return EMPTY
        module = self.modules[definition.module]
        bindings = module.bindings.get(definition.qualname, {})
        params = list(definition.params)
        found: set = set()
        for returning, expr, _context in module.summary["returns"]:
            if returning != definition.qualname or expr[0] != "n":
                continue
            for record in bindings.get(expr[1], []):
                checked = record[1] if record[0] == "assign" and record[1][0] == "isa" else None
                if not checked or checked[1][0] != "n" or checked[1][1] not in params:
                    continue
                arg = _argument(call, params, checked[1][1])
                classes = {v[1] for v in self.resolve(arg, scope) if v[0] == "cls"} if arg is not None else set()
                held = _argument(call, params, expr[1])
                kept = {v for v in self.resolve(held, scope) if v[0] == "inst"
                        and any(c in self.classes.mro(v[1]) for c in classes)} if held is not None else set()
                found |= kept | {("inst", c) for c in classes}
        return frozenset(found)

    def _proxied(self, cls: str, call: list, scope: Scope) -> frozenset:
        """A lazy proxy (`LazyLoader(import_class('...SchedulerQueryClient'))`: a class whose
        `__getattr__` forwards everything) stands for the class it is handed."""
        if not call[2] or self.classes.find_member(cls, "__getattr__")[1] is None:
            return EMPTY
        return instantiated(frozenset(v for v in self.resolve(call[2][0], scope) if v[0] == "cls"))

    def returns(self, function_full: str) -> frozenset:
        """What a function returns (for factories: `def API(): return ComputeCellsAPI()`)."""
        key = ("returns", function_full)
        return self.guard.cached(self._returns, key, lambda: self._returns_of(function_full))

    def _returns_of(self, function_full: str, args: tuple = ()) -> frozenset:
        """What the function's return statements (on branches taken) can be, its parameters bound to
        `args` (Scope.args) or to every caller's values. One frame, as the loop it is: the Guard counts
        frames, and a helper or a generator more here moves where deep chains are cut."""
        definition = self.defs.get(function_full)
        values: set = set()
        if definition is not None:
            module = self.modules[definition.module]
            scope = Scope(module, definition.qualname, args=args)
            for returning, expr, context in module.summary["returns"]:
                if returning == definition.qualname and self.names.taken(module, context):
                    values |= self.resolve(expr, scope)
        return frozenset(values)

    def _makes_cls(self, definition: Definition) -> bool:
        """Whether a classmethod returns an instance of its own `cls`: `return cls(...)`, or `cls`
        handed to a function (`return load_instance(cls, context, id)`)."""
        module = self.modules[definition.module]
        own = ["n", definition.params[0]] if definition.params else None
        return own is not None and any(
            returning == definition.qualname and expr[0] == "c" and (expr[1] == own or own in expr[2])
            for returning, expr, _context in module.summary["returns"])

    def _returns_as(self, definition: Definition, cls: str) -> frozenset:
        """What a classmethod returns called on a subclass (`FreshInstanceTasks.load(...)`, defined
        on FreshInstance): `cls` is that subclass, so `cls(...)` there, or handed on to a factory
        that calls it (`load_instance(cls, ...)`), makes an instance of the subclass."""
        key = ("returns as", definition.full, cls)

        def of() -> frozenset:
            module = self.modules[definition.module]
            scope = Scope(module, definition.qualname, self_class=cls)
            found: set = set()
            for returning, expr, context in module.summary["returns"]:
                if returning != definition.qualname or not self.names.taken(module, context):
                    continue
                found |= self.resolve(expr, scope)
                if expr[0] == "c":  # `return load_instance(cls, context, id)`: this call's `cls`
                    for func in sorted(self.resolve(expr[1], scope)):
                        factory = self.defs.get(func[1]) if func[0] == "func" else None
                        if factory is not None and factory.kind != "class" and self._returns_parameter(factory):
                            found |= self._returns_bound(factory, expr, scope, self.bind_path)
            return frozenset(found)
        return self.guard.cached(self._returns, key, of)

    def _returns_parameter(self, definition: Definition) -> bool:
        """Whether the function returns one of its parameters as it is (`def passthrough(func): return func`)
        or what a parameter picks by name (`return getattr(self.manager, name)`, `return TABLE[key]`)."""
        key = ("returns a parameter", definition.full)
        found = self._returns.get(key)
        if found is None:
            module = self.modules[definition.module]
            found = self._returns[key] = frozenset({True}) if any(
                returning == definition.qualname and _by_parameter(expr, definition)
                for returning, expr, _context in module.summary["returns"]) else EMPTY
        return bool(found)

    def _returns_bound(self, definition: Definition, call: list, scope: Scope, bind=None) -> frozenset:
        """What this call returns when the function hands back a parameter: what this caller passed there
        (`passthrough(create)()` calls create, not every function any caller passes)."""
        record = [scope.function, call[1], 0, 0, None, call[2], call[3]]
        module = self.modules[definition.module]
        bound = Scope(module, definition.qualname, args=(bind or self.bind)(scope, record, definition.full))
        plain = Scope(module, definition.qualname)
        values: set = set()
        for returning, expr, context in module.summary["returns"]:
            if returning == definition.qualname and self.names.taken(module, context):
                values |= self.resolve(expr, bound if _by_parameter(expr, definition) else plain)
        return frozenset(values)

    def option_value(self, value: Value) -> str | None:
        """`CONF.compute_manager` / `CONF.conductor.manager` as the option's default string."""
        # A project's own `CONF = cfg.ConfigOpts()` (Barbican) holds the same registered options.
        conf = next((c for c in _CONFS if value[0] == "ext" and value[1].startswith(c + ".")), None)
        if conf is None or self.options is None:
            return None
        parts = value[1][len(conf) + 1:].split(".")
        if len(parts) > 2:
            return None
        found = self.options.lookup(None, parts[0]) if len(parts) == 1 else self.options.lookup(parts[0], parts[1])
        return found.value if found is not None and isinstance(found.value, str) else None


def _argument(call: list, params: list[str], name: str) -> list | None:
    """The expression a call passes for the parameter `name`, by position or keyword."""
    if name not in params:
        return None
    position = params.index(name)
    return call[2][position] if position < len(call[2]) else call[3].get(name)


def _by_parameter(expr: list, definition: Definition) -> bool:
    """A parameter itself, an attribute or entry it names, or what calling a parameter handed in
    makes (`return cls(context, db_info)` in `load_instance(cls, ...)`; a method's own `cls` is
    bound, not handed in): what each call's argument picks."""
    params = definition.params
    if expr[0] == "n":
        return expr[1] in params
    if expr[0] == "c" and expr[1][0] == "n":
        bound = definition.kind in ("method", "classmethod", "property")
        return expr[1][1] in (params[1:] if bound else params)
    if expr[0] == "ga" and expr[2][0] == "c" and expr[2][1][0] == "a":  # `getattr(conn, name.replace('-', '_'))`
        return expr[2][1][1][0] == "n" and expr[2][1][1][1] in params
    return expr[0] in ("ga", "i") and expr[2][0] == "n" and expr[2][1] in params


def _str_method(values: frozenset, method: str, call: list) -> frozenset:
    """`'shared-file-system'.replace('-', '_')`: what the method makes of each string the receiver can
    be, with literal string arguments only; nothing when the receiver may be anything else, or when
    the method makes something else than a string (a value set holds strings, not lists)."""
    args = call[2]
    if call[3] or not values or any(v[0] != "str" for v in values) or any(a[0] != "s" for a in args):
        return EMPTY
    found = [strings.method(v[1], method, [a[1] for a in args]) for v in values]
    return frozenset(("str", text) for text in found) if all(isinstance(t, str) for t in found) else EMPTY


def _external(dotted: str) -> Value:
    """An external value, named at most one attribute past the first call.

    `query = query.filter(...)` repeated in a function would otherwise make ever longer names
    (`model_query().filter().filter()...`), each a distinct value.
    """
    head, call, rest = dotted.partition("()")
    if call:
        # A ConfigOpts() of the project's own is read as CONF: `CONF.group.option` keeps both names.
        kept = 2 if head == "oslo_config.cfg.ConfigOpts" and "(" not in rest else 1
        dotted = f"{head}()" if not rest.startswith(".") else f"{head}()." + ".".join(rest[1:].split(".")[:kept]).split("(")[0]
    # Interned: the same library names (LOG.debug, ...) recur in tens of thousands of calls.
    return ("ext", sys.intern(dotted))
