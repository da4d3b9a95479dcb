"""Paste deploy: which router serves which URL prefix, from `api-paste.ini`.

A WSGI server loads one composite of the file (`[composite:osapi_compute]`); a urlmap composite
(`use = egg:Paste#urlmap`, or a project's `urlmap_factory`) mounts a section per prefix
(`/v2.1: openstack_compute_api_v21`); a pipeline (`[pipeline:x] pipeline = filter ... app`, or a
composite whose `noauth2 = ...`/`keystone = ...` lines are pipelines picked by the auth setting)
ends in an app; an app names its factory (`paste.app_factory = nova.api.openstack.compute:
APIRouterV21.factory`, or Heat's `heat.app_factory = heat.api.openstack.v1:API` beside a generic
paste one). A router the file declares as an app that no urlmap reaches is not mounted unless the
deployer edits the file: Nova 12.0.0 and 13.0.0 keep `osapi_compute_app_legacy_v2` declared while
`/v2` and `/v2.1` both lead to APIRouterV21. The file is read as text, never loaded with paste.
"""

from __future__ import annotations

import ast
import configparser
import re
from dataclasses import dataclass

from stackread.frameworks.rest.paste_files import paste_files
from stackread.program.evaluate import DefRef, Evaluator, Scope

_MAX_HOPS = 32  # sections followed from one mount; a loop in the file ends here
_CALL_DEPTH = 3  # calls followed from an app factory to the code that builds its app


@dataclass(frozen=True)
class Mount:
    """A router class of the tree and the URL prefixes paste mounts it under (none: declared only)."""

    router: str  # dotted class
    prefixes: tuple[str, ...]
    path: str  # the paste file
    line: int  # its [app:...] section


def mounts(project) -> list[Mount]:
    ev = Evaluator(project.index, project.options)
    result: list[Mount] = []
    for file in paste_files(project.tree):
        result += _file_mounts(project, ev, file)
    return result


def _file_mounts(project, ev: Evaluator, file: str) -> list[Mount]:
    data = project.tree.read_bytes(file)
    if data is None:
        return []
    text = data.decode("utf-8", "replace")
    parser = configparser.RawConfigParser(strict=False, interpolation=None, default_section="\0none")
    parser.optionxform = str  # prefixes and keys keep their case
    try:
        parser.read_string(text, source=file)
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None) or next((n for n, _ in getattr(exc, "errors", [])), None)
        project.diagnostics.warning(file, line, f"cannot read this paste deploy file: {exc.message}")
        return []
    lines = {m.group(1).strip(): text.count("\n", 0, m.start()) + 1
             for m in re.finditer(r"^\[([^\]]+)\]", text, re.MULTILINE)}
    apps = {name.partition(":")[2].strip(): name for name in parser.sections()
            if name.partition(":")[0].strip() == "app"}
    served: dict[str, set[str]] = {app: set() for app in apps}
    for section in parser.sections():
        kind, _, name = section.partition(":")
        if kind.strip() == "composite" and _is_urlmap(parser[section]):
            for prefix, target in parser[section].items():
                if prefix.startswith("/"):
                    for app in _apps_of(parser, target.strip(), 0):
                        # Nova's urlmap_factory writes `/v2/+` for "this prefix and below".
                        served.setdefault(app, set()).add(prefix.removesuffix("+").rstrip("/") or "/")
    if not any(_is_urlmap(parser[s]) for s in parser.sections() if s.startswith("composite")):
        return []  # no urlmap: the file says nothing about prefixes
    result = []
    for app, section in apps.items():
        router = _router(ev, parser[section])
        if router is not None:
            result.append(Mount(router.dotted, tuple(sorted(served.get(app, ()))), file, lines.get(section, 1)))
    return result


def _is_urlmap(section) -> bool:
    """Paste's urlmap, a project's `urlmap_factory`, or a factory handed URL prefixes as its keys:
    Manila's and Cinder's `call:manila.api:root_app_factory` passes them on to urlmap_factory."""
    return "urlmap" in section.get("use", "") or any(key.startswith("/") for key in section)


