"""Resources served by a generic controller that calls its plugin by name (Neutron's API).

Neutron writes no controller per resource: one controller class (`neutron.api.v2.base.Controller`,
the pecan `NeutronPecanController`) is made per collection with the resource's names and its
plugin, and its `__init__` builds `self._plugin_handlers = {'list': 'get_ports', 'create':
'create_port', ...}`; each request calls `getattr(self._plugin, handler)`. The resources come
from the attribute maps of the API definitions (`RESOURCE_ATTRIBUTE_MAP` of neutron-lib's
`api/definitions/*.py`, read as a library: `-L neutron-lib`), walked by the extensions'
`get_resources` (`resource_helper.build_resource_info`) and by the start-up code that makes the
core resources' controllers; the plugin is what neutron-lib's plugin directory holds for the
service type asked (`directory.get_plugin(constants.L3)`): the core plugin of the
`*.core_plugins` entry points, or the service plugin whose `get_plugin_type()` says that type.

The code that makes these controllers is run by the routes interpreter (interpreter.py); each
controller made is run through its `__init__` to read the handler names it keeps. A route is
`POST /ports` served by `Ml2Plugin.create_port`, `via` the generic controller's method.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from typing import Any

from stackread.frameworks.rest import paste
from stackread.frameworks.rest.interpreter import ClassMembers, Instance, Interpreter, Obj, RouteEvaluator, self_bound
from stackread.frameworks.rest.route import Route
from stackread.frameworks.rest.routes_mapper import _parent, candidate_files
from stackread.program.evaluate import UNKNOWN, UNKNOWN_EV, DefRef, Ev, ExternalRef, Scope
from stackread.program.modules import class_member, resolve_relative
from stackread.program.mro import linearise
from stackread.source.libraries import requirement_of

_MAKERS = re.compile(rb"def get_resources\(|get_plugin\(")
_PLAIN = (str, int, float, bool, type(None), dict, list, tuple)  # values a condition may be decided on
# The handler keys of the generic controller, the route each serves and the controller method
# (Routes' standard names) that answers it.
_ROWS = (("list", "GET", False, "index"), ("create", "POST", False, "create"), ("show", "GET", True, "show"),
         ("update", "PUT", True, "update"), ("delete", "DELETE", True, "delete"))


def may_declare(data: bytes) -> bool:
    return _MAKERS.search(data) is not None


@dataclass(frozen=True, eq=False)
class Plugin:
    """What the plugin directory holds for a service type (`CORE`, `L3_ROUTER_NAT`)."""

    service: str


@dataclass(frozen=True)
class _Made:
    """One generic controller made for a collection: its class, names, plugin and handlers."""

    controller: DefRef
    collection: str
    plugin: Plugin
    handlers: dict
    member_actions: dict
    parent: str | None
    where: tuple[str, int]
    from_extension: bool  # made by an extension's get_resources, not by the start-up code
    attributes: int  # how many attributes its map declares


class _Evaluator(RouteEvaluator):
    """The routes evaluator, knowing the plugin directory, `a if c else b`, slices, and telling the
    reader each controller instance made."""

    def __init__(self, index, reader: "_Reader", options=None):
        super().__init__(index, options)
        self.reader = reader

    def _eval_IfExp(self, node: ast.IfExp, scope: Scope) -> Ev:
        test = self.eval(node.test, scope).value
        if test is UNKNOWN or isinstance(test, (Instance, Obj, Plugin)):
            return UNKNOWN_EV
        return self.eval(node.body if test else node.orelse, scope)

    def _eval_Slice(self, node: ast.Slice, scope: Scope) -> Ev:
        parts = [self.eval(p, scope).value if p is not None else None for p in (node.lower, node.upper, node.step)]
        return Ev(slice(*parts)) if all(p is None or isinstance(p, int) for p in parts) else UNKNOWN_EV

    def _eval_UnaryOp(self, node: ast.UnaryOp, scope: Scope) -> Ev:
        value = self.eval(node.operand, scope).value
        if isinstance(node.op, ast.USub) and isinstance(value, int):
            return Ev(-value)
        if isinstance(node.op, ast.Not) and isinstance(value, _PLAIN):
            return Ev(not value)
        return UNKNOWN_EV

    def _eval_Compare(self, node: ast.Compare, scope: Scope) -> Ev:
        if len(node.ops) != 1:
            return UNKNOWN_EV
        left, right = (self.eval(n, scope).value for n in (node.left, node.comparators[0]))
        if not all(isinstance(v, _PLAIN) for v in (left, right)):
            return UNKNOWN_EV
        compare = {ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b, ast.Eq: lambda a, b: a == b,
                   ast.NotEq: lambda a, b: a != b, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}
        try:
            return Ev(compare[type(node.ops[0])](left, right)) if type(node.ops[0]) in compare else UNKNOWN_EV
        except TypeError:
            return UNKNOWN_EV

    def attribute(self, base: Any, attr: str) -> Ev:
        if isinstance(base, Plugin):
            cls = self.reader.plugin_class(base)
            found = self.class_attribute(cls, attr) if cls is not None else None
            return found if found is not None and not isinstance(found.value, DefRef) else UNKNOWN_EV
        return super().attribute(base, attr)

    def _eval_Call(self, node: ast.Call, scope: Scope) -> Ev:
        callee = self.eval(node.func, scope).value
        if _is_directory_lookup(callee):
            return Ev(self._service(callee, node, scope))
        if isinstance(callee, ExternalRef) and callee.name == "itertools.chain" and not node.keywords:
            parts = [self.eval(a, scope).value for a in node.args]  # Neutron's QoS chains two attribute maps
            if all(isinstance(p, (list, tuple, dict)) for p in parts):
                return Ev([item for part in parts for item in part])
        found = super()._eval_Call(node, scope)
        if isinstance(found.value, Instance):
            self.reader.made(found.value, (scope.module.path, node.lineno))
        return found

    def _service(self, callee, node: ast.Call, scope: Scope) -> Any:
        if node.args:
            value = self.eval(node.args[0], scope).value
        elif isinstance(callee, DefRef) and callee.node.args.defaults:
            value = self.eval(callee.node.args.defaults[-1], Scope(callee.module)).value
        else:
            value = "CORE"
        return Plugin(value) if isinstance(value, str) else UNKNOWN


def _is_directory_lookup(callee: Any) -> bool:
    """neutron-lib's `plugins.directory.get_plugin`, read from the library or only named."""
    name = callee.dotted if isinstance(callee, DefRef) else callee.name if isinstance(callee, ExternalRef) else ""
    return name.endswith("plugins.directory.get_plugin")


