"""The concrete values of the small expressions that wire OpenStack services together: the engine's part.

`topic=CONF.compute_topic`, `binary=constants.VOLUME_BINARY`,
`SERVICE_MANAGERS.get(binary)`, `CONF.get('%s_manager' % subtopic)`: each is a literal a
few hops away, through imports, module constants, dict literals, string methods and
oslo.config option defaults. Nothing of the analysed project is ever imported or run; anything
it cannot follow is UNKNOWN.

Which statement a name means is the Program's answer, the one the call graph reads
(program.ondemand summarises the modules asked about): what an import binds, which module a
re-export or star import brings a name from, where a dotted name starts, and which class of the
MRO has a member. What that statement's expression is worth, as a concrete value with the place
its literal was written, is evaluated here in the AST.

A fact is learned once per tree: the Program keeps one `Constants` store, whose evaluator answers
every module constant and class-body value asked for, with the tree's option index; each reader's
evaluator (program.evaluate, the REST readers' subclasses) takes the store's answer when it is
the same one it would compute itself (see `ConstantEvaluator.module_attr`).
"""

from __future__ import annotations

import ast
import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stackread.program import strings
from stackread.program.facts import ModuleFacts
from stackread.program.modules import Module, ModuleIndex, class_member
from stackread.program.ondemand import program_on_demand

if TYPE_CHECKING:
    from stackread.program.resolve import Program


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value; test `is UNKNOWN`")


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class ModuleRef:
    name: str


@dataclass(frozen=True)
class ExternalRef:
    """Something outside the analysed tree (a library), by dotted name."""

    name: str


@dataclass(frozen=True, eq=False)
class DefRef:
    """A class or function defined in the tree."""

    module: Module
    qualname: str
    node: ast.AST

    @property
    def dotted(self) -> str:
        return f"{self.module.name}.{self.qualname}"

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, ast.ClassDef)


@dataclass(frozen=True)
class ConfRef:
    """oslo.config's CONF object (group None) or one of its option groups."""

    group: str | None


class _ScriptName:
    """The console script's own file name: what `sys.argv[0]` holds in a service process."""

    def __repr__(self) -> str:
        return "SCRIPT_NAME"


SCRIPT_NAME: Any = _ScriptName()
_STACK = object()  # inspect.stack(); its [-1][1] is the outermost frame's file: the script
_STACK_FRAME = object()


@dataclass(frozen=True)
class Ev:
    """An evaluated value and where its literal was written (path, line), if anywhere."""

    value: Any
    path: str | None = None
    line: int | None = None


UNKNOWN_EV = Ev(UNKNOWN)

_OSLO_CONF = frozenset({"oslo_config.cfg.CONF", "oslo.config.cfg.CONF"})
_MAX_DEPTH = 40
# Names followed through modules (re-exports, star imports) at once: a chain of generated modules
# could be thousands long, and each link is a few frames of Python's stack. Nova's longest is 3.
_MAX_CHAIN = 64


@dataclass
class Scope:
    module: Module
    local: dict[str, Ev] = field(default_factory=dict)


class OptionLookup:
    """What the evaluator needs from the oslo.config option index (frameworks.oslo_config)."""

    def lookup(self, group: str | None, name: str) -> Ev | None:  # pragma: no cover - interface
        raise NotImplementedError


# What an answer depended on besides the tree and the option index: the store's answer is a
# reader's own only when it depended on nothing that reader sees differently.
_SCRIPT = 1  # the console script's name (SCRIPT_NAME), which each entry point's reader knows as its own
_PARTIAL = 2  # something evaluated to UNKNOWN on the way: a reader with more rules may know it


