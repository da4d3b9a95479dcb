"""Which console script runs which RPC server (frameworks.rpc_servers): what its `main` reaches.

A script serves a server when its `main`, or a project function it calls (a few calls deep),
makes the instance that serves (the server's `made_in`), or names the serving class: constructs it
(`central.Service()`), or hands it on (`ServiceManager().add(ConsumerService)`). A class named so
runs under a launcher the tree does not show (`__init__`, `start`, `run`), so the classes those make
count too (Heat's EngineService starts its WorkerService and EngineListener in `start`).
"""

from __future__ import annotations

from stackread.program.facts import Scope, enclosing_class

_MAX_DEPTH = 7  # neutron-openvswitch-agent: main, agent main, of main, the os-ken app's start, ...
_MAX_FUNCTIONS = 200
_LAUNCHED = ("__init__", "start", "run")


def reached(program, main: str, plugins: frozenset = frozenset()) -> tuple[set[str], dict[str, int]]:
    """(functions run, classes named -> the order they were met in) from the function `main`, dotted;
    `plugins` are the classes the project declares as plugins (entry points loaded by name)."""
    functions: set[str] = set()
    classes: dict[str, int] = {}
    queue = [(main, 0)]
    while queue and len(functions) < _MAX_FUNCTIONS:
        function, depth = queue.pop(0)
        if function in functions or function not in program.defs:
            continue
        functions.add(function)
        for value in sorted(_named_in(program, function, plugins)):
            if value[0] == "cls" and value[1] not in classes and value[1] in program.defs:
                classes[value[1]] = len(classes)
                if depth < _MAX_DEPTH:
                    queue += [(m, depth + 1) for m in _launched(program, value[1])]
            elif value[0] in ("func", "meth") and depth < _MAX_DEPTH:
                queue.append((value[1], depth + 1))
    return functions, classes


def started(program, classes: dict[str, int]) -> int:
    """How many of the classes a script names are service objects a launcher runs (`start`, `run`)."""
    return sum(1 for cls in classes
               if any((member := program.find_member(cls, name)[1]) is not None and member.kind == "method"
                      for name in _LAUNCHED[1:]))


def serves(server, functions: set[str], classes: dict[str, int]) -> bool:
    if server.made_in is not None:
        return server.made_in in functions
    return server.served_as in classes


def _named_in(program, function: str, plugins: frozenset = frozenset()) -> set:
    """The values a function's calls call or are handed: classes, and functions handed on to be run
    (`boot_server(rpc.rpc_server)`); the classes of a module a library is told to load by its dotted
    name (os-ken's `run_apps(['...ovs_oskenapp'])`); and `getattr(plugin, self.start_listeners_method)()`
    on an object the tree does not type: that method of each declared plugin class."""
    definition = program.defs[function]
    module = program.modules[definition.module]
    found: set = set()
    if definition.kind == "class":
        return found
    for call in program.calls_in(function):
        scope = Scope(module, call[0])
        found |= program.resolve(call[1], scope)
        if call[1][0] == "ga" and plugins:
            found |= _plugin_members(program, call[1][2], scope, plugins)
        for arg in list(call[5]) + list(call[6].values()):
            if arg[0] in ("n", "a"):
                found |= {v for v in program.resolve(arg, scope) if v[0] in ("cls", "func")}
            for text in _texts(arg):
                found |= _module_classes(program, text)
    return found


def _texts(arg) -> list[str]:
    """The string literals an argument is or lists."""
    if arg[0] == "s":
        return [arg[1]]
    if arg[0] == "l":
        return [item[1] for item in arg[2] if item[0] == "s"]
    if arg[0] == "fmt" and arg[1] == "+" and all(part[0] == "s" for part in arg[2]):
        return ["".join(part[1] for part in arg[2])]
    return []


def _module_classes(program, text: str) -> set:
    if "." not in text or text not in program.modules:
        return set()
    module = program.modules[text]
    return {("cls", d.full) for qual, d in module.defs.items() if d.kind == "class" and "." not in qual}


def _plugin_members(program, name_expr, scope, plugins: frozenset) -> set:
    from stackread.frameworks.rpc_values import Reader

    cls = enclosing_class(scope)
    classes = [cls, *program.all_subclasses(cls)] if cls else [None]
    names = set()
    for each in classes:
        names |= Reader(program).strings(name_expr, Scope(scope.module, scope.function, self_class=each))
    found = set()
    for plugin in sorted(plugins):
        for name in sorted(names):
            _owner, member = program.find_member(plugin, name)
            if member is not None and member.kind == "method":
                found.add(("meth", member.full))
    return found


def _launched(program, cls: str) -> list[str]:
    """What a launcher runs of a service object: oslo.service's `start`, cotyledon's `run`, and the
    constructor (the tree shows neither launcher calling them)."""
    found = []
    for name in _LAUNCHED:
        _owner, member = program.find_member(cls, name)
        if member is not None and member.kind == "method":
            found.append(member.full)
    return found
