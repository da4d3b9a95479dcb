"""Conditions a flow's calls are written under, decided where the configuration can decide them.

A call's context is its if/else/loop/except chain (index/summary). A condition on an oslo.config
option (`CONF.cells.enable`, `not CONF.use_neutron`, `CONF.x == 'direct'`) is evaluated on the
option's default, or on the value `--set group.option=value` gives it; an argument-less call of a
function that returns an option (`utils.is_neutron()`) reads as that option; the literal
arguments of one call path (`live=False`) decide the conditions on parameters. What cannot be
decided is None: neither on nor off the default path.
"""

from __future__ import annotations

import ast
import functools
from typing import Any

from stackread.flows.scenario import BODY, BODY_ABSENT, SET, Assumed
from stackread.program import strings


class Conditions:
    """Conditions on oslo.config options, evaluated on their defaults: True, False, or None (cannot say)."""

    def __init__(self, options, settings: dict[str, Any], program=None, scenario=None):
        self.options = options
        self.settings = settings
        self.program = program  # to read `is_neutron()`: a function returning an option
        self.chosen_driver = lambda classes: None  # set by the walker: the driver a set of instances runs
        self.scenario = scenario  # the request's microversion, policies, state (scenario.py); None: options only
        self._memo: dict[tuple, tuple[bool | None, tuple[str, ...]]] = {}
        self._contexts: dict[str, list] = {}
        self._used: list[str] = []  # the scenario's labels read by the evaluation under way
        self._state: dict = {}  # the path's state the evaluation under way reads (its vm_state)

    def holds(self, text: str, arguments: dict[str, Any] | None = None, module=None, state=None) -> bool | None:
        """Whether the condition holds under the settings (and the literal arguments of this call path);
        calls of argument-less functions that return an option are read in the module of the condition."""
        return self.decide(text, arguments, module, state)[0]

    def decide(self, text: str, arguments: dict[str, Any] | None = None, module=None,
               state=None) -> tuple[bool | None, tuple[str, ...]]:
        """`holds`, with the labels of the scenario's assumptions that decided it."""
        node = _parsed(text)
        if node is None:
            return None, ()
        if arguments and names_in(text) & arguments.keys():
            return self._decided(node, arguments, module, state)
        key = (text, module.name if module is not None and "(" in text else None, _state_key(state, text))
        if key not in self._memo:
            self._memo[key] = self._decided(node, {}, module, state)
        return self._memo[key]

    def value(self, node: ast.AST, arguments: dict[str, Any], module=None, state=None) -> tuple[Any, tuple[str, ...]]:
        """An expression's value on this path (UNKNOWN as `_UNKNOWN`), with the assumptions it read."""
        self._used, self._state = [], state or {}
        found = self._value(node, arguments, module)
        return found, tuple(dict.fromkeys(label for label in self._used if label))

    def _decided(self, node, arguments, module, state) -> tuple[bool | None, tuple[str, ...]]:
        found, used = self.value(node, arguments, module, state)
        return (bool(found), used) if found is not _UNKNOWN else (None, ())

    def branch_taken(self, module, context_index: int) -> bool:
        """For `Program.branch_taken`: an assignment under a branch the settings rule out binds nothing.
        Options only: what the scenario decides is a branch not taken by default, still drawn (its
        calls must resolve), where an option's other value is another deployment."""
        for kind, text, _line in self.contexts(module)[context_index]:
            holds = self.holds_literally(text, {}, module) if kind in ("if", "else") else None
            if holds is not None and (kind == "if") != holds:
                return False
        return True

    def holds_literally(self, text: str, arguments: dict[str, Any], module=None) -> bool | None:
        """`holds` on the options and literal arguments alone, the scenario left out: what rules a call
        out of the flow (or a binding out of resolution) rather than off the default path."""
        scenario, self.scenario = self.scenario, None
        try:
            if not (arguments and names_in(text) & arguments.keys()):
                key = (text, module.name if module is not None and "(" in text else None, "literally")
                if key not in self._memo:
                    node = _parsed(text)
                    self._memo[key] = self._decided(node, {}, module, None) if node is not None else (None, ())
                return self._memo[key][0]
            node = _parsed(text)
            return self._decided(node, arguments, module, None)[0] if node is not None else None
        finally:
            self.scenario = scenario

    def contexts(self, module) -> list:
        if module.name not in self._contexts:
            self._contexts[module.name] = module.contexts()
        return self._contexts[module.name]

    def taken(self, module, context: list, arguments: dict[str, Any] | None = None, state=None) -> bool:
        """False when an if/else of the context goes the other way under the settings."""
        return self.taken_why(module, context, arguments, state)[0] is not False

    def held_by(self, bound: tuple, holder: str) -> tuple:
        """The objects bound on the path, with `self` an instance of `holder` (the class of a method,
        or the scope of a function, which holds none): `if self.send_instance_updates:` reads it."""
        definition = self.program.defs.get(holder) if self.program is not None and holder else None
        return (*bound, ("self", frozenset({("inst", holder)}))) if definition and definition.kind == "class" else bound

    def taken_why(self, module, context: list, arguments: dict[str, Any] | None = None,
                  state=None, bound: tuple = ()) -> tuple[bool | None, tuple[str, ...]]:
        """True, False, or None where an entry is open; with the assumptions that decided the entries;
        `bound`: the objects the path's caller passed for the function's parameters (the walker's)."""
        state = self.holding(state or {}, bound)
        used: list[str] = []
        open_ = False
        for kind, text, _line in context:
            if kind not in ("if", "else"):
                continue
            holds, labels = self.decide(text, arguments, module, state)
            used += labels
            if holds is not None and (kind == "if") != holds:
                return False, tuple(dict.fromkeys(used))
            open_ = open_ or holds is None
        return (None if open_ else True), tuple(dict.fromkeys(used))

    def _returned(self, module, func: ast.AST) -> ast.AST | None:
        """What `is_neutron()` stands for: the one expression the function returns, when it is an option."""
        chain = _attribute_chain(func)
        if self.program is None or module is None or not chain:
            return None
        from stackread.program.facts import Scope

        expr: list = ["n", chain[0]]
        for attr in chain[1:]:
            expr = ["a", expr, attr]
        values = [v for v in self.program.resolve(expr, Scope(module, "")) if v[0] == "func"]
        if len(values) != 1 or values[0][1] not in self.program.defs:
            return None
        definition = self.program.defs[values[0][1]]
        owner = self.program.modules[definition.module]
        returns = [e for scope, e, _context in owner.summary["returns"] if scope == definition.qualname]
        if len(returns) != 1:
            return None
        parts, e = [], returns[0]
        while e[0] == "a":
            parts.append(e[2])
            e = e[1]
        return _parsed(".".join([e[1], *reversed(parts)])) if e[0] == "n" and e[1] == "CONF" and parts else None

    def residue(self, text: str, arguments: dict[str, Any]) -> str:
        """The part of a condition the arguments leave open: `not live and not rebuild and flavor`
        with live=False, rebuild=False is `flavor`."""
        node = _parsed(text)
        if node is None or not isinstance(node, ast.BoolOp):
            return text
        scenario, self.scenario = self.scenario, None
        try:
            keep = [v for v in node.values if self._value(v, arguments) is _UNKNOWN]
        finally:
            self.scenario = scenario
        if len(keep) == len(node.values):
            return text
        return ast.unparse(keep[0]) if len(keep) == 1 else ast.unparse(ast.BoolOp(node.op, keep))

    def _value(self, node: ast.AST, arguments: dict[str, Any], module=None) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple, ast.Dict)) and not (node.keys if isinstance(node, ast.Dict) else node.elts):
            return {ast.List: [], ast.Tuple: (), ast.Dict: {}}[type(node)]  # `block_device_mapping or []`: falsy
        if isinstance(node, ast.Name) and node.id in arguments:
            found = arguments[node.id]
            if isinstance(found, Assumed):
                self._used.extend(found.labels)
                return found.value
            return found
        if isinstance(node, ast.Name) and self.scenario is not None:  # `if flavor:`, no literal passed
            decided = self.scenario.assumption(node.id)
            if decided is not None:
                self._used.append(decided[1])
                return decided[0]
        if isinstance(node, ast.Call) and not node.args and not node.keywords:
            returned = self._returned(module, node.func)
            if returned is not None:
                return self._value(returned, arguments)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _STR_METHODS:
            found = self._str_method(node, arguments, module)
            if found is not _UNKNOWN:
                return found
        if self.scenario is not None and isinstance(node, (ast.Subscript, ast.Call)):
            found = self._body_read(node, arguments, module)
            if found is not _UNKNOWN:
                return found
        if isinstance(node, ast.Call) and self.scenario is not None:
            decided = self.scenario.call(node, module, self._state)
            if decided is not None:
                self._used.append(decided[1])
                return decided[0]
            return _UNKNOWN
        if isinstance(node, ast.IfExp):  # `self.scheduler_rpcapi if not cgsnapshot else None`
            test = self._value(node.test, arguments, module)
            return _UNKNOWN if test is _UNKNOWN else self._value(node.body if test else node.orelse, arguments, module)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self._value(node.operand, arguments, module)
            return _UNKNOWN if inner is _UNKNOWN else not inner
        if isinstance(node, ast.BoolOp):
            values = [self._value(v, arguments, module) for v in node.values]
            decided = [v for v in values if v is not _UNKNOWN]
            if isinstance(node.op, ast.And):
                return False if any(not v for v in decided) else (_UNKNOWN if len(decided) < len(values) else True)
            return True if any(decided) else (_UNKNOWN if len(decided) < len(values) else False)
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)) \
                and isinstance(node.comparators[0], (ast.Tuple, ast.List, ast.Set)):
            # `original_task_state in (task_states.DELETING, task_states.SOFT_DELETING)`, every part known
            left = self._value(node.left, arguments, module)
            parts = [self._value(e, arguments, module) for e in node.comparators[0].elts]
            if left is _UNKNOWN or left is SET or any(p is _UNKNOWN or p is SET for p in parts):
                return _UNKNOWN
            return (left in parts) == isinstance(node.ops[0], ast.In)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = self._value(node.left, arguments, module), self._value(node.comparators[0], arguments, module)
            if left is _UNKNOWN or right is _UNKNOWN:
                return _UNKNOWN
            op = node.ops[0]
            if left is SET or right is SET:  # set, not known: only `is None` can be told
                other = right if left is SET else left
                return (isinstance(op, ast.IsNot)) if other is None and isinstance(op, (ast.Is, ast.IsNot)) else _UNKNOWN
            compare = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
                       ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b}.get(type(op))
            return compare(left, right) if compare else _UNKNOWN
        chain = _attribute_chain(node)
        if chain and chain[0] == "CONF" and len(chain) in (2, 3):
            group, name = (chain[1], chain[2]) if len(chain) == 3 else (None, chain[1])
            key = f"{group}.{name}" if group else name
            if key in self.settings:
                return self.settings[key]
            found = self.options.lookup(group, name)
            if found is not None and isinstance(found.value, (bool, int, float, str, type(None))):
                return found.value
        if chain and len(chain) == 2 and chain[0] in self._state.get("objects", {}):
            found = self._class_constant(self._state["objects"][chain[0]], chain[1])
            if found is not _UNKNOWN:
                return found
        if chain and len(chain) >= 2 and self.scenario is not None:
            decided = self.scenario.attribute(chain, self._state)
            if decided is not None:
                self._used.append(decided[1])
                return decided[0]
        return _UNKNOWN

    def holding(self, state: dict, bound: tuple) -> dict:
        """The path's state with the class of each parameter bound to one object (the chosen driver
        among a driver interface's implementations): what `if not driver.supported:` reads."""
        objects = {}
        for param, values in bound:
            classes = {v[1] for v in values if v[0] == "inst"}
            chosen = self.chosen_driver(frozenset(classes)) or (classes.pop() if len(classes) == 1 else None)
            if chosen is not None:
                objects[param] = chosen
        return {**state, "objects": objects} if objects else state

    def _class_constant(self, cls: str, name: str) -> Any:
        """`driver.supported` on the object the path holds (LVMVolumeDriver): a class attribute's literal,
        or a property returning one (`return self.SUPPORTED`), labelled with the class and the name."""
        program = self.program
        owner, member = program.find_member(cls, name) if program is not None else ("", None)
        if member is None and not owner:
            return self._bound_in_init(cls, name)
        if member is not None:
            module = program.modules[member.module]
            returns = [e for scope, e, _c in module.summary["returns"] if scope == member.qualname]
            if member.kind != "property" or len(returns) != 1 or returns[0][:2] != ["a", ["n", "self"]]:
                return _UNKNOWN
            name = returns[0][2]
            owner, member = program.find_member(cls, name)
        values = program.classes.class_attribute(owner, name) if owner and member is None else frozenset()
        found = next(iter(values)) if len(values) == 1 else None
        if found is None or found[0] not in ("const", "str"):
            return _UNKNOWN
        value = ast.literal_eval(found[1]) if found[0] == "const" else found[1]
        self._used.append(f"{cls.rpartition('.')[2]}.{name} = {value!r}")
        return value

    def _bound_in_init(self, cls: str, name: str) -> Any:
        """`self.send_instance_updates` where the class's `__init__` is the one place that binds it,
        to an option (`= CONF.filter_scheduler.track_instance_changes`): that option's value; to an
        object it makes (`self.scheduler_rpcapi = scheduler_rpcapi.SchedulerAPI()`): set."""
        assigns = []
        for owner in self.program.classes.mro(cls):
            definition = self.program.defs.get(owner)
            module = self.program.modules[definition.module] if definition is not None else None
            assigns += [(scope, expr) for scope, expr in (module.self_assigns.get(name, []) if module else ())
                        if scope == definition.qualname or scope.startswith(definition.qualname + ".")]
        if len(assigns) != 1 or not assigns[0][0].endswith(".__init__"):
            return _UNKNOWN
        node = as_ast(assigns[0][1])
        chain = _attribute_chain(node) if node is not None else None
        if chain and chain[0] == "CONF":
            return self._value(node, {})
        made = self.program.classes.instance_attr(cls, name) if assigns[0][1][0] == "c" else frozenset()
        return SET if made and all(v[0] == "inst" for v in made) else _UNKNOWN

    def _body_read(self, node: ast.AST, arguments: dict[str, Any], module) -> Any:
        """What the plain request's body gives: `body['server']` a body, `.get('key'[, default])` the
        default, labelled with the key the scenario left out. (`'key' in body` stays open: a schema may
        require the key, and only the schema says which.)"""
        if isinstance(node, ast.Subscript):
            return BODY if self._value(node.value, arguments, module) is BODY else _UNKNOWN
        if isinstance(node, ast.Call):
            func = node.func
            if not (isinstance(func, ast.Attribute) and func.attr == "get" and 1 <= len(node.args) <= 2
                    and not node.keywords and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                return _UNKNOWN
            default = node.args[1] if len(node.args) == 2 else None
            if default is not None and not isinstance(default, ast.Constant) or \
                    self._value(func.value, arguments, module) is not BODY:
                return _UNKNOWN
            self._used.append(f"{node.args[0].value!r} {BODY_ABSENT}")
            return default.value if default is not None else None
        return _UNKNOWN

    def _str_method(self, node: ast.Call, arguments: dict[str, Any], module) -> Any:
        """A string method on known strings: `event.replace('after_', '')`, `'.'.join((resource, action,
        'end'))`, `method_name.endswith('_delete_end')` with the path's literal `event` and `resource`."""
        receiver = self._value(node.func.value, arguments, module)
        if not isinstance(receiver, str) or node.keywords:
            return _UNKNOWN
        if node.func.attr == "join":
            parts = node.args[0].elts if len(node.args) == 1 and isinstance(node.args[0], (ast.Tuple, ast.List)) else None
            args = [[self._value(e, arguments, module) for e in parts]] if parts else None
        else:
            args = [self._value(a, arguments, module) for a in node.args]
        if args is None or not all(isinstance(a, str) for a in (args[0] if node.func.attr == "join" else args)):
            return _UNKNOWN
        made = strings.method(receiver, node.func.attr, args)
        return _UNKNOWN if made is strings.NOTHING else made


_UNKNOWN = object()
# String methods a condition or a local may apply to the path's literal strings.
_STR_METHODS = strings.METHODS


def _state_key(state, text: str):
    """The part of the path's state a condition can read: the vm_state, when it reads one, and the
    classes of the objects it names."""
    vm_state = state.get("vm_state") if state and "vm_state" in text else None
    objects = state.get("objects") if state else None
    named = tuple(sorted((n, c) for n, c in objects.items() if n in names_in(text))) if objects else ()
    return (vm_state, named) if named else vm_state


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> ast.AST | None:
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError:
        pass
    # Ocata's `if async:` is source text; the module was read with `async` renamed (source/parsing),
    # so the condition is read the same way, and names the binding the summary has.
    from stackread.source.parsing import rename_keyword_identifiers

    renamed = rename_keyword_identifiers(text)
    try:
        return ast.parse(renamed, mode="eval").body if renamed and renamed != text else None
    except SyntaxError:
        return None


@functools.lru_cache(maxsize=4096)
def names_in(text: str) -> frozenset[str]:
    """The plain names a condition reads (`live`, `rebuild`), not attributes of them."""
    node = _parsed(text)
    return frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name)) if node is not None else frozenset()


