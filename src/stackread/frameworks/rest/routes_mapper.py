"""`stackread routes`: every REST route of a project, down to the controller method that serves it.

OpenStack APIs declare routes in three shapes, all read here without importing anything:
- a plain list of `(path, {VERB: [controller_factory, 'method']})` rows fed to a mapper in a
  router's `__init__` (current Nova's ROUTE_LIST);
- Routes `mapper.resource(member, collection, controller=..., collection={...}, member={...})`
  and `mapper.connect(...)` calls in a router (Cinder, Manila, Glance);
- extensions whose `get_resources()` builds `ResourceExtension(...)` rows and whose
  `get_controller_extensions()` adds action controllers to a collection with
  `ControllerExtension(ext, 'servers', Controller())` (Nova Liberty to Ocata, Cinder's contrib).
The functions that make those calls are run by a small abstract interpreter (interpreter.py):
assignments, loops over literal tables, attributes of `self`, calls of controller factories,
methods of instances and local helper functions. A
`POST .../action` route becomes one row per `@wsgi.action('key')` handler of the controller
and of the action controllers registered with it; `@api_version(min, max)` gives the
microversion bounds, one row per definition when a method is defined once per version range.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from typing import Any

from stackread.frameworks.rest.interpreter import (EXTENSION_CALLS, MAPPER_CALLS, VERBS, ClassMembers, Controllers, Instance,
                                                    Interpreter, Obj, Partial, RouteEvaluator, call_name, self_bound)
from stackread.frameworks.rest import paste
from stackread.frameworks.rest.route import Route, RouteReport
from stackread.program.evaluate import UNKNOWN_EV, DefRef, Evaluator, Scope
from stackread.program.modules import Module, class_member

__all__ = ["VERBS", "Route", "RouteReport", "candidate_files", "files_matching", "may_declare", "read_routes", "route_order", "routes_of_project"]
_CANDIDATE = re.compile(rb"(?:ResourceExtension|ControllerExtension)\(|map\w*\.(?:resource|connect|create_route)\(")
_PROJECT_PREFIX = re.compile(r"^/\{project_id[^}]*\}(?=/|$)|^/:project_id(?=/|$)")
_STANDARD = ("index", "create", "show", "update", "delete")  # what Routes maps for every resource


def routes_of_project(project) -> RouteReport:
    """Every router kind's routes (frameworks/rest/readers.py); kept here for the callers of old."""
    from stackread.frameworks.rest.readers import routes_of_project as every_router

    return every_router(project)


def read_routes(project, among: list[str] | None = None) -> list[Route]:
    """The routes of Routes mappers, ROUTE_LIST tables and API extensions, with the prefixes paste
    deploy mounts their router under."""
    reader = _RouteReader(RouteEvaluator(project.index, project.options))
    reader.mounts = paste.mounts_by_class(reader.ev, paste.mounts(project), reader.mro)
    for file in candidate_files(project, may_declare, among):
        module = project.index.get_by_path(file)
        if module is not None:
            reader.read_module(module)
    return reader.routes()


def candidate_files(project, may_declare, among: list[str] | None = None) -> list[str]:
    """Files that may declare routes: a cheap byte test before anything is parsed (only among the
    files given, when given: those files_matching found for this kind)."""
    if among is None:
        return files_matching(project, [may_declare])[may_declare]
    return [file for file in among if may_declare(project.tree.read_bytes(file) or b"")]


def files_matching(project, tests: list) -> dict:
    """For each byte test, the project's files it passes: every file read once (and observed as
    passing or failing each test, source/observed.py)."""
    from stackread.source.observed import scan

    return scan(project.tree, sorted(project.index.python_files(project.packages or _top_packages(project))), tests)


def may_declare(data: bytes) -> bool:
    return _CANDIDATE.search(data) is not None


def _top_packages(project) -> list[str]:
    return sorted(name for name in project.tree.list_dir("") if project.tree.is_file(f"{name}/__init__.py"))


# -- from calls to routes -------------------------------------------------------------------------


@dataclass
class _Resource:
    collection: str
    controllers: Controllers
    collection_actions: dict
    member_actions: dict
    parent: dict | None
    where: tuple[str, int]
    router: str | None = None  # the class whose method declared it


