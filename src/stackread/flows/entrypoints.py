"""`stackread entrypoints`: the programs a project installs, where each starts, and what each runs.

Declared entry points (console and WSGI scripts, plugin groups) are resolved to
`path:line` in the tree; console scripts are followed to the RPC service or WSGI
server they start. WSGI applications that current releases define only in code
(`nova/wsgi/*.py`: a module-level `application = ...`) are found by reading the tree,
so that the API process is never missing.
"""

from __future__ import annotations

import ast
import pathlib
import re
from dataclasses import dataclass, replace
from functools import cached_property

from stackread.frameworks.oslo_config import OptionIndex
from stackread.diagnostics import Diagnostic, Diagnostics
from stackread.errors import UsageError
from stackread.program.evaluate import DefRef, Evaluator, ModuleRef, Scope
from stackread.frameworks.packaging import DeclaredEntryPoint, ProjectMetadata, read_metadata
from stackread.program.modules import ModuleIndex
from stackread.frameworks.services import ApiInfo, ServiceInfo, describe_process
from stackread.source.libraries import with_libraries
from stackread.source.trees import SourceTree, open_tree, report_refused

SCRIPT_GROUPS = ("console_scripts", "gui_scripts")
WSGI_SCRIPT_GROUP = "wsgi_scripts"
# Our name for WSGI applications that no metadata declares: the module itself is the entry.
WSGI_APPLICATION_GROUP = "wsgi_application"
KINDS = ("service", "wsgi", "tool", "plugin")

APP_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_APPLICATION_ASSIGN = re.compile(rb"^[ \t]*application[ \t]*(:[^=\n]*)?=[^=]", re.MULTILINE)


@dataclass(frozen=True)
class EntryPoint:
    name: str
    group: str
    target: str
    kind: str  # one of KINDS
    path: str | None  # where the target is defined; None when external or unresolved
    line: int | None
    external: bool
    declared_path: str | None  # the metadata file (None for WSGI applications found in code)
    declared_line: int | None
    service: ServiceInfo | None = None
    api: ApiInfo | None = None


@dataclass(frozen=True)
class EntrypointReport:
    project: str | None
    version: str | None
    revision: str | None
    source: str
    entrypoints: tuple[EntryPoint, ...]
    diagnostics: tuple[Diagnostic, ...]

    def of_kind(self, kind: str) -> list[EntryPoint]:
        return [ep for ep in self.entrypoints if ep.kind == kind]

    @property
    def has_errors(self) -> bool:
        return any(d.severity.value == "error" for d in self.diagnostics)


@dataclass
class Project:
    """A tree opened for reading: its metadata, its modules (parsed on demand) and its packages."""

    tree: SourceTree
    metadata: ProjectMetadata
    index: ModuleIndex
    packages: list[str]
    diagnostics: Diagnostics

    @cached_property
    def options(self) -> OptionIndex:
        return OptionIndex(self.index, self.packages)


def open_project(path: str | pathlib.Path = ".", rev: str | None = None, libraries: tuple[str, ...] = ()) -> Project:
    """The project at PATH (at REV), with the packages of the libraries named read beside its own."""
    from stackread.source.observed import ObservedTree

    root, metadata_dir = _locate_project(pathlib.Path(path), rev)
    # What the project's readers read is observed: their answers are kept by it (source/observed.py).
    tree = ObservedTree(with_libraries(open_tree(root, rev), libraries))
    if rev is None and not metadata_dir:
        metadata_dir = _installed_metadata_dir(tree)
    try:
        metadata = read_metadata(tree, metadata_dir)
    except UsageError as exc:
        if not tree.refused:
            raise
        # "no packaging metadata" next to a setup.cfg that is a FIFO: say why it was not read.
        why = "; ".join(f"{path}: {reason}" for path, reason in tree.refused.items())
        raise UsageError(f"{exc} (not read: {why})") from None
    diagnostics = Diagnostics()
    diagnostics.extend(metadata.problems)  # every question about the project answers with them
    roots = ("", "src") if tree.is_dir("src") else ("",)
    index = ModuleIndex(tree, diagnostics, roots)
    return Project(tree, metadata, index, _project_packages(index, metadata.entrypoints), diagnostics)