class _Interpreter(Interpreter):
    """The routes interpreter, with the defaults of the parameters a call leaves out, and deciding
    a condition on the function's own locals (`if not which_service:`) rather than taking both
    branches; a condition on anything else (configuration) still takes both."""

    def call(self, func: DefRef, args: tuple, kwargs: dict, outer=None) -> Ev:
        if not isinstance(func.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return UNKNOWN_EV
        params = _params(func)
        defaults = {name: value for name, value in self.reader.defaults(func).items() if name in params[len(args):]}
        return super().call(func, args, defaults | kwargs, outer)

    def _calls(self, stmt: ast.stmt, scope: Scope) -> None:
        super()._calls(stmt, scope)
        # A controller made and kept by its constructor's side effects: `Controller(...)` alone.
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            callee = self.ev.eval(stmt.value.func, scope).value
            if isinstance(callee, DefRef) and callee.is_class:
                self.ev.eval(stmt.value, scope)

    def _known(self, test: ast.expr, scope: Scope) -> bool | None:
        found = super()._known(test, scope)
        if found is not None:
            return found
        nodes = list(ast.walk(test))
        if any(isinstance(n, (ast.Call, ast.Attribute, ast.Subscript)) for n in nodes):
            return None
        names = {n.id for n in nodes if isinstance(n, ast.Name)}
        if not names or not names <= set(scope.local):
            return None
        value = self.ev.eval(test, scope).value
        return bool(value) if isinstance(value, _PLAIN) else None


class _Reader(ClassMembers):
    def __init__(self, project):
        self.project = project
        self.ev = _Evaluator(project.index, self, project.options)
        self.interpreter = _Interpreter(self.ev, self)
        self._members: dict = {}
        self.found: list[_Made] = []
        self._initialising = False
        self.maker: tuple[str, int] | None = None  # the function being run: where its resources are declared
        self.maker_is_extension = False
        self.remade: list[DefRef] = []  # classes the start-up code makes of resources it does not name
        self._plugins: dict[str, DefRef | None] = {}
        self._handler_inits: dict[str, DefRef | None] = {}
        self._orders: dict[str, list[str]] = {}  # C3 orders of the plugin classes and their bases
        self._classes: dict[str, DefRef] = {}  # the classes of those orders

    # -- what the interpreter reports ---------------------------------------------------------

    def mapper_call(self, name, node, scope) -> None:  # Routes mappers are routes_mapper's
        pass

    def extension_call(self, name, node, scope) -> None:  # the controllers it wraps were made before
        pass

    def made(self, instance: Instance, where: tuple[str, int]) -> None:
        init = self._handler_init(instance.cls)
        if init is None or self._initialising:
            return
        given = self.defaults(init) | dict(zip(_params(init)[1:], instance.args)) | instance.kwargs
        plugin, collection = given.get("plugin"), given.get("collection")
        if not isinstance(plugin, Plugin) or not isinstance(collection, str):
            if not self.maker_is_extension and all(c.dotted != instance.cls.dotted for c in self.remade):
                # The start-up code making controllers of what it does not name: each extension's
                # resource, rebuilt as another class (Neutron's pecan CollectionsController from each
                # legacy Controller). That class serves them.
                self.remade.append(instance.cls)
            return
        obj = Obj(instance.cls)
        self._initialising = True
        try:
            self.interpreter.run(init, self_bound(init, obj) | given)
        finally:
            self._initialising = False
        handlers = obj.attrs.get("_plugin_handlers")
        if isinstance(handlers, dict):
            parent = _parent(given.get("parent"), None) or _parent_name(given.get("parent_resource"))
            actions = given.get("member_actions")
            self.found.append(_Made(instance.cls, collection, plugin, handlers,
                                    actions if isinstance(actions, dict) else {}, parent, self.maker or where,
                                    self.maker_is_extension, _size(given.get("attr_info", given.get("resource_info")))))

    def defaults(self, func: DefRef) -> dict[str, Any]:
        """The parameters' default values: what `__init__` runs with when the caller leaves them out."""
        args = func.node.args
        positional = _params(func)
        scope = Scope(func.module)
        found = {name: self.ev.eval(d, scope).value
                 for name, d in zip(positional[len(positional) - len(args.defaults):], args.defaults)}
        found |= {a.arg: self.ev.eval(d, scope).value for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None}
        return found

    def _handler_init(self, cls: DefRef) -> DefRef | None:
        """The `__init__` of the class (or a base) that assigns `self._plugin_handlers`."""
        if cls.dotted not in self._handler_inits:
            init = self.ev.class_attribute(cls, "__init__")
            found = init.value if init is not None and isinstance(init.value, DefRef) else None
            keeps = found is not None and any(isinstance(n, ast.Attribute) and n.attr == "_plugin_handlers"
                                              and isinstance(n.ctx, ast.Store) for n in ast.walk(found.node))
            self._handler_inits[cls.dotted] = found if keeps else None
        return self._handler_inits[cls.dotted]

    # -- plugins ------------------------------------------------------------------------------

    def plugin_class(self, plugin: Plugin) -> DefRef | None:
        if plugin.service not in self._plugins:
            self._plugins[plugin.service] = self._find_plugin(plugin.service)
        return self._plugins[plugin.service]

    def _find_plugin(self, service: str) -> DefRef | None:
        """The core plugin (the first of `*.core_plugins`), or the first service plugin of
        `*.service_plugins` whose `get_plugin_type()` returns the service type."""
        core = service == "CORE"
        for ep in self.project.metadata.entrypoints:
            if not ep.group.endswith("core_plugins" if core else "service_plugins") or not ep.attr:
                continue
            cls = self.ev.resolve_dotted(f"{ep.module}.{ep.attr}")
            if isinstance(cls, DefRef) and cls.is_class and (core or self._plugin_type(cls) == service):
                return cls
        return None

    def _plugin_type(self, cls: DefRef) -> Any:
        method = self.ev.class_attribute(cls, "get_plugin_type")
        fn = method.value if method is not None else None
        if not isinstance(fn, DefRef) or fn.is_class:
            return UNKNOWN
        for stmt in fn.node.body:
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                return self.ev.eval(stmt.value, Scope(fn.module)).value
        return UNKNOWN

    def _plugin_method(self, plugin: DefRef, name: str) -> list[tuple[DefRef, ast.AST]]:
        """The def Python finds for `plugin.<name>`: by C3 order, which Neutron's plugins need (the
        L3 plugin's mixins share bases: L3_HA_NAT_db_mixin before L3_NAT_dbonly_mixin)."""
        classes = self._classes

        def bases_of(dotted: str) -> list[str]:
            found = self.ev.bases(classes[dotted])
            classes.update((b.dotted, b) for b in found)
            return [b.dotted for b in found]

        classes[plugin.dotted] = plugin
        for dotted in linearise(plugin.dotted, bases_of, self._orders):
            member = class_member(classes[dotted].node, name)
            if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return [(classes[dotted], member)]
            if member is not None:
                return []  # an attribute, not a method
        return []

    # -- routes -------------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        found: dict[tuple[str, str], Route] = {}
        # The start-up code's own controllers first (Neutron's start-up skips an extension's
        # collection that already has one); then those whose every handler name is known (an
        # extension that extends a core collection without naming its resource must not stand for
        # it); then the extension that declares the resource's attributes before those adding a few.
        complete = sorted(self.found, key=lambda m: (m.from_extension, -sum(isinstance(h, str) for h in m.handlers.values()),
                                                     -m.attributes))
        for made in complete:
            plugin = self.plugin_class(made.plugin)
            prefix = self.ev.attribute(made.plugin, "path_prefix").value
            prefix = "/" + prefix.strip("/") if isinstance(prefix, str) and prefix.strip("/") else ""
            # A sub-resource whose parent is the prefix's own collection is under it once:
            # /floatingips/{floatingip_id}/port_forwardings, not /floatingips/floatingips/...
            parent = made.parent or ""
            base = f"{'' if parent.startswith(prefix + '/') else prefix}{parent}/{made.collection}"
            rows = [(verb, base + ("/{id}" if member else ""), made.handlers.get(key), method)
                    for key, verb, member, method in _ROWS]
            rows += [(verb.upper(), f"{base}/{{id}}/{name}", name, None)
                     for name, verb in made.member_actions.items() if isinstance(verb, str)]
            for verb, path, handler, method in rows:
                if (verb, path) in found or not isinstance(handler, str):
                    continue
                route = self._route(made, plugin, verb, path, handler, method)
                if route is not None:
                    found[(verb, path)] = route
        return list(found.values())

    def _route(self, made: _Made, plugin: DefRef | None, verb: str, path: str, handler: str,
               method: str | None) -> Route | None:
        others = [c for c in self.remade if c.dotted != made.controller.dotted] if made.from_extension else []
        serving = others[0] if others else made.controller
        via = self.members(serving).get(method or "", [])
        via_name = f"{via[0][0].dotted}.{via[0][1].name}" if via else None
        defs = self._plugin_method(plugin, handler) if plugin is not None else []
        if plugin is not None and not defs:
            return None  # the plugin does not serve it: the request fails
        if not defs:
            owner, fn = via[0] if via else (None, None)
        else:
            owner, fn = defs[0]
        if owner is None:
            return Route(verb, path, None, None, None, None, None, None, *made.where, via=via_name)
        # A mixin's method (L3_NAT_db_mixin.add_router_interface) runs on the plugin: `self` is an
        # instance of the plugin class, whose MRO decides what its `self.x()` calls reach.
        receiver = plugin.dotted if plugin is not None and owner.dotted != plugin.dotted else None
        return Route(verb, path, None, f"{owner.dotted}.{fn.name}", owner.module.path, fn.lineno, None, None,
                     *made.where, via=via_name if via_name != f"{owner.dotted}.{fn.name}" else None,
                     receiver=receiver)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, dict) else 0