class _RouteReader(ClassMembers):
    def __init__(self, evaluator: RouteEvaluator):
        self.ev = evaluator
        self.interpreter = Interpreter(evaluator, self)
        self.resources: list[_Resource] = []
        self.connects: list[tuple[str, str, Controllers, str, tuple[str, int], str | None]] = []
        self.mounts: dict[str, tuple[str, ...]] = {}  # router class -> paste prefixes (paste.py)
        self.extended: dict[str, list[Controllers]] = {}  # collection -> action controllers added to it
        self._members: dict[str, dict[str, list[tuple[DefRef, ast.AST]]]] = {}
        self._literal_lines: dict[str, dict[str, int]] = {}

    def read_module(self, module: Module) -> None:
        for func, cls in _functions(module):
            if any(isinstance(n, ast.Call) and call_name(n) in (*MAPPER_CALLS, *EXTENSION_CALLS)
                   for n in ast.walk(func.node)):
                self.interpreter.run(func, self_bound(func, Obj(cls)) if cls else {})

    # -- calls seen by the interpreter --------------------------------------------------------

    def _arguments(self, node: ast.Call, scope: Scope) -> tuple[list, dict]:
        args = [self.ev.eval(a, scope).value for a in node.args if not isinstance(a, ast.Starred)]
        kwargs = {k.arg: self.ev.eval(k.value, scope).value for k in node.keywords if k.arg}
        return args, kwargs

    def mapper_call(self, name: str, node: ast.Call, scope: Scope) -> None:
        args, kwargs = self._arguments(node, scope)
        where = (scope.module.path, node.lineno)
        if name == "resource":
            collection = args[1] if len(args) > 1 else kwargs.get("collection_name")
            controllers = _controllers(kwargs.get("controller"))
            if isinstance(collection, str) and controllers:
                prefix = kwargs.get("path_prefix")
                self.resources.append(_Resource(
                    collection, controllers, _dict(kwargs.get("collection")), _dict(kwargs.get("member")),
                    _parent(kwargs.get("parent_resource"), prefix), where, _router(scope)))
        elif name == "connect":
            paths = [a for a in args if isinstance(a, str)]
            controllers = _controllers(kwargs.get("controller"))
            action = kwargs.get("action")
            if paths and controllers and isinstance(action, str):
                methods = _dict(kwargs.get("conditions")).get("method", "*")
                # Heat joins a route's verbs with commas; a list worked out at run time is unknown here.
                methods = methods.split(",") if isinstance(methods, str) else methods
                for verb in methods if isinstance(methods, (list, tuple)) else ():
                    if isinstance(verb, str) and (verb == "*" or verb.upper() in VERBS):
                        self.connects.append((verb.upper(), paths[-1], controllers, action,
                                              self._declared(scope.module, paths[-1], where), _router(scope)))
        elif name == "create_route" and len(args) >= 4:
            path, verb, controller, action = args[:4]
            controllers = _controllers(controller)
            if isinstance(path, str) and isinstance(verb, str) and isinstance(action, str) and controllers:
                self.connects.append((verb.upper(), path, controllers, action,
                                      self._declared(scope.module, path, where), _router(scope)))

    def _declared(self, module: Module, path: str, where: tuple[str, int]) -> tuple[str, int]:
        """Where a route's path is written: the row of a routing table, not the loop that maps it."""
        if module.name not in self._literal_lines:
            lines: dict[str, int] = {}
            for node in ast.walk(module.tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("/"):
                    lines.setdefault(node.value, node.lineno)
            self._literal_lines[module.name] = lines
        line = self._literal_lines[module.name].get(path)
        return (module.path, line) if line else where

    def extension_call(self, name: str, node: ast.Call, scope: Scope) -> None:
        cls = self.ev.eval(node.func, scope).value
        if not (isinstance(cls, DefRef) and cls.is_class):
            return
        args, kwargs = self._arguments(node, scope)
        init = class_member(cls.node, "__init__")
        params = [a.arg for a in init.args.args[1:]] if isinstance(init, ast.FunctionDef) else []
        given = dict(zip(params, args)) | kwargs
        where = (scope.module.path, node.lineno)
        if name == "ControllerExtension":
            controllers = _controllers(given.get("controller"))
            if isinstance(given.get("collection"), str) and controllers:
                self.extended.setdefault(given["collection"], []).append(controllers)
            return
        collection = given.get("collection")
        controllers = _controllers(given.get("controller"))
        if not isinstance(collection, str) or controllers is None:
            return
        resource = _Resource(collection, controllers, _dict(given.get("collection_actions")),
                             _dict(given.get("member_actions")), _parent(given.get("parent"), None), where)
        self.resources.append(resource)
        custom = given.get("custom_routes_fn")
        if isinstance(custom, DefRef) and not custom.is_class:
            # `custom_routes_fn(mapper, wsgi_resource)` adds routes served by this resource's controller.
            bound = self_bound(custom, scope.local.get("self", UNKNOWN_EV).value) if "." in custom.qualname else {}
            params = [a.arg for a in custom.node.args.args][1 if bound else 0:]
            if len(params) >= 2:
                self.interpreter.run(custom, bound | {params[1]: controllers})

    # -- routes -------------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        collection_of = {r.controllers.main.dotted: r.collection for r in self.resources}
        found: list[Route] = []
        for resource in self.resources:
            base = (resource.parent or "") + "/" + resource.collection.lstrip("/")  # Trove writes "/{tenant_id}/datastores"
            for verb, path, method, implicit in _resource_rows(base, resource.collection_actions,
                                                               resource.member_actions):
                found += self._mounted(resource.router, self._served(
                    verb, path, method, resource.controllers, resource.collection, resource.where, implicit))
        for verb, path, controllers, action, where, router in self.connects:
            found += self._mounted(router, self._served(
                verb, path, action, controllers, collection_of.get(controllers.main.dotted), where, implicit=False))
        unique = {}
        for route in found:
            route = _without_project(route)
            unique.setdefault((route.verb, route.path, route.action, route.controller, route.min_version,
                               route.receiver), route)
        return sorted(unique.values(), key=route_order)

    def _mounted(self, router: str | None, routes: list[Route]) -> list[Route]:
        prefixes = self.mounts.get(router) if router else None
        return [replace(r, mounts=prefixes) for r in routes] if prefixes is not None else routes

    def _served(self, verb: str, path: str, method: str, controllers: Controllers, collection: str | None,
                where: tuple[str, int], implicit: bool) -> list[Route]:
        """The rows of one mapped (verb, path, method): one per definition, or one per action key."""
        if method == "action":
            handlers = self._actions(controllers, collection)
            if handlers:
                return [_route(verb, path, key, owner, fn, where, self.ev)
                        for key, defs in handlers.items() if key not in _STANDARD for owner, fn in defs]
        defs = self.members(controllers.main).get(method, [])
        if not defs and method in _STANDARD:
            # wsgi.Resource falls back to an action handler named like the missing standard method:
            # Ocata's POST /flavors is FlavorManageController's `@wsgi.action("create")`.
            defs = self._actions(controllers, collection).get(method, [])
        if not defs:
            # Routes maps every standard verb of a resource; only the methods the controller has answer.
            return [] if implicit else [Route(verb, path, None, None, None, None, None, None, *where)]
        main = controllers.main.dotted
        return [replace(_route(verb, path, None, owner, fn, where, self.ev),
                        receiver=main if owner.dotted != main else None) for owner, fn in defs]


    def _actions(self, controllers: Controllers, collection: str | None) -> dict[str, list[tuple[DefRef, ast.AST]]]:
        """Action key -> handler defs, in registration order: later controllers replace a key."""
        actions: dict[str, list] = {}
        extra = [c for extended in self.extended.get(collection or "", []) for c in (extended.main, *extended.actions)]
        for cls in (controllers.main, *controllers.actions, *extra):
            for key, defs in self._own_actions(cls).items():
                actions[key] = defs
        return actions

    def _own_actions(self, cls: DefRef) -> dict[str, list]:
        actions: dict[str, list] = {}
        for owner in reversed(self.mro(cls)):
            found: dict[str, list] = {}
            for stmt in owner.node.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for key in _decorator_strings(stmt, "action", owner, self.ev):
                        found.setdefault(key, []).append((owner, stmt))
            actions.update(found)
        return actions


def _resource_rows(base: str, collection: dict, member: dict) -> list[tuple[str, str, str, bool]]:
    """(verb, path, method, implicit) as Routes' `Mapper.resource` connects them.

    Routes maps a collection's first non-GET action of each verb to the collection path itself
    (`collection={'clear': 'DELETE'}` is `DELETE /os-server-password`) and likewise a member's
    first PUT/DELETE action to the member path, after the standard create/update/delete.
    Implicit rows are the standard methods, which only answer if the controller has them.
    """
    def swap(actions: dict) -> dict[str, list[str]]:
        verbs: dict[str, list[str]] = {}
        for name, verb in actions.items():
            if isinstance(name, str) and isinstance(verb, str):
                verbs.setdefault(verb.upper(), []).append(name)
        return verbs

    standard = _STANDARD
    rows: list[tuple[str, str, str, bool]] = []
    by_verb = swap(collection)
    by_verb.setdefault("POST", []).insert(0, "create")
    for verb, names in by_verb.items():
        primary = names[0] if verb != "GET" else None
        rows += [(verb, f"{base}/{name}", name, False) for name in names[1 if primary else 0:]]
        if primary:
            rows.append((verb, base, primary, primary in standard))
    rows.append(("GET", base, "index", True))
    member_path = base + "/{id}"
    by_verb = swap(member)
    by_verb.setdefault("PUT", []).insert(0, "update")
    by_verb.setdefault("DELETE", []).insert(0, "delete")
    for verb, names in by_verb.items():
        primary = names[0] if verb not in ("POST", "GET", "ANY") else None
        rows += [(verb, f"{member_path}/{name}", name, False) for name in names[1 if primary else 0:]]
        if primary:
            rows.append((verb, member_path, primary, primary in standard))
    rows.append(("GET", member_path, "show", True))
    return rows


def _route(verb: str, path: str, action: str | None, owner: DefRef, fn: ast.AST, where, ev) -> Route:
    low, high = _versions(fn, owner, ev)
    return Route(verb, path, action, f"{owner.dotted}.{fn.name}", owner.module.path, fn.lineno, low, high, *where)


def _versions(fn: ast.AST, owner: DefRef, ev: Evaluator) -> tuple[str | None, str | None]:
    for decorator in fn.decorator_list:
        if isinstance(decorator, ast.Call) and call_name(decorator) == "api_version":
            scope = Scope(owner.module)
            values = [ev.eval(a, scope).value for a in decorator.args]
            kw = {k.arg: ev.eval(k.value, scope).value for k in decorator.keywords}
            low = values[0] if values else kw.get("min_version", kw.get("min_ver"))
            high = values[1] if len(values) > 1 else kw.get("max_version", kw.get("max_ver"))
            return (low if isinstance(low, str) else None, high if isinstance(high, str) else None)
    return None, None


def _decorator_strings(fn: ast.AST, name: str, owner: DefRef, ev: Evaluator) -> list[str]:
    """The string arguments of `@x.<name>('...')` decorators: action keys."""
    found = []
    for decorator in fn.decorator_list:
        if isinstance(decorator, ast.Call) and call_name(decorator) == name and decorator.args:
            value = ev.eval(decorator.args[0], Scope(owner.module)).value
            if isinstance(value, str):
                found.append(value)
    return found


def _controllers(value: Any) -> Controllers | None:
    """What a `controller=` value serves with: a class, an instance, a `wsgi.Resource(controller)`
    wrapper, or `partial(_create_controller, Main, [ActionControllers])`."""
    if isinstance(value, Controllers):
        return value
    if isinstance(value, DefRef) and value.is_class:
        return Controllers(value)
    if isinstance(value, Instance):
        if "Resource" in value.cls.node.name and value.args:
            inner = _controllers(value.args[0])
            if inner:
                return inner
        return Controllers(value.cls)
    if isinstance(value, Partial):
        main = None
        actions: list[DefRef] = []
        for arg in value.args:
            if isinstance(arg, (list, tuple)):
                actions += [c.main for c in map(_controllers, arg) if c]
            elif main is None:
                found = _controllers(arg)
                main = found.main if found else None
        return Controllers(main, tuple(actions)) if main else None
    return None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _parent(parent: Any, prefix: Any) -> str | None:
    """Routes' `parent_resource` as a path prefix: /servers/{server_id}."""
    if isinstance(parent, dict) and isinstance(parent.get("collection_name"), str) \
            and isinstance(parent.get("member_name"), str):
        return f"/{parent['collection_name']}/{{{parent['member_name']}_id}}"
    if isinstance(prefix, str):
        return "/" + _colon_vars(prefix).strip("/") if prefix.strip("/") else None
    return None


def _colon_vars(path: str) -> str:
    """Routes' `:name` variables as `{name}`; a colon inside braces is a requirement (Heat's
    `{stack_name:arn\x3A.*}`), kept."""
    return re.sub(r"(\{[^}]*\})|:(\w+)", lambda m: m.group(1) or "{%s}" % m.group(2), path)


def _without_project(route: Route) -> Route:
    path = _colon_vars(route.path)
    path = _PROJECT_PREFIX.sub("", path) or "/"
    if not path.startswith("/"):
        path = "/" + path
    return replace(route, path=path) if path != route.path else route


def route_order(route: Route) -> tuple:
    verb = VERBS.index(route.verb) if route.verb in VERBS else len(VERBS)
    return (route.path, verb, route.action or "", route.min_version or "", route.controller or "")


def _router(scope: Scope) -> str | None:
    owner = scope.local.get("self", UNKNOWN_EV).value
    return owner.cls.dotted if isinstance(owner, Obj) and owner.cls is not None else None


def _functions(module: Module):
    """Every function and method of a module: (function, its class or None)."""
    def walk(body, prefix, cls):
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield DefRef(module, prefix + stmt.name, stmt), cls
            elif isinstance(stmt, ast.ClassDef):
                yield from walk(stmt.body, f"{prefix}{stmt.name}.", DefRef(module, prefix + stmt.name, stmt))
            elif isinstance(stmt, (ast.If, ast.Try)):
                yield from walk(stmt.body, prefix, cls)
    yield from walk(module.tree.body, "", None)