def find_entrypoints(path: str | pathlib.Path = ".", rev: str | None = None,
                     libraries: tuple[str, ...] = ()) -> EntrypointReport:
    """The entry points, each console script's RPC servers read from the whole program (with the
    libraries named read beside it: Neutron's topics are neutron-lib's constants)."""
    from stackread.flows.callgraph import build_program
    from stackread.flows.question import cached
    from stackread.flows.reading import Reading
    from stackread.flows.treekey import answer_key
    from stackread.index.build import prefetching
    from stackread.source.observed import unobserved

    reading = Reading(path, rev, libraries=libraries)
    project, diagnostics = reading.project, Diagnostics()
    if not any(ep.group == "console_scripts" for ep in project.metadata.entrypoints):
        return with_rpc_servers(entrypoints_of_project(project), reading)  # no script can start a server

    def read(cache) -> EntrypointReport:
        # The servers are read from the whole program: its files are parsed on the other cores
        # while the entry points are resolved here.
        with prefetching(unobserved(project.tree), cache):
            report = entrypoints_of_project(project)
            program, _indexed = build_program(project.tree, cache, diagnostics, include_tests=False)
        program.follow_parameters = False
        return with_rpc_servers(report, reading, program)

    # Kept under the tree's key: asked again of the same tree, the report is read back.
    with reading.open_cache(diagnostics) as cache:
        return cached(cache, answer_key("servers", reading.tree), lambda: read(cache))


def with_rpc_servers(report: EntrypointReport, reading, program=None) -> EntrypointReport:
    """The report with each script that starts an RPC server shown as a service: its topics and
    endpoints as its `get_rpc_server` call receives them (frameworks.rpc_servers). A "service"
    without a manager whose main reaches no server is an API or a tool that only imports the RPC
    library (magnum-api)."""
    from stackread.flows.callgraph import build_program
    from stackread.frameworks.rpc_processes import reached, serves, started
    from stackread.frameworks.rpc_servers import explained, find_servers

    scripts = [ep for ep in report.entrypoints if ep.kind in ("service", "tool") and ep.path]
    if not scripts:
        return report
    if program is None:  # `rpc` and `trace` hand theirs
        diagnostics = Diagnostics()
        with reading.open_cache(diagnostics) as cache:
            program, _indexed = build_program(reading.project.tree, cache, diagnostics, include_tests=False)
        program.follow_parameters = False
    described = [ep for ep in report.entrypoints if ep.service is not None]
    servers = [s for s in find_servers(program, explained(program, described)) if s.endpoints]
    wrappers = {s.served_as for s in servers}  # Zun's "manager" rpc_service.Service: the server itself
    candidates = [ep for ep in scripts if not (ep.service and ep.service.manager and ep.service.topic)
                  or ep.service.manager in wrappers]
    plugins = frozenset(ep.target.replace(":", ".") for ep in report.entrypoints
                        if ep.kind == "plugin" and ep.target.replace(":", ".") in program.defs)
    upgraded = {}
    for ep in candidates:
        main = f"{ep.target.split(':', 1)[0]}.{ep.target.split(':', 1)[1]}" if ":" in ep.target else None
        functions, classes = reached(program, main, plugins) if servers and main in program.defs else (set(), {})
        # the classes main names itself first: heat-engine's EngineService before what it starts
        mine = sorted((s for s in servers if serves(s, functions, classes)),
                      key=lambda s: classes.get(s.served_as, len(classes)))
        if mine:
            info = _service_of(program, ep, mine, len(classes))
            upgraded[ep.name] = replace(ep, kind="service", service=replace(info, services_started=started(program, classes)))
        elif ep.kind == "service" and not ep.service.manager:
            upgraded[ep.name] = replace(ep, kind="wsgi" if ep.api else "tool", service=None)
    for ep in described:
        if ep.name in upgraded or not ep.service.manager or not ep.service.topic:
            continue
        # The manager of a `Service.create(topic=...)` that also consumes topics of its own (neutron's
        # L3 agent: `agent_rpc.create_consumers([self], topics.AGENT, [[NETWORK, UPDATE]])` in `init_host`,
        # which the service runs on its manager, named by a dotted string)
        served = program.mro(ep.service.manager)
        more = [t for s in servers if s.served_as in served and s.served_as in (s.endpoints or ()) for t in s.topics
                if t not in (ep.service.topic, *ep.service.extra_topics)]
        if more:
            info = replace(ep.service, extra_topics=(*ep.service.extra_topics, *dict.fromkeys(more)))
            upgraded[ep.name] = replace(ep, service=info)
    if upgraded:
        entrypoints = sorted((upgraded.get(ep.name, ep) if ep.kind != "plugin" else ep for ep in report.entrypoints),
                             key=lambda ep: (KINDS.index(ep.kind), ep.group if ep.kind == "plugin" else "", ep.name))
        report = replace(report, entrypoints=tuple(entrypoints))
    return _with_topics_hint(report, reading, program)


