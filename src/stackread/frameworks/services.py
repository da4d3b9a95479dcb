"""What process a console script starts: an RPC service (binary, manager, topic) or a WSGI API server.

OpenStack mains build their RPC server through a factory that takes `binary`, `topic` and
`manager`, and fills in what the caller left out with defaulting code:

    nova:   service.Service.create(binary='nova-compute', topic=CONF.compute_topic)
            -> `if not manager: manager = SERVICE_MANAGERS.get(binary)`
    cinder: service.Service.create(binary=constants.VOLUME_BINARY, ...)   (in a helper of main)
            -> `topic = binary`; `manager = CONF.get('%s_manager' % subtopic)`

Rather than knowing any project, this module finds the call from `main` (following the
project's own functions a few calls deep) to a project callable whose parameters name a
topic, binary or manager, binds the call's arguments, and runs the callee's top-level
defaulting statements (`if not x: x = ...`) through the static evaluator.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from typing import Any

from stackread.program.evaluate import UNKNOWN, DefRef, Ev, Evaluator, LazyLocals, ModuleRef, Scope

_APP_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
SERVICE_PARAMS = frozenset({"binary", "topic", "manager", "manager_module"})
_MAX_CALL_DEPTH = 3
_MAX_FUNCTIONS = 40


@dataclass(frozen=True)
class ServiceInfo:
    binary: str | None
    topic: str | None
    manager: str | None  # dotted class name
    manager_path: str | None
    manager_line: int | None
    extra_topics: tuple[str, ...]  # further topics the same endpoints listen on (nova's compute-alt)
    created_path: str  # the call that builds the service
    created_line: int
    topic_path: str | None  # where the topic's literal is written (a constant, an option default)
    topic_line: int | None
    # Every endpoint class the server dispatches to, in order (the manager first), where the RPC
    # server was read from its `get_rpc_server` call (frameworks.rpc_servers); () otherwise.
    endpoints: tuple[str, ...] = ()
    # How many classes the script's `main` names (frameworks.rpc_processes): where two scripts serve
    # the same endpoints, the one that runs least besides is the service as deployed (ironic-conductor,
    # not the all-in-one `ironic` that also runs the API and the console proxy).
    classes_named: int = 0
    # How many service objects it starts (classes with oslo.service's `start` or cotyledon's `run`
    # that its main makes): trove-taskmanager starts its RpcService; trove-fake-mode that and the
    # API's WSGI Service, `ironic` the console proxy besides the conductor. Compared before the above.
    services_started: int = 0


@dataclass(frozen=True)
class ApiInfo:
    apps: tuple[str, ...]  # WSGI applications served, where they are named in code
    created_path: str
    created_line: int


@dataclass(frozen=True)
class ProcessRole:
    service: ServiceInfo | None = None
    api: ApiInfo | None = None


@dataclass(frozen=True)
class _Each:
    """A loop variable: each of these values in turn (`for api in CONF.enabled_apis`)."""

    values: tuple


def describe_process(evaluator: Evaluator, main: DefRef) -> ProcessRole:
    """Follow `main` to the service or WSGI server it builds."""
    queue: list[tuple[DefRef, int]] = [(main, 0)]
    seen = {id(main.node)}
    api: ApiInfo | None = None
    handing: ServiceInfo | None = None  # a main's `manager=` default, handed on to the factory deeper
    while queue and len(seen) <= _MAX_FUNCTIONS:
        func, depth = queue.pop(0)
        bindings = _binding_statements(func.node)
        for call in _calls_in(func.node):
            scope = Scope(func.module, _locals_before(evaluator, func, bindings, call.lineno))
            callee = _callee(evaluator, call.func, scope)
            if not isinstance(callee, DefRef):
                continue
            target, cls, skip_first = _callable(evaluator, callee)
            if target is None:
                if cls is not None and api is None and _names_wsgi(cls):
                    api = _api_info(evaluator, call, scope, func)
                continue
            params = _params(target.node, skip_first)
            if SERVICE_PARAMS.intersection(params):
                info = _service_info(evaluator, call, scope, func, target, cls, params)
                if info is not None and cls is None and not {"binary", "topic"} & set(params) \
                        and handing is None and id(target.node) not in seen:
                    # neutron's `l3_agent.main(manager='...L3NATAgentWithStateReport')`: a main that
                    # takes its manager and calls `Service.create(binary=..., topic=..., manager=manager)`
                    handing = info
                    seen.add(id(target.node))
                    queue.append((target, depth + 1))
                    continue
                if info is not None:
                    return ProcessRole(service=_handed(info, handing))
            if api is None and _names_wsgi(cls or callee):
                api = _api_info(evaluator, call, scope, func)
            elif depth < _MAX_CALL_DEPTH and id(target.node) not in seen and cls is None:
                seen.add(id(target.node))
                queue.append((target, depth + 1))
    if handing is not None:
        return ProcessRole(service=handing)
    return ProcessRole(api=api)


def _handed(info: ServiceInfo, handing: ServiceInfo | None) -> ServiceInfo:
    """The factory's reading, with the manager its caller's default names when it has none itself."""
    if handing is None or info.manager is not None:
        return info
    return replace(info, manager=handing.manager, manager_path=handing.manager_path, manager_line=handing.manager_line)


def _callee(evaluator: Evaluator, func: ast.AST, scope: Scope) -> Any:
    """What a call's function denotes, when it can be the project's own code.

    `CONF.log_opt_values(...)` or `LOG.info(...)` cannot be: their receivers are not modules or
    classes of the tree, and evaluating the attribute would look up an option of that name.
    """
    if isinstance(func, ast.Attribute):
        base = evaluator.eval(func.value, scope).value
        if not isinstance(base, (ModuleRef, DefRef)):
            return None
        return evaluator.attribute(base, func.attr).value
    return evaluator.eval(func, scope).value


def _calls_in(node: ast.AST) -> list[ast.Call]:
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
    return sorted(calls, key=lambda c: (c.lineno, c.col_offset))


def _callable(evaluator: Evaluator, ref: DefRef) -> tuple[DefRef | None, DefRef | None, bool]:
    """(function that runs, class being constructed or owning it, whether its first param is implicit)."""
    if ref.is_class:
        init = evaluator.class_attribute(ref, "__init__")
        if init is not None and isinstance(init.value, DefRef):
            return init.value, ref, True
        return None, ref, True
    node = ref.node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None, None, False
    decorators = {d.id if isinstance(d, ast.Name) else getattr(d, "attr", "") for d in node.decorator_list}
    is_method = "." in ref.qualname
    owner = None
    if is_method:
        owner_node = ref.module.find_definition(ref.qualname.rsplit(".", 1)[0])
        if isinstance(owner_node, ast.ClassDef):
            owner = DefRef(ref.module, ref.qualname.rsplit(".", 1)[0], owner_node)
    return ref, owner if "classmethod" in decorators else None, is_method and "classmethod" in decorators


def _params(node: ast.AST, skip_first: bool) -> list[str]:
    args = node.args
    names = [a.arg for a in args.posonlyargs + args.args]
    names = names[1:] if skip_first and names else names
    return names + [a.arg for a in args.kwonlyargs]


def _names_wsgi(ref: DefRef) -> bool:
    return "wsgi" in ref.qualname.lower()


def _service_info(evaluator: Evaluator, call: ast.Call, scope: Scope, caller: DefRef,
                  target: DefRef, cls: DefRef | None, params: list[str]) -> ServiceInfo | None:
    env = _bind(evaluator, call, scope, target, params)
    _run_defaults(evaluator, target, env)
    binary = _text(evaluator, env.get("binary"))
    topic_ev = env.get("topic", Ev(UNKNOWN))
    topic = _text(evaluator, topic_ev)
    manager_value = env.get("manager", Ev(UNKNOWN)).value
    module_value = env.get("manager_module", Ev(UNKNOWN)).value
    class_value = env.get("manager_class", env.get("manager", Ev(UNKNOWN))).value
    if isinstance(module_value, str) and isinstance(class_value, str):
        manager_value = f"{module_value}.{class_value}"  # (module, class) given apart, as ironic does
    if "manager" not in params and "manager_module" not in params and cls is not None:
        manager_value = cls  # the service object is its own endpoint (heat's EngineService)
    manager, manager_path, manager_line = _manager(evaluator, manager_value)
    if binary is None and topic is None and manager is None:
        return None
    extra = tuple(t for name in sorted(env)
                  if name.startswith("topic") and name != "topic" and (t := _text(evaluator, env[name])))
    if binary is None and "binary" not in params:
        binary = evaluator.script_name
    return ServiceInfo(binary, topic, manager, manager_path, manager_line, extra,
                       caller.module.path, call.lineno, topic_ev.path if topic else None,
                       topic_ev.line if topic else None)


def _bind(evaluator: Evaluator, call: ast.Call, scope: Scope, target: DefRef, params: list[str]) -> LazyLocals:
    """Parameter -> argument value; parameters not passed take their declared default."""
    env = LazyLocals(evaluator, target.module)
    for name, arg in zip(params, call.args):
        if isinstance(arg, ast.Starred):
            break
        env[name] = evaluator.eval(arg, scope)
    for kw in call.keywords:
        if kw.arg is not None:
            env[kw.arg] = evaluator.eval(kw.value, scope)
    args = target.node.args
    positional = args.posonlyargs + args.args
    defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]], args.defaults))
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    for name in params:
        if name not in env:
            node = defaults.get(name)
            if node is not None:
                env.assign(name, node)
            else:
                env[name] = Ev(UNKNOWN)
    return env


def _run_defaults(evaluator: Evaluator, target: DefRef, env: LazyLocals) -> None:
    """Execute the callee's top-level `x = ...` and `if not x: x = ...` statements on known values."""
    for stmt in target.node.body:
        _run(evaluator, target, stmt, env)


