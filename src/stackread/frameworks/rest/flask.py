"""Flask-RESTful resources: Keystone's `keystone/api/*.py` and plain `api.add_resource(...)`.

A flask-restful `Resource` serves each HTTP verb with the method of that name (`get`, `post`,
...), called with the URL's variables as keyword arguments. So a method serves a URL when every
variable of the URL is one of its parameters and every parameter without a default is a variable
(`def get(self, user_id=None)` serves `/users` and `/users/{user_id}`; `def post(self)` only the
first). Keystone's APIs are classes (`ks_flask.APIBase`) that list their resources in two class
attributes: `resource_mapping` (`construct_resource_map(resource=..., url=..., alternate_urls=...)`)
and `resources` (classes whose `collection_key`/`member_key` give `/{collection}` and
`/{collection}/<string:{member}_id>`). Every URL is under the blueprint prefix the API class's
`_build_bp_url_prefix('')` gives (`/v3`) and its `_api_url_prefix` (`/OS-FEDERATION`); alternate
URLs only count for an API without that prefix, as Keystone adds them.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from stackread.frameworks.rest.interpreter import Instance, Interpreter, RouteEvaluator
from stackread.frameworks.rest.route import Route
from stackread.frameworks.rest.routes_mapper import candidate_files
from stackread.program.evaluate import DefRef, Scope
from stackread.program.modules import class_member

_MAPPING = re.compile(rb"resource_mapping\s*=")
_METHODS = ("get", "post", "put", "patch", "delete", "head")
_FLASK_VAR = re.compile(r"<(?:[^:<>]+:)?(\w+)>")


def may_declare(data: bytes) -> bool:
    # Heat's resource plugins define `def resource_mapping():`; only an assignment is a table here.
    return b".add_resource(" in data or b"resource_mapping" in data and _MAPPING.search(data) is not None


def read_routes(project, among: list[str] | None = None) -> list[Route]:
    ev = RouteEvaluator(project.index, project.options)
    interpreter = Interpreter(ev, None)
    routes: list[Route] = []
    for file in candidate_files(project, may_declare, among):
        module = project.index.get_by_path(file)
        if module is None:
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef) and class_member(node, "resource_mapping") is not None:
                routes += _api_class(ev, interpreter, DefRef(module, node.name, node))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "add_resource":
                routes += _add_resource(ev, Scope(module), node)
    return routes


def _api_class(ev: RouteEvaluator, interpreter: Interpreter, api: DefRef) -> list[Route]:
    prefix = _blueprint_prefix(ev, interpreter, api) + _text(ev.class_attribute(api, "_api_url_prefix"))
    scope = Scope(api.module)
    routes: list[Route] = []
    mapping = class_member(api.node, "resource_mapping")
    for call in mapping.value.elts if isinstance(getattr(mapping, "value", None), ast.List) else ():
        if not isinstance(call, ast.Call):
            continue
        given = {k.arg: ev.eval(k.value, scope).value for k in call.keywords if k.arg}
        resource, urls = given.get("resource"), [given.get("url")]
        if not _text(ev.class_attribute(api, "_api_url_prefix")):
            alternates = given.get("alternate_urls")
            urls += [a.get("url") for a in alternates if isinstance(a, dict)] if isinstance(alternates, list) else []
        routes += _served(ev, resource, [prefix + u for u in urls if isinstance(u, str)], api.module.path, call.lineno)
    listed = class_member(api.node, "resources")
    for element in listed.value.elts if isinstance(getattr(listed, "value", None), ast.List) else ():
        resource = ev.eval(element, scope).value
        if not (isinstance(resource, DefRef) and resource.is_class):
            continue
        collection = _text(ev.class_attribute(resource, "collection_key"))
        member = _text(ev.class_attribute(resource, "member_key"))
        if not collection or not member:
            continue  # Keystone skips such a resource too
        key = _text(ev.class_attribute(resource, "_id_path_param_name_override")) or f"{member}_id"
        urls = [f"{prefix}/{collection}", f"{prefix}/{collection}/<string:{key}>"]
        routes += _served(ev, resource, urls, api.module.path, element.lineno)
    return routes


def _add_resource(ev: RouteEvaluator, scope: Scope, call: ast.Call) -> list[Route]:
    """`api.add_resource(Resource, '/url', ...)` with the URLs written as literals."""
    if not call.args or any(isinstance(a, ast.Starred) for a in call.args):
        return []
    resource = ev.eval(call.args[0], scope).value
    urls = [ev.eval(a, scope).value for a in call.args[1:]]
    return _served(ev, resource, [u for u in urls if isinstance(u, str)], scope.module.path, call.lineno)


def _served(ev: RouteEvaluator, resource: Any, urls: list[str], path: str, line: int) -> list[Route]:
    if isinstance(resource, Instance):
        resource = resource.cls
    if not (isinstance(resource, DefRef) and resource.is_class):
        return []
    routes = []
    for url in urls:
        variables = set(_FLASK_VAR.findall(url))
        template = _FLASK_VAR.sub(r"{\1}", url)
        for name in _METHODS:
            found = ev.class_attribute(resource, name)
            method = found.value if found is not None else None
            if isinstance(method, DefRef) and not method.is_class and _accepts(method.node, variables):
                routes.append(Route(name.upper(), template, None, method.dotted, method.module.path,
                                    method.node.lineno, None, None, path, line))
    return routes


def _accepts(fn: ast.AST, variables: set[str]) -> bool:
    """Whether flask can call the method with the URL's variables as keyword arguments."""
    args = fn.args
    params = [a.arg for a in (*args.posonlyargs, *args.args)][1:]
    required = set(params[:len(params) - len(args.defaults)])
    named = set(params) | {a.arg for a in args.kwonlyargs}
    required |= {a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is None}
    return required <= variables and (variables <= named or args.kwarg is not None)


def _blueprint_prefix(ev: RouteEvaluator, interpreter: Interpreter, api: DefRef) -> str:
    """What the API class's `_build_bp_url_prefix('')` returns: Keystone's `/v3`."""
    found = ev.class_attribute(api, "_build_bp_url_prefix")
    if found is None or not isinstance(found.value, DefRef) or found.value.is_class:
        return ""
    return _text(interpreter.call(found.value, ("",), {}))


def _text(found) -> str:
    value = getattr(found, "value", None)
    return value.rstrip("/") if isinstance(value, str) else ""