def _with_topics_hint(report: EntrypointReport, reading, program) -> EntrypointReport:
    """Services whose topic is unknown because it is a library's name (neutron-lib's topics): say
    which `-L` reads it, once."""
    from stackread.diagnostics import Diagnostic, Severity
    from stackread.frameworks.rpc_hints import topics_hint

    if reading.libraries:
        return report
    hint = topics_hint(program, reading.project.tree, [], [ep for ep in report.entrypoints if ep.kind == "service"])
    if hint is None:
        return report
    return replace(report, diagnostics=(*report.diagnostics, Diagnostic(Severity.WARNING, *hint)))


def _service_of(program, ep: EntryPoint, servers, classes_named: int) -> ServiceInfo:
    topics = [t for s in servers for t in s.topics]
    topics = sorted(set(topics), key=topics.index)
    endpoints = [c for s in servers for c in s.endpoints]
    endpoints = sorted(set(endpoints), key=endpoints.index)
    manager = endpoints[0]
    definition = program.defs.get(manager)
    manager_path = program.modules[definition.module].path if definition else None
    binary = ep.service.binary if ep.service and ep.service.binary else ep.name
    return ServiceInfo(binary, topics[0] if topics else None, manager, manager_path,
                       definition.line if definition else None, tuple(topics[1:]),
                       servers[0].path, servers[0].line, None, None, tuple(endpoints), classes_named)


def entrypoints_of_project(project: Project) -> EntrypointReport:
    tree, metadata, index, packages, diagnostics = (project.tree, project.metadata, project.index,
                                                     project.packages, project.diagnostics)
    options = project.options

    entrypoints = [_resolve(index, options, ep, diagnostics) for ep in metadata.entrypoints]
    targeted = {ep.target.split(":", 1)[0] for ep in entrypoints}
    entrypoints += [ep for ep in _wsgi_applications(index, options, packages) if ep.target.split(":")[0] not in targeted]
    entrypoints.sort(key=lambda ep: (KINDS.index(ep.kind), ep.group if ep.kind == "plugin" else "", ep.name))
    report_refused(tree, diagnostics)
    return EntrypointReport(metadata.name, metadata.version, tree.revision, tree.label,
                            tuple(entrypoints), tuple(diagnostics.items))


def _locate_project(path: pathlib.Path, rev: str | None) -> tuple[pathlib.Path, str]:
    """(tree root, metadata dir inside it): PATH may name an installed *.dist-info directly."""
    if rev is None and path.name.endswith((".dist-info", ".egg-info")) and path.is_dir():
        return path.parent, path.name
    return path, ""


def _installed_metadata_dir(tree: SourceTree) -> str:
    """In a site-packages directory, the one distribution's metadata; a source tree has its own files."""
    if tree.is_file("setup.cfg") or tree.is_file("pyproject.toml") or tree.is_file("PKG-INFO"):
        return ""
    dists = [name for name in tree.list_dir("") if name.endswith(".dist-info")]
    if len(dists) > 1:
        choices = ", ".join(dists[:5]) + (" ..." if len(dists) > 5 else "")
        raise UsageError(f"{tree.label}: {len(dists)} installed distributions here; name one, e.g. {tree.label}/{dists[0]} ({choices})")
    return dists[0] if dists else ""


def _project_packages(index: ModuleIndex, declared: tuple[DeclaredEntryPoint, ...]) -> list[str]:
    tops = sorted({ep.module.split(".")[0] for ep in declared if ep.module})
    return [top for top in tops if index.owns(top)]


def _kind(group: str) -> str:
    if group in SCRIPT_GROUPS:
        return "tool"
    if group == WSGI_SCRIPT_GROUP:
        return "wsgi"
    return "plugin"