def _params(func: DefRef) -> list[str]:
    return [a.arg for a in (*func.node.args.posonlyargs, *func.node.args.args)]


def _parent_name(member: Any) -> str | None:
    """The pecan controllers' `parent_resource='network'`: /networks/{network_id}."""
    return f"/{member}s/{{{member}_id}}" if isinstance(member, str) and member else None


def read_routes(project, among: list[str] | None = None) -> list[Route]:
    reader = _Reader(project)
    empty: list[DefRef] = []  # extensions' get_resources that made no controller
    starters: list[str] = []  # the start-up code that makes controllers
    for file in candidate_files(project, may_declare, among):
        module = project.index.get_by_path(file)
        if module is None:
            continue
        for func, cls in _makers(module):
            reader.maker, reader.maker_is_extension = (module.path, func.node.lineno), func.node.name == "get_resources"
            before = len(reader.found)
            reader.interpreter.run(func, self_bound(func, Obj(cls)) if cls else {})
            if len(reader.found) == before and reader.maker_is_extension:
                empty.append(func)
            elif not reader.maker_is_extension:
                starters.append(func.dotted)
    missing = _missing_library(project, empty) if empty else None
    if missing:
        project.diagnostics.warning(*missing)
    return _mounted(project, reader, starters)


def _mounted(project, reader: _Reader, starters: list[str]) -> list[Route]:
    """The routes under the prefix paste deploy mounts the app factory under that runs the start-up
    code making them (Neutron's /v2.0: its factory calls v2_factory, which calls initialize_all,
    which also collects every extension's resources): the path a client sends."""
    mounts = paste.mounts_by_class(reader.ev, paste.mounts(project), reader.mro)
    prefixes = sorted({p for name in starters for p in mounts.get(name, ())})
    routes = reader.routes()
    if not prefixes:
        return routes
    return [replace(r, path=prefix.rstrip("/") + r.path, mounts=(prefix,)) for prefix in prefixes for r in routes]