class ConstantEvaluator:
    """The rules of concrete evaluation. The store's own evaluator (`store` None) memoises every
    answer for the tree; a reader's evaluator (`store` the store's evaluator for its option index)
    asks that one first and evaluates by itself only what depended on what it sees differently."""

    # A reader that evaluates more than these rules do (the REST readers' instances, calls, `self`)
    # takes only answers that met no UNKNOWN: those its own rules would have reached the same way.
    extends_rules = False

    def __init__(self, index: ModuleIndex, options: OptionLookup | None = None, script_name: str | None = None,
                 store: "ConstantEvaluator | None" = None):
        self.index = index
        self.options = options
        self.script_name = script_name
        self.store = store
        self._module_cache: dict[tuple[str, str], tuple[Ev, int]] = {}
        self._class_cache: dict[tuple, tuple[Ev | None, int]] = {}
        self._active: set[tuple[str, str]] = set()
        self._depth = 0
        self._flags = 0  # what the answer being computed depended on (_SCRIPT, _PARTIAL)

    def _takes(self, flags: int) -> bool:
        if self.extends_rules:
            return not flags
        return not (flags & _SCRIPT and self.script_name)

    # -- names -----------------------------------------------------------------------------

    def module_attr(self, module: Module, name: str) -> Ev:
        """What `name` means at module level in `module`."""
        key = (module.name, name)
        cached = self._module_cache.get(key)
        if cached is None and self.store is not None:
            cached = self.store._module_fact(module, name)
            if not self._takes(cached[1]):
                cached = None
        if cached is not None:
            self._flags |= cached[1]
            return cached[0]
        return self._module_fact(module, name)[0]

    def _module_fact(self, module: Module, name: str) -> tuple[Ev, int]:
        key = (module.name, name)
        cached = self._module_cache.get(key)
        if cached is not None:
            return cached
        if key in self._active or len(self._active) >= _MAX_CHAIN:
            self._flags |= _PARTIAL
            return UNKNOWN_EV, _PARTIAL  # a cycle of imports or assignments, or a chain too long to follow
        self._active.add(key)
        outer, self._flags = self._flags, 0
        try:
            result = self._module_attr(module, name)
        finally:
            self._active.discard(key)
        flags = self._flags | (_PARTIAL if result.value is UNKNOWN else 0)
        self._flags = outer | flags
        self._module_cache[key] = (result, flags)
        return result, flags

    def _module_attr(self, module: Module, name: str) -> Ev:
        # Which module binds the name (the module itself, a star import's source) is the Program's
        # answer, as the call graph reads it; what its statements there evaluate to is this one's.
        for home, _seen in self.engine.names.binders(self.facts(module), name):
            if isinstance(home, frozenset):
                return _terminal(home)
            source = module if home.path == module.path else self.engine.modules.parsed.get(home.name)
            found = self._own_binding(source, name) if source is module else self.module_attr(source, name)
            if found.value is not UNKNOWN:
                return found
        return UNKNOWN_EV

    def _own_binding(self, module: Module, name: str) -> Ev:
        stmts = module.bindings.get(name)
        if not stmts:
            return UNKNOWN_EV  # bound by a statement the AST bindings do not count (a loop's target)
        # The binding that wins is the last non-None one: `application = None` is a placeholder
        # that a later `application = init_application(...)` replaces at import time.
        for stmt in reversed(stmts):
            ev = self._binding_value(module, name, stmt)
            if ev.value is not None or stmt is stmts[0]:
                return ev
        return UNKNOWN_EV

    def _binding_value(self, module: Module, name: str, stmt: ast.AST) -> Ev:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return Ev(DefRef(module, stmt.name, stmt), module.path, stmt.lineno)
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            # The import records of the module's summary: the same facts the Program binds names with.
            records = self.facts(module).bindings.get("", {}).get(name, ())
            imports = [r for r in records if r[0] == "import"]
            return self.imported(imports[-1][1], imports[-1][2]) if imports else UNKNOWN_EV
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
            return self.eval(stmt.value, Scope(module))
        if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            return self.eval(stmt.value, Scope(module))
        return UNKNOWN_EV

    def imported(self, module_name: str, name: str | None) -> Ev:
        """What `import module_name` (name None) or `from module_name import name` binds."""
        if name is None:
            return Ev(self.module_ref(module_name))
        site = self.engine.names.import_site(module_name, name)
        if isinstance(site, frozenset):
            return _terminal(site)
        owner = self.index.get(site)
        return self.module_attr(owner, name) if owner is not None else UNKNOWN_EV

    def module_ref(self, name: str) -> Any:
        return ModuleRef(name) if self.index.owns(name) else ExternalRef(name)

    def resolve_dotted(self, dotted: str) -> Any:
        """A dotted name (`nova.compute.manager.ComputeManager`) to what it denotes in the tree."""
        found = self.engine.names.split_dotted(dotted)
        if isinstance(found, frozenset):
            return _terminal(found).value
        module_name, attrs = found
        value: Any = ModuleRef(module_name)
        for attr in attrs:
            value = self.attribute(value, attr).value
        return value

    # -- the Program's facts -----------------------------------------------------------------

    @property
    def engine(self) -> Program:
        return program_on_demand(self.index)

    def facts(self, module: Module) -> ModuleFacts:
        return self.engine.modules.of(module)

    def definition(self, full: str) -> DefRef | None:
        """The class or function the Program knows as `full`, with its AST (one DefRef per definition)."""
        refs = self.engine.modules.refs
        if full not in refs:
            definition = self.engine.defs.get(full)
            module = self.engine.modules.parsed.get(definition.module) if definition else None
            node = module.find_definition(definition.qualname) if module else None
            refs[full] = DefRef(module, definition.qualname, node) if node is not None else None
        return refs[full]

    def class_full(self, cls: DefRef) -> str | None:
        """The Program's name of the class, when it knows that class statement under that name (a class
        made in a function body is not one of its module's names)."""
        self.facts(cls.module)
        definition = self.engine.defs.get(cls.dotted)
        if definition is None or definition.kind != "class" or definition.line != cls.node.lineno:
            return None
        return definition.full

    # -- expressions -------------------------------------------------------------------------

    def eval(self, node: ast.AST, scope: Scope) -> Ev:
        if self._depth > _MAX_DEPTH:
            return UNKNOWN_EV
        self._depth += 1
        try:
            method = getattr(self, f"_eval_{type(node).__name__}", None)
            found = method(node, scope) if method else UNKNOWN_EV
            if found.value is UNKNOWN:
                self._flags |= _PARTIAL
            return found
        finally:
            self._depth -= 1

    def _eval_Constant(self, node: ast.Constant, scope: Scope) -> Ev:
        return Ev(node.value, scope.module.path, node.lineno)

    def _eval_Name(self, node: ast.Name, scope: Scope) -> Ev:
        if node.id in scope.local:
            return scope.local[node.id]
        if node.id in scope.module.bindings:
            return self.module_attr(scope.module, node.id)
        if node.id in ("None", "True", "False"):
            return Ev({"None": None, "True": True, "False": False}[node.id])
        return UNKNOWN_EV

    def _eval_Attribute(self, node: ast.Attribute, scope: Scope) -> Ev:
        return self.attribute(self.eval(node.value, scope).value, node.attr)

    def attribute(self, base: Any, attr: str) -> Ev:
        if isinstance(base, ModuleRef):
            module = self.index.get(base.name)
            if module is not None:
                ev = self.module_attr(module, attr)
                if ev.value is not UNKNOWN:
                    return ev
            sub = f"{base.name}.{attr}"
            if self.index.path_of(sub):
                return Ev(ModuleRef(sub))
            return UNKNOWN_EV
        if isinstance(base, ExternalRef):
            full = f"{base.name}.{attr}"
            return Ev(ConfRef(None)) if full in _OSLO_CONF else Ev(ExternalRef(full))
        if isinstance(base, ConfRef):
            return self._option(base.group, attr)
        if isinstance(base, DefRef) and base.is_class:
            member = self.class_attribute(base, attr)
            return member if member is not None else UNKNOWN_EV
        return UNKNOWN_EV

    def _option(self, group: str | None, name: str) -> Ev:
        if self.options is None:
            return UNKNOWN_EV
        if group is None:
            # CONF.<x> that is no option of [DEFAULT] can only be a group; the lookup under it decides.
            found = self.options.lookup(None, name)
            return found if found is not None else Ev(ConfRef(name))
        found = self.options.lookup(group, name)
        return found if found is not None else UNKNOWN_EV

    def class_attribute(self, cls: DefRef, attr: str) -> Ev | None:
        """A method or class-body value of `cls`, looked up through its MRO: which class has it is the
        Program's answer (program.classes), what that class's statement evaluates to is this one's."""
        store = self.store or self
        fact = store._class_fact(cls, attr)
        if store is self or self._takes(fact[1]):
            self._flags |= fact[1]
            return fact[0]
        # A reader's own answer is not kept: the REST readers' rules run the tree's functions, and
        # each run tells the reader what it made.
        return self._class_attribute(cls, attr)

    def _class_fact(self, cls: DefRef, attr: str) -> tuple[Ev | None, int]:
        key = (cls.module.path, cls.qualname, cls.node.lineno, attr)
        cached = self._class_cache.get(key)
        if cached is None:
            outer, self._flags = self._flags, 0
            found = self._class_attribute(cls, attr)
            cached = self._class_cache[key] = (found, self._flags)
            self._flags |= outer
        return cached

    def _class_attribute(self, cls: DefRef, attr: str) -> Ev | None:
        full = self.class_full(cls)
        owner = cls if full is None else self.definition(self.engine.classes.find_member(full, attr)[0])
        member = class_member(owner.node, attr) if owner is not None else None
        if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return Ev(DefRef(owner.module, f"{owner.qualname}.{attr}", member), owner.module.path, member.lineno)
        if isinstance(member, (ast.Assign, ast.AnnAssign)) and member.value is not None:
            return self.eval(member.value, Scope(owner.module))
        if full is None and member is None:  # a class the Program does not name: its bases', in order
            return next((found for base in self.bases(cls) if (found := self.class_attribute(base, attr))), None)
        return None

    def bases(self, cls: DefRef) -> list[DefRef]:
        full = self.class_full(cls)
        if full is None:  # made in a function body: its bases are read where the class statement is
            values = [self.eval(base, Scope(cls.module)).value for base in cls.node.bases]
            return [v for v in values if isinstance(v, DefRef) and v.is_class and v.node is not cls.node]
        return [ref for base in self.engine.classes.bases(full) if (ref := self.definition(base)) is not None]

    def _eval_Subscript(self, node: ast.Subscript, scope: Scope) -> Ev:
        base = self.eval(node.value, scope)
        key = self.eval(node.slice, scope).value
        value = base.value
        if value is _STACK and key == -1:
            return Ev(_STACK_FRAME)
        if value is _STACK_FRAME and key == 1:
            return Ev(SCRIPT_NAME)
        if isinstance(value, ExternalRef) and value.name == "sys.argv" and key == 0:
            return Ev(SCRIPT_NAME)
        if isinstance(value, (str, list, tuple, dict)) and key is not UNKNOWN:
            try:
                return Ev(value[key], base.path, base.line)
            except (KeyError, IndexError, TypeError):
                return UNKNOWN_EV
        return UNKNOWN_EV

    def _eval_Dict(self, node: ast.Dict, scope: Scope) -> Ev:
        result = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                return UNKNOWN_EV
            key = self.eval(k, scope).value
            if key is UNKNOWN or not isinstance(key, (str, int, float, bool, tuple)):
                return UNKNOWN_EV
            result[key] = self.eval(v, scope).value
        return Ev(result, scope.module.path, node.lineno)

    def _eval_List(self, node: ast.List, scope: Scope) -> Ev:
        return Ev([self.eval(e, scope).value for e in node.elts], scope.module.path, node.lineno)

    def _eval_Tuple(self, node: ast.Tuple, scope: Scope) -> Ev:
        return Ev(tuple(self.eval(e, scope).value for e in node.elts), scope.module.path, node.lineno)

    def _eval_JoinedStr(self, node: ast.JoinedStr, scope: Scope) -> Ev:
        parts = []
        for value in node.values:
            inner = self.eval(value.value if isinstance(value, ast.FormattedValue) else value, scope).value
            inner = self.script_text(inner)
            if not isinstance(inner, (str, int, float)):
                return UNKNOWN_EV
            parts.append(str(inner))
        return Ev("".join(parts), scope.module.path, node.lineno)

    def _eval_BinOp(self, node: ast.BinOp, scope: Scope) -> Ev:
        left = self.eval(node.left, scope)
        lv = self.script_text(left.value)
        rv = self.script_text(self.eval(node.right, scope).value)
        if lv is UNKNOWN or rv is UNKNOWN:
            return UNKNOWN_EV
        if isinstance(node.op, ast.Mod) and isinstance(lv, str):
            if any(a is UNKNOWN for a in (rv if isinstance(rv, tuple) else (rv,))):
                return UNKNOWN_EV
            made = strings.formatted(lv, rv)
            return UNKNOWN_EV if made is strings.NOTHING else Ev(made, left.path, left.line)
        if isinstance(node.op, ast.Add) and type(lv) is type(rv) and isinstance(lv, (str, list, tuple)):
            return Ev(lv + rv, left.path, left.line)
        return UNKNOWN_EV

    def _eval_BoolOp(self, node: ast.BoolOp, scope: Scope) -> Ev:
        # `x or default`: the first operand that decides, as Python would pick it.
        for operand in node.values:
            ev = self.eval(operand, scope)
            if ev.value is UNKNOWN:
                return UNKNOWN_EV
            if isinstance(node.op, ast.Or) == bool(ev.value):
                return ev
        return ev

    def _eval_Call(self, node: ast.Call, scope: Scope) -> Ev:
        func = node.func
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return UNKNOWN_EV
        if isinstance(func, ast.Name) and func.id == "getattr" and len(node.args) >= 2:
            name = self.eval(node.args[1], scope).value
            if isinstance(name, str):
                return self.attribute(self.eval(node.args[0], scope).value, name)
            return UNKNOWN_EV
        args = [self.script_text(self.eval(a, scope).value) for a in node.args]
        kwargs = {k.arg: self.script_text(self.eval(k.value, scope).value) for k in node.keywords}
        if isinstance(func, ast.Attribute):
            receiver = self.eval(func.value, scope)
            if isinstance(receiver.value, ExternalRef):
                return self._call_external(f"{receiver.value.name}.{func.attr}", args)
            return self._call_method(receiver, func.attr, args, kwargs)
        callee = self.eval(func, scope).value
        if isinstance(callee, ExternalRef):
            return self._call_external(callee.name, args)
        return UNKNOWN_EV

    @staticmethod
    def _call_external(name: str, args: list[Any]) -> Ev:
        # The few library calls whose result is known without running anything.
        if name == "inspect.stack" and not args:
            return Ev(_STACK)
        if name == "os.path.basename" and len(args) == 1:
            if args[0] is SCRIPT_NAME:
                return Ev(SCRIPT_NAME)
            if isinstance(args[0], str):
                return Ev(posixpath.basename(args[0]))
        return UNKNOWN_EV

    def _call_method(self, receiver: Ev, method: str, args: list[Any], kwargs: dict[str, Any]) -> Ev:
        value = self.script_text(receiver.value)
        if any(a is UNKNOWN for a in [*args, *kwargs.values()]):
            return UNKNOWN_EV
        if isinstance(value, ConfRef) and method == "get" and args and isinstance(args[0], str):
            found = self._option(value.group, args[0])
            if found.value is UNKNOWN and len(args) > 1:
                return Ev(args[1])
            return found
        if isinstance(value, dict) and method == "get" and args and not kwargs:
            try:
                return Ev(value.get(args[0], args[1] if len(args) > 1 else None), receiver.path, receiver.line)
            except TypeError:  # an unhashable key
                return UNKNOWN_EV
        made = strings.method(value, method, args, kwargs)
        return UNKNOWN_EV if made is strings.NOTHING else Ev(made, receiver.path, receiver.line)

    def script_text(self, value: Any) -> Any:
        """SCRIPT_NAME as the console script's name when known, so string methods apply to it."""
        if value is SCRIPT_NAME:
            self._flags |= _SCRIPT
            return self.script_name or value
        return value


def _terminal(values: frozenset) -> Ev:
    """The Program's value of a name no statement of the tree binds: a module of it, or a library's name."""
    for value in values:
        if value[0] == "mod":
            return Ev(ModuleRef(value[1]))
        if value[0] == "ext":
            return Ev(ExternalRef(value[1]))
    return UNKNOWN_EV  # nothing, or a module of the tree that does not parse



class Constants:
    """The tree's concrete values, learned once: one store per Program on demand (program.ondemand),
    a memoising evaluator per option index. Readers with the project's option index (entry points,
    services) share one; those without (the REST readers, and the option index's own reading of the
    literals of defaults) share the other: an option lookup inside a default would ask for itself."""

    def __init__(self, index: ModuleIndex):
        self.index = index
        self._stores: dict[int, ConstantEvaluator] = {}

    def evaluator(self, options: OptionLookup | None) -> ConstantEvaluator:
        store = self._stores.get(id(options))
        if store is None or store.options is not options:
            store = self._stores[id(options)] = ConstantEvaluator(self.index, options)
        return store