def _resolve(index: ModuleIndex, options: OptionIndex, ep: DeclaredEntryPoint, diagnostics: Diagnostics) -> EntryPoint:
    kind = _kind(ep.group)
    common = dict(name=ep.name, group=ep.group, target=ep.target, declared_path=ep.declared_path,
                  declared_line=ep.declared_line)
    where = (ep.declared_path, ep.declared_line)
    if not ep.module or not all(p.isidentifier() for p in ep.module.split(".")):
        diagnostics.error(*where, f"{ep.name}: target {ep.target!r} is not 'module:attr'")
        return EntryPoint(kind=kind, path=None, line=None, external=False, **common)
    if not index.owns(ep.module):
        return EntryPoint(kind=kind, path=None, line=None, external=True, **common)
    module_path = index.path_of(ep.module)
    if kind == "plugin" and module_path is not None:
        # Hundreds of plugins only need their line: a column-0 `class X`/`def X` says it without parsing.
        line = 1 if ep.attr is None else index.toplevel_line(ep.module, ep.attr) if "." not in ep.attr else None
        if line is not None:
            return EntryPoint(kind=kind, path=module_path, line=line, external=False, **common)
    if module_path is None:
        diagnostics.error(*where, f"{ep.name}: target module {ep.module} is missing "
                                  f"(no {ep.module.replace('.', '/')}.py in the tree)")
        return EntryPoint(kind=kind, path=None, line=None, external=False, **common)
    module = index.get(ep.module)
    if module is None:
        diagnostics.error(module_path, None, f"{ep.name}: target module does not parse (see warning above)")
        return EntryPoint(kind=kind, path=module_path, line=None, external=False, **common)
    if ep.attr is None:
        return EntryPoint(kind=kind, path=module.path, line=1, external=False, **common)

    evaluator = Evaluator(index, options, script_name=ep.name)
    value = _attr_value(evaluator, module, ep.attr)
    if isinstance(value, ModuleRef) and index.path_of(value.name):
        # A subpackage named as the attribute (neutron's `neutron.db.migration:alembic_migrations`).
        return EntryPoint(kind=kind, path=index.path_of(value.name), line=1, external=False, **common)
    if not isinstance(value, DefRef):
        diagnostics.error(module.path, None, f"{ep.name}: {ep.attr} is not defined in {ep.module}")
        return EntryPoint(kind=kind, path=module.path, line=None, external=False, **common)
    service = api = None
    if kind == "tool" and isinstance(value.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        role = describe_process(evaluator, value)
        service, api = role.service, role.api
        kind = "service" if service else "wsgi" if api else "tool"
        if service and service.manager and service.manager_path is None and index.owns(service.manager):
            diagnostics.warning(service.created_path, service.created_line,
                                f"{ep.name}: manager class {service.manager} is not in the tree")
    return EntryPoint(kind=kind, path=value.module.path, line=value.node.lineno, external=False,
                      service=service, api=api, **common)


def _attr_value(evaluator: Evaluator, module, attr: str):
    value = evaluator.module_attr(module, attr.split(".")[0]).value
    for part in attr.split(".")[1:]:
        value = evaluator.attribute(value, part).value
    return value


def binds_application(data: bytes) -> bool:
    return _APPLICATION_ASSIGN.search(data) is not None


def _wsgi_applications(index: ModuleIndex, options: OptionIndex, packages: list[str]) -> list[EntryPoint]:
    """Modules whose top level binds `application` to something: what uWSGI / mod_wsgi load."""
    from stackread.source.observed import scan

    found = []
    for path in scan(index.tree, index.python_files(packages), [binds_application])[binds_application]:
        module = index.get_by_path(path)
        if module is None:
            continue
        assign = _application_assignment(module)
        if assign is None:
            continue
        evaluator = Evaluator(index, options)
        apps = tuple(v for v in _string_args(evaluator, module, assign.value) if v)
        found.append(EntryPoint(
            name=module.path, group=WSGI_APPLICATION_GROUP, target=f"{module.name}:application", kind="wsgi",
            path=module.path, line=assign.lineno, external=False, declared_path=None, declared_line=None,
            api=ApiInfo(apps, module.path, assign.lineno)))
    return found


def _application_assignment(module) -> ast.Assign | None:
    """The module-level `application = <something other than None>`, if any."""
    for stmt in reversed(module.bindings.get("application", [])):
        if isinstance(stmt, ast.Assign) and not (isinstance(stmt.value, ast.Constant) and stmt.value.value is None):
            return stmt
    return None


def _string_args(evaluator: Evaluator, module, node: ast.AST, inner: bool = True) -> list[str]:
    """Name-like string arguments of the call that builds the application (`'osapi_compute'`); of a
    call of the tree's function with none, those of the calls it returns: Masakari's and Cinder's
    `application = initialize_application()` returns `deploy.loadapp(..., name="masakari_api")`."""
    if not isinstance(node, ast.Call):
        return []
    nodes = node.args + [k.value for k in node.keywords]
    values = [evaluator.eval(arg, Scope(module)).value for arg in nodes]
    found = [v for v in values if isinstance(v, str) and APP_NAME.match(v)]
    called = evaluator.eval(node.func, Scope(module)).value if inner and not found else None
    if isinstance(called, DefRef) and isinstance(called.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for returned in ast.walk(called.node):
            if isinstance(returned, ast.Return):
                found += _string_args(evaluator, called.module, returned.value, inner=False)
    return list(dict.fromkeys(found))
