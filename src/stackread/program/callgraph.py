"""The whole program's call graph: a node per module and definition, an edge per target of every
call site (per property read, per dunder run unwritten: program.implicit), the library names called listed apart.

A call site whose callee cannot be evaluated gives no edge (it is counted as unresolved), never
a guess by method name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stackread.program.facts import Definition, ModuleFacts, Scope, enclosing_class
from stackread.program.graph import CallGraph, Edge, ExternalCall, Node
from stackread.program.implicit import defined_dunders, dotted_expr, implicit_calls

if TYPE_CHECKING:
    from stackread.program.resolve import Program


@dataclass
class Stats:
    calls: int = 0
    resolved: int = 0
    external: int = 0
    unresolved: int = 0


def build_callgraph(program: Program, stats: Stats) -> CallGraph:
    """Every module's edges, counting the call sites in `stats`."""
    graph = CallGraph()
    for module in program.modules.values():
        graph.add_node(Node(module.name, "module", module.path, 1))
        for definition in module.defs.values():
            graph.add_node(Node(definition.full, _node_kind(module, definition), module.path, definition.line))
    dunders = defined_dunders(program)
    properties = frozenset(d.qualname.rpartition(".")[2] for d in program.defs.values() if d.kind == "property")
    declarations, program.calls.declarations = program.calls.declarations, False  # what runs only
    for module in sorted(program.modules.values(), key=lambda m: m.name):
        _module_edges(program, graph, module, stats, dunders, properties)
        program.values.forget_local()
    program.calls.declarations = declarations
    return graph


def _module_edges(program: Program, graph: CallGraph, module: ModuleFacts, stats: Stats,
                  dunders: frozenset[str], properties: frozenset[str]) -> None:
    seen: set[tuple] = set()

    def add(caller: str, callee: str, line: int, certain: bool) -> None:
        key = (caller, callee, line)
        # A class made without a `__new__` or `__init__` of the tree's runs none of its code: no edge.
        if key not in seen and callee in graph and (callee not in program.defs or program.defs[callee].kind != "class"):
            seen.add(key)
            graph.add_edge(Edge(caller, callee, module.path, line, certain))

    call_targets = program.calls.call_targets
    callers: dict[str, str] = {}  # one string per scope, shared by all its edges
    for record in module.calls():
        scope_name, line = record[0], record[2]
        caller = callers.get(scope_name)
        if caller is None:
            caller = callers[scope_name] = f"{module.name}.{scope_name}" if scope_name else module.name
        stats.calls += 1
        targets, externals = call_targets(module, record)
        for dotted in externals:
            graph.external.append(ExternalCall(caller, dotted, module.path, line))
            stats.external += 1
        for target, certain in targets:
            add(caller, target, line, certain)
        if externals or targets:
            stats.resolved += 1
        else:
            stats.unresolved += 1
    for scope_name, callee, line, certain in implicit_calls(program, module, dunders):
        add(f"{module.name}.{scope_name}" if scope_name else module.name, callee, line, certain)
    for definition in module.defs.values():
        # `@retry(3)` calls what `retry(3)` returns with the function, where the definition is made
        # (`@deco` itself is a call site of the summary; trace never walks these applications).
        for decorator in definition.decorators:
            if decorator[0] == "c":
                scope_name = definition.qualname.rpartition(".")[0]
                caller = f"{module.name}.{scope_name}" if scope_name else module.name
                for value in sorted(program.resolve(decorator, Scope(module, scope_name))):
                    for target, certain in program.calls.value_targets(value):
                        add(caller, target, definition.line, certain)
    objects: dict[tuple[str, str], frozenset] = {}  # (scope, "obj"): what obj is there
    loads = module.attr_loads()
    for at, load in enumerate(loads + module.attr_stores()):
        scope_name, attr, line = load[0], load[1], load[2]
        if attr not in properties:
            continue
        assigned = at >= len(loads)  # runs the setter (named as the getter): only a property that has one
        scope = Scope(module, scope_name)
        caller = f"{module.name}.{scope_name}" if scope_name else module.name
        if len(load) > 3:  # `obj.prop`, `make().prop`: a property of any class the object may be an instance of
            if isinstance(load[3], str):
                values = objects.get((scope_name, load[3]))
                if values is None:
                    values = objects[(scope_name, load[3])] = program.values.resolve(dotted_expr(load[3]), scope)
            else:
                values = program.values.resolve(load[3], scope)
            for value in sorted(values):
                if value[0] == "inst":
                    _cls, member = program.classes.find_member(value[1], attr)
                    if _runs(member, assigned):
                        add(caller, member.full, line, True)
            continue
        owner = enclosing_class(scope)
        if owner is None:
            continue
        _cls, member = program.classes.find_member(owner, attr)
        if _runs(member, assigned):
            add(caller, member.full, line, True)


def _runs(member: Definition | None, assigned: bool) -> bool:
    """Whether reading (or assigning) the member runs it: a property, with a setter when assigned."""
    if member is None or member.kind != "property":
        return False
    return not assigned or any(d[0] == "a" and d[2] == "setter" for d in member.decorators)


def _node_kind(module: ModuleFacts, definition: Definition) -> str:
    if definition.kind == "class":
        return "class"
    parent = module.defs.get(definition.qualname.rpartition(".")[0])
    return "method" if parent is not None and parent.kind == "class" else "function"