def _apps_of(parser, name: str, hops: int) -> list[str]:
    """The apps a section name leads to: through pipelines and pipeline composites to their last word."""
    if hops > _MAX_HOPS:
        return []
    for kind in ("app", "pipeline", "composite"):
        section = f"{kind}:{name}"
        if not parser.has_section(section):
            continue
        if kind == "app":
            return [name]
        values = parser[section]
        if kind == "pipeline":
            words = values.get("pipeline", "").split()
            return _apps_of(parser, words[-1], hops + 1) if words else []
        if _is_urlmap(values):
            return [a for key, target in values.items() if key.startswith("/")
                    for a in _apps_of(parser, target.strip(), hops + 1)]
        found = []
        for key, value in values.items():
            words = value.split()
            if key not in ("use", "paste.composite_factory") and words:
                found += [a for a in _apps_of(parser, words[-1], hops + 1) if a not in found]
        return found
    return []


def _router(ev: Evaluator, section) -> DefRef | None:
    """The class an app's factory names (or the function, which a pecan app's root is made in): a
    project's own `x.app_factory` before paste's generic one."""
    keys = sorted((k for k in section if k.endswith("app_factory")), key=lambda k: k == "paste.app_factory")
    for key in keys:
        module, _, attr = section[key].strip().partition(":")
        if not attr:
            continue
        # `Class.factory` names a class method, maybe inherited: the class is the one named.
        owner = ev.resolve_dotted(f"{module}.{attr.rsplit('.', 1)[0]}") if "." in attr else None
        found = owner if isinstance(owner, DefRef) and owner.is_class else ev.resolve_dotted(f"{module}.{attr}")
        if not isinstance(found, DefRef) and isinstance(owner, DefRef):
            found = _set_on(ev, owner, attr.rsplit(".", 1)[1])
        if isinstance(found, DefRef):
            return found
    return None


def _set_on(ev: Evaluator, owner: DefRef, attr: str) -> DefRef | None:
    """`setattr(APIRouter, 'factory', _factory)` at module level: Neutron's app factory."""
    for stmt in owner.module.tree.body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "setattr" \
                and len(call.args) == 3 and isinstance(call.args[0], ast.Name) and call.args[0].id == owner.qualname \
                and isinstance(call.args[1], ast.Constant) and call.args[1].value == attr:
            value = ev.eval(call.args[2], Scope(owner.module)).value
            return value if isinstance(value, DefRef) else None
    return None


def _callees(ev: Evaluator, func: DefRef, depth: int = _CALL_DEPTH) -> list[DefRef]:
    """The tree's functions an app factory calls, by module-level names, a few calls deep: what
    builds the app it returns (Neutron's factory -> v2_factory -> startup.initialize_all)."""
    found: dict[str, DefRef] = {}
    todo = [(func, 0)]
    while todo:
        current, level = todo.pop()
        if level >= depth or not isinstance(current.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(current.node):
            if isinstance(node, ast.Call):
                callee = ev.eval(node.func, Scope(current.module)).value
                if isinstance(callee, DefRef) and not callee.is_class and callee.dotted not in found:
                    found[callee.dotted] = callee
                    todo.append((callee, level + 1))
    return list(found.values())


def mounts_by_class(ev: Evaluator, found: list[Mount], bases) -> dict[str, tuple[str, ...]]:
    """Each router class and each of its bases -> the prefixes of every mounted router it is part of.

    A route declared in a base class's method is served by each paste router deriving from it, so
    it is unmounted only when every such router is."""
    by_class: dict[str, set[str]] = {}
    for mount in found:
        cls = ev.resolve_dotted(mount.router)
        if isinstance(cls, DefRef) and cls.is_class:
            members = bases(cls)
        else:  # a factory function, and what it calls to build the app (a pecan root is made there)
            members = [cls, *_callees(ev, cls)] if isinstance(cls, DefRef) else []
        for member in members:
            by_class.setdefault(member.dotted, set()).update(mount.prefixes)
    return {name: tuple(sorted(prefixes)) for name, prefixes in by_class.items()}