def _run(evaluator: Evaluator, target: DefRef, stmt: ast.stmt, env: LazyLocals) -> None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        env.assign(stmt.targets[0].id, stmt.value)
    # An elif ladder is followed in this loop, not one call deeper per branch.
    while isinstance(stmt, ast.If):
        decided = _truth(evaluator, stmt.test, Scope(target.module, env))
        if decided is None:
            return
        branch = stmt.body if decided else stmt.orelse
        if len(branch) == 1 and isinstance(branch[0], ast.If):
            stmt = branch[0]
            continue
        for inner in branch:
            _run(evaluator, target, inner, env)
        return


def _truth(evaluator: Evaluator, test: ast.AST, scope: Scope) -> bool | None:
    """The value of a condition when the names in it are known; None when it cannot be told."""
    negations = 0  # `not not ... x` counted, not recursed into
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        negations += 1
        test = test.operand
    if negations:
        inner = _truth(evaluator, test, scope)
        return None if inner is None else inner != (negations % 2 == 1)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.comparators[0], ast.Constant) \
            and test.comparators[0].value is None and isinstance(test.ops[0], (ast.Is, ast.IsNot)):
        value = evaluator.eval(test.left, scope).value
        if value is UNKNOWN:
            return None
        return (value is None) == isinstance(test.ops[0], ast.Is)
    value = evaluator.eval(test, scope).value
    if value is UNKNOWN or isinstance(value, _Each):
        return None
    return bool(value)


