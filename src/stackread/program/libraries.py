"""What library calls make, for the value engine (program.values): importers that build an object
from a dotted name held in a string or an option (`importutils.import_object('a.b.C')`), and
stevedore's DriverManager, which loads the plugin the project's packaging declares."""

from __future__ import annotations

import re

from stackread.program.facts import EMPTY, Scope, Value

# Library calls that build an object from a dotted name held in a string (or a config option).
_IMPORTERS = {"import_object": 0, "import_class": 0, "import_module": 0, "try_import": 0,
              "import_object_ns": 1}
# `import_versioned_module(module, version, submodule=None)` imports `<module>.v<version>[.<submodule>]`.
_VERSIONED = "import_versioned_module"
_CONVERSIONS = frozenset({"builtins.int", "builtins.str"})  # `int(version)`: the version it converts
# stevedore's DriverManager(namespace, name, invoke_on_load): the plugin the project's packaging
# declares under that entry point name, its class as `.driver` (an instance once invoked on load).
_DRIVER_MANAGERS = frozenset({"stevedore.driver.DriverManager", "stevedore.DriverManager"})
_MANAGER_ARGS = ("namespace", "name", "invoke_on_load")


def library_call(engine, dotted: str, call: list, scope: Scope) -> frozenset:
    if dotted in _DRIVER_MANAGERS:
        return _driver_manager(engine, dotted, call, scope)
    if dotted.rpartition(".")[2] == _VERSIONED:
        return _versioned_module(engine, call, scope)
    position = _IMPORTERS.get(dotted.rpartition(".")[2])
    if position is None or len(call[2]) <= position:
        return EMPTY
    result: set = set()
    resolve_dotted = engine.names.resolve_dotted
    found = sorted(engine.resolve(call[2][position], scope)) or _formatted_names(engine, call[2][position])
    for value in found:
        target = value[1] if value[0] == "str" else engine.option_value(value)
        if not target:
            continue
        if dotted.endswith("import_object_ns") and position == 1:
            for ns in sorted(engine.resolve(call[2][0], scope)):
                if ns[0] == "str":
                    result |= instantiated(resolve_dotted(f"{ns[1]}.{target}"))
        if dotted.rpartition(".")[2] in ("import_class", "import_module", "try_import"):
            result |= resolve_dotted(target)
        else:
            result |= instantiated(resolve_dotted(target))
    return frozenset(result)


def _versioned_module(engine, call: list, scope: Scope) -> frozenset:
    """`import_versioned_module('glanceclient', int(version), 'client')`: the module `glanceclient.v2.client`
    for each version the argument holds on the path read; a version not known there is each version
    package the library has (`v1`, `v2`), as a name formatted from a version is (`_formatted_names`)."""
    args, kwargs = call[2], call[3]
    given = [args[i] if i < len(args) and args[i][0] != "*" else kwargs.get(key)
             for i, key in enumerate(("module", "version", "submodule"))]
    if given[0] is None or given[1] is None:
        return EMPTY
    versions = _version_texts(engine, given[1], scope)
    found: set = set()
    for module in _strings(engine, given[0], scope):
        heads = [f"{module}.v{v}" for v in versions] or sorted(
            name for name in engine.modules if re.fullmatch(re.escape(module) + r"\.v\w+", name))
        subs = _strings(engine, given[2], scope) if given[2] is not None else [None]
        for head in heads:
            for sub in subs:
                found |= engine.names.resolve_dotted(f"{head}.{sub}" if sub else head)
    return frozenset(v for v in found if v[0] == "mod")


def _version_texts(engine, expr: list, scope: Scope) -> list[str]:
    """The versions an argument holds: literal numbers or strings, through `int(...)` / `str(...)`."""
    if expr[0] == "c" and len(expr[2]) == 1 and \
            any(v[0] == "ext" and v[1] in _CONVERSIONS for v in engine.resolve(expr[1], scope)):
        expr = expr[2][0]
    found = set()
    for value in engine.resolve(expr, scope):
        text = value[1] if value[0] == "str" or value[0] == "const" and value[1].isdigit() else None
        if text and re.fullmatch(r"\w+", text):
            found.add(text)
    return sorted(found)


def _driver_manager(engine, dotted: str, call: list, scope: Scope) -> frozenset:
    """`DriverManager(namespace=..., name=..., invoke_on_load=True)`: a manager per plugin the
    namespace and name can be (each a string, an option's default or what a parameter holds)."""
    args = {key: call[2][i] if i < len(call[2]) and call[2][i][0] != "*" else call[3].get(key)
            for i, key in enumerate(_MANAGER_ARGS)}
    if args["namespace"] is None or args["name"] is None:
        return EMPTY
    invoked = args["invoke_on_load"] is not None and any(
        v == ("const", "True") for v in engine.resolve(args["invoke_on_load"], scope))
    found: set = set()
    for namespace in _strings(engine, args["namespace"], scope):
        for name in _strings(engine, args["name"], scope):
            for target in engine.plugins(namespace, name):
                module, _colon, attr = target.partition(":")
                for value in sorted(engine.names.resolve_dotted(f"{module}.{attr}" if attr else module)):
                    found.add(("plugin", f"{dotted}()", value, invoked))
    return frozenset(found)


def _strings(engine, expr: list, scope: Scope) -> list[str]:
    """The strings an expression can be: literals, and option defaults for `CONF.x`."""
    found = set()
    for value in engine.resolve(expr, scope):
        text = value[1] if value[0] == "str" else engine.option_value(value)
        if text:
            found.add(text)
    return sorted(found)


def plugin(engine, target: Value, invoked: bool) -> frozenset:
    """A plugin as its manager's `.driver` holds it: the class (or function) it names, or what calling
    that on load made (an instance made right there, or the factory's return)."""
    if not invoked:
        return frozenset({target})
    if target[0] == "cls":
        return frozenset({("inst", target[1], True)})
    if target[0] == "func":
        return engine.returns(target[1])
    return EMPTY


def _formatted_names(engine, expr: list) -> list:
    """The dotted names of the program a name made by formatting can be:
    `"cinderclient.v%s.client.Client" % version.ver_major` is each module `cinderclient.v<x>.client`
    holding `Client`, as there is one per API version the library has. Only a literal pattern whose
    placeholders stand for parts of a name each (`v%s`), never a whole name the caller or an option
    gives (`'nova.virt.%s' % CONF.compute_driver` is no module of nova.virt each)."""
    if expr[0] != "fmt" or expr[1] != "%" or expr[2][0][0] != "s":
        return []
    pattern = expr[2][0][1]
    static = pattern.split("%", 1)[0]
    if "." not in static or not re.fullmatch(r"[\w.]*(%[sd][\w.]*)+", pattern) or \
            any(re.fullmatch(r"(%[sd])+", part) for part in pattern.split(".")):
        return []
    wanted = re.compile(re.sub(r"%[sd]", r"\\w+", re.escape(pattern)))
    head = static.rpartition(".")[0]
    found = []
    for name, module in engine.modules.items():
        if name != head and not name.startswith(head + "."):
            continue
        if wanted.fullmatch(name):
            found.append(("str", name))
        found += [("str", f"{name}.{q}") for q in module.defs if wanted.fullmatch(f"{name}.{q}")]
    return sorted(found)


def instantiated(values: frozenset) -> frozenset:
    """The classes among the values as instances made right there (`import_object` builds one)."""
    return frozenset(("inst", v[1], True) if v[0] == "cls" else v for v in values)