def _makers(module):
    """The functions that make resources: an extension's get_resources (its ResourceExtension rows), or
    code that asks the plugin directory and builds controllers with what it gets."""
    from stackread.frameworks.rest.routes_mapper import _functions

    for func, cls in _functions(module):
        names = {_name(n.func) for n in ast.walk(func.node) if isinstance(n, ast.Call)}
        if func.node.name == "get_resources" or ("get_plugin" in names and any(n.endswith("Controller") for n in names)):
            yield func, cls


def _name(node: ast.AST) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def _argument_names(node: ast.AST) -> set[str]:
    """Names read in the arguments of the calls of a function: the data it builds from
    (`l3_apidef.RESOURCE_ATTRIBUTE_MAP`), not the helpers it calls (`lockutils.synchronized`)."""
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
    values = [v for c in calls for v in (*c.args, *(k.value for k in c.keywords))]
    return {n.id for v in values for n in ast.walk(v) if isinstance(n, ast.Name)}


def _imported_packages(module, name: str) -> set[str]:
    """The top-level packages the module-level imports binding `name` import from."""
    found = set()
    for stmt in module.bindings.get(name, ()):
        if isinstance(stmt, ast.ImportFrom):
            found.add(resolve_relative(module.package, stmt.module, stmt.level).split(".")[0])
        elif isinstance(stmt, ast.Import):
            found.update(alias.name.split(".")[0] for alias in stmt.names
                         if (alias.asname or alias.name.split(".")[0]) == name)
    return found


def _missing_library(project, empty: list[DefRef]) -> tuple | None:
    """Makers that made nothing because the names they read come from a package neither the tree
    nor a library read holds (neutron_lib's definitions): a hint naming `--library` for the package
    most of them lean on, as (path, line, message); None when the tree asks for no such package."""
    leaning: dict[str, list[DefRef]] = {}
    for func in empty:
        used = _argument_names(func.node)
        tops = {top for name in used for top in _imported_packages(func.module, name)}
        for top in tops:
            if not project.index.owns(top):
                leaning.setdefault(top, []).append(func)
    for top, funcs in sorted(leaning.items(), key=lambda item: (-len(item[1]), item[0])):
        asked = requirement_of(project.tree, top)
        if asked:
            wanted, func = re.split(r"[<>=!~; ]", asked, maxsplit=1)[0], funcs[0]
            others = f" (and {len(funcs) - 1} other makers of resources)" if len(funcs) > 1 else ""
            return (func.module.path, func.node.lineno,
                    f"{func.qualname} builds its API resources from {top}, which is not read{others}: "
                    f"add --library {wanted} (-L {wanted}==VERSION or -L PATH; the tree asks for {asked})")
    return None