def _text(evaluator: Evaluator, ev: Ev | None) -> str | None:
    if ev is None:
        return None
    value = evaluator.script_text(ev.value)
    return value if isinstance(value, str) else None


def _manager(evaluator: Evaluator, value: Any) -> tuple[str | None, str | None, int | None]:
    if isinstance(value, str):
        module, _, name = value.rpartition(".")
        line = evaluator.index.toplevel_line(module, name) if module else None
        if line is not None:
            return value, evaluator.index.path_of(module), line
        resolved = evaluator.resolve_dotted(value)
        if isinstance(resolved, DefRef):
            return value, resolved.module.path, resolved.node.lineno
        return value, None, None
    if isinstance(value, DefRef):
        return value.dotted, value.module.path, value.node.lineno
    return None, None, None


def _api_info(evaluator: Evaluator, call: ast.Call, scope: Scope, caller: DefRef) -> ApiInfo:
    """The WSGI server's application names: its first argument (each value, in a loop over them)."""
    apps: list[str] = []
    if call.args:
        value = evaluator.eval(call.args[0], scope).value
        values = value.values if isinstance(value, _Each) else (value,)
        apps = [v for v in values if isinstance(v, str) and _APP_NAME.match(v)]
    return ApiInfo(tuple(apps), caller.module.path, call.lineno)


def _binding_statements(func: ast.AST) -> list[ast.Assign | ast.For]:
    """Simple `name = ...` assignments and `for name in ...` loops of a function, in source order."""
    found = [n for n in ast.walk(func) if (
        isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)
    ) or (isinstance(n, ast.For) and isinstance(n.target, ast.Name))]
    return sorted(found, key=lambda n: n.lineno)


def _locals_before(evaluator: Evaluator, func: DefRef, bindings: list[ast.AST], line: int) -> LazyLocals:
    """Local names as last assigned before `line` in straight-line reading of the function."""
    nodes: dict[str, ast.AST] = {}
    loops: dict[str, ast.For] = {}
    for node in bindings:
        if node.lineno >= line:
            break
        if isinstance(node, ast.Assign):
            name = node.targets[0].id
            if name not in nodes or nodes[name].lineno < node.lineno:
                nodes[name] = node
                loops.pop(name, None)
        elif isinstance(node, ast.For) and isinstance(node.target, ast.Name) and _encloses(node, line):
            loops[node.target.id] = node
            nodes.pop(node.target.id, None)
    env = LazyLocals(evaluator, func.module)
    for name, node in sorted(nodes.items(), key=lambda item: item[1].lineno):
        env.assign(name, node.value)
    for name, loop in loops.items():
        iterable = evaluator.eval(loop.iter, Scope(func.module, env.snapshot())).value
        env[name] = Ev(_Each(tuple(iterable))) if isinstance(iterable, (list, tuple)) else Ev(UNKNOWN)
    return env


def _encloses(node: ast.AST, line: int) -> bool:
    return node.lineno <= line <= (node.end_lineno or node.lineno)