def as_ast(expr: list) -> ast.AST | None:
    """An expression of the summary (index/summary) as the AST it was made from, for the kinds a
    condition can decide: names, attributes, literals and calls of them."""
    node = _as_ast(expr)
    if node is not None:
        for part in ast.walk(node):  # the evaluator points its values at a line
            part.lineno, part.col_offset = 0, 0
    return node


def _as_ast(expr: list) -> ast.AST | None:
    kind = expr[0] if expr else "?"
    if kind == "n":
        return ast.Name(expr[1], ast.Load())
    if kind in ("s", "k"):
        return ast.Constant(expr[1])
    if kind == "a":
        base = _as_ast(expr[1])
        return ast.Attribute(base, expr[2], ast.Load()) if base is not None else None
    if kind == "c":
        func = _as_ast(expr[1])
        if func is None or any(a[:1] == ["*"] for a in expr[2]) or "**" in expr[3]:
            return None
        # An argument of another kind (`target={...}`) is a name no scope binds: unknown, yet the call's
        # other arguments (the policy's name) can still be read.
        args = [_as_ast(a) or ast.Name("<unknown>", ast.Load()) for a in expr[2]]
        keywords = [ast.keyword(k, _as_ast(v) or ast.Name("<unknown>", ast.Load())) for k, v in expr[3].items()]
        return ast.Call(func, args, keywords)
    return None


def _attribute_chain(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None
