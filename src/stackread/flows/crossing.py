"""`trace OPERATION -C nova -C cinder`: one request followed across projects, over REST.

The walk of the first tree (the calling project) stops at another service's client as a leaf (a
`service` step: `nova.volume.cinder.API.attachment_create`). With the serving project's tree given
too, that leaf is read on: the client library's source (python-cinderclient, read beside the
calling tree like `-L`, never imported) says which HTTP request the call sends
(frameworks.rest_clients: `POST /attachments`), the serving tree's routes which controller action
receives it (`AttachmentsController.create`), and the flow goes on there with that tree's own walk
(its RPC hops to cinder-volume and the rest), below a hop of kind "rest" from the calling process
to the serving project's API process (`nova-api =rest=> cinder-api  POST /attachments`). A client
function sending several requests (nova/network/neutron.py's allocate_for_instance) makes a hop per
request, each with the branches the function takes to it (`nets and not request.port_id`), off the
default path when sent only from an `except` block (a cleanup after a failed create).

The client library is read with its parameters followed to every caller, the calling tree's own
functions on the walk's path only, each call returning what its own arguments make
(Program.follow_parameters_of): Nova's `glanceclient.Client(2, ...)` is the v2 client.

A tree's own REST caller needs no client library: Nova's Placement report client sends through an
openstacksdk proxy (`utils.get_sdk_adapter('placement')`), a transport frameworks.rest_clients knows,
and the walker names it for `placement` (`nova-scheduler =rest=> placement-api  PUT /allocations/{id}`).

Which tree serves a client is said by the client itself: the service the walker names it for
(`cinder` for a module importing cinderclient) is a package of the tree. Which client library is
read: those given with `-L`, else, for each serving tree, the `python-<package>client` the calling
tree's requirements.txt asks for, the newest release of it in the cache, else fetched as `get`
does. A serving tree reads beside it the `-L` libraries its own requirements.txt asks for
(neutron-lib for Neutron). Without the serving tree the call stays a leaf, as without this module.
"""

from __future__ import annotations

import copy
import pathlib
import re
from dataclasses import dataclass, replace

from stackread.flows.flow import Hop, Step
from stackread.flows.reading import Reading


def tree_path(spec: str, cache_dir=None) -> str:
    """A `-C` value as a directory: a path as it is, a release (`cinder==29.0.0`) fetched like `get`."""
    if pathlib.Path(spec).expanduser().exists() or ("==" not in spec and "/" in spec):
        return spec
    from stackread.errors import FetchError, UsageError
    from stackread.source.fetch import fetch_release

    try:
        return str(fetch_release(spec, pathlib.Path(cache_dir) if cache_dir else None))
    except FetchError as exc:
        raise UsageError(f"-C {spec}: {exc}") from None


def readings(specs: tuple[str, ...], rev: str | None, cache_dir, use_cache: bool,
             libraries: tuple[str, ...]) -> tuple[Reading, list[Reading]]:
    """The calling tree (the first `-C`, at `--rev`, with its libraries and the serving trees'
    clients beside it) and the serving trees (the other `-C`s)."""
    paths = [tree_path(spec, cache_dir) for spec in specs or (".",)]
    servers = [Reading(p, None, cache_dir, use_cache, _asked_for(p, libraries)) for p in paths[1:]]
    clients = client_libraries(paths[0], rev, cache_dir, libraries, servers)
    return Reading(paths[0], rev, cache_dir, use_cache, libraries + clients), servers


def client_libraries(path: str, rev: str | None, cache_dir, libraries: tuple[str, ...],
                     servers: list[Reading]) -> tuple[str, ...]:
    """The client libraries of the serving trees the calling tree asks for in its requirements.txt
    (`python-cinderclient>=4.0.1`), each as a directory of the newest cached release or a release
    name to fetch; none where `-L` names one already."""
    from stackread.source.libraries import requirement_of
    from stackread.source.trees import open_tree

    given = {_distribution(pathlib.Path(spec).name) for spec in libraries}
    caller = open_tree(path, rev)
    found: list[str] = []
    for server in servers:
        for package in server.project.packages:
            name = f"python-{package}client"
            if name not in given and requirement_of(caller, name) is not None:
                found.append(_cached_release(name, cache_dir) or name)
    return tuple(dict.fromkeys(found))


def _asked_for(path: str, libraries: tuple[str, ...]) -> tuple[str, ...]:
    """The `-L` libraries a serving tree's requirements.txt asks for (neutron-lib for Neutron, whose
    API definitions, callbacks registry and RPC topics are there): read beside it as well."""
    from stackread.source.libraries import requirement_of
    from stackread.source.trees import open_tree

    tree = open_tree(path, None)
    return tuple(spec for spec in libraries
                 if requirement_of(tree, _distribution(pathlib.Path(spec).name)) is not None)


def _distribution(label: str) -> str:
    """`python-cinderclient-9.10.0` or `python-cinderclient==9.10.0` -> python-cinderclient."""
    return re.split(r"==|-(?=\d)", label, maxsplit=1)[0].lower()


def _cached_release(name: str, cache_dir) -> str | None:
    from packaging.version import InvalidVersion, Version

    from stackread.source.cachedir import default_cache_dir

    releases = (pathlib.Path(cache_dir) if cache_dir else default_cache_dir()) / "releases"
    versions = []
    for where in releases.glob(f"{name}-*"):
        try:
            versions.append((Version(where.name[len(name) + 1:]), str(where)))
        except InvalidVersion:
            continue
    return max(versions)[1] if versions else None


@dataclass
class Server:
    """A serving project: its tracer (routes, program, walk), and the packages that name it."""

    tracer: object
    packages: tuple[str, ...]


def cross(root: Step, program, servers: list[Server], notes: list[str], packages: tuple[str, ...] = ()) -> None:
    """Each service leaf of the walked flow whose client request a serving tree routes: the REST hop
    into that tree's API process, with the flow there below it (in place). `packages`: the calling
    tree's own."""
    walked: dict[tuple[int, str], Step] = {}
    # A client library keeps what its constructor is handed (`Manager.__init__(self, api)`): read
    # through every caller's values, as `requests_of` is asked everywhere else. The calling tree's
    # own functions are read on the walk's path: every caller's `context` there leads through the
    # whole tree (Nova's), deeper than a chain is followed, before the library is reached.
    following = program.follow_parameters
    # The calling tree's packages: those its packaging names, and those of its calls into a client.
    own = set(packages) | {step.function.split(".", 1)[0] for step, _conditions, _caller in _service_steps(root)}
    # What the walk memoised read parameters its own way, and what crossing memoises another: each
    # starts afresh (a gallery walks the next operation after this one).
    program.forget_values()
    program.follow_parameters_of(lambda function_full: function_full.split(".", 1)[0] not in own)
    try:
        _cross(root, program, servers, notes, walked)
    finally:
        program.follow_parameters = following
        program.forget_values()


def _cross(root: Step, program, servers: list[Server], notes: list[str], walked: dict) -> None:
    from stackread.frameworks.rest_clients import matching_route, requests_of

    for step, conditions, caller in list(_service_steps(root)):
        server = next((s for s in servers if step.service in s.packages), None)
        if server is None:
            continue
        for request in requests_of(program, step.function, _call_site(program, caller, step)):
            route = matching_route(server.tracer.routes.routes, request.verb, request.url, request.action)
            if route is None or not route.controller:
                notes.append(f"{step.function} sends {request.verb} {request.url}, which no route of "
                             f"{server.tracer.reading.label} serves: the flow stops there.")
                continue
            key = (id(server), route.controller)
            seen = key in walked
            if not seen:
                walked[key] = _serving_root(server, route, notes)
            served = walked[key]
            method = f"{request.verb} {request.url}" + (f" ({request.action})" if request.action else "")
            default_path = step.default_path and not request.error_path
            error_path = step.error_path or request.error_path
            condition = " and ".join(conditions + _branches(request.branches)) or None
            hop = Hop(step.process, served.process, method, "rest", False, request.client_function,
                      request.path, request.line, route.controller, served.path, served.line, None,
                      condition, default_path, error_path, list(step.assumed))
            hop.open = default_path and (step.open or bool(request.branches))
            children = [] if seen else served.children
            if error_path or not default_path:  # what runs below a call off the default path is too
                children = [_off_path(copy.deepcopy(c), error_path) for c in children]
            step.children.append(replace(served, kind="hop", hop=hop, call_line=step.call_line,
                                         default_path=default_path, error_path=error_path, open=hop.open,
                                         seen_above=seen, children=children))


def _branches(branches: tuple) -> tuple[str, ...]:
    """The client function's own branches to a request, as the walk writes a step's condition."""
    from stackread.flows.walker import negated

    return tuple(dict.fromkeys(text if kind == "if" else negated(text) for kind, text in branches))


def _off_path(step: Step, error: bool) -> Step:
    step.default_path = step.open = False
    step.error_path = step.error_path or error
    if step.hop is not None:
        step.hop.default_path, step.hop.error_path = False, step.hop.error_path or error
        step.hop.open = False
    for child in step.children:
        _off_path(child, error)
    return step


def _serving_root(server: Server, route, notes: list[str]) -> Step:
    name = f"{route.verb} {route.path}" + (f" ({route.action})" if route.action else "")
    served = server.tracer.walk(name, route)
    notes += [f"In {served.root.process}: {n}" for n in served.notes
              if "reaches no other process" not in n and f"In {served.root.process}: {n}" not in notes]
    return served.root


def _call_site(program, caller: Step, step: Step) -> list | None:
    """The call record in the caller's body that runs the step: its line, the function's name."""
    name = step.function.rpartition(".")[2]
    for record in program.calls_in(caller.function):
        callee = record[1]
        if record[2] == step.call_line and (callee[0] == "a" and callee[2] == name or callee == ["n", name]):
            return record
    return None


def _service_steps(step: Step, conditions: tuple[str, ...] = ()):
    """Each service leaf, with the conditions on the way from where the flow entered its process
    (an RPC hop's `condition` is the same) and the step that calls it."""
    for child in step.children:
        # A hop's own condition is the sender's: in the process it enters, conditions start again.
        inner = () if child.kind == "hop" else conditions + ((child.condition,) if child.condition else ())
        if child.kind == "service" and not child.seen_above:
            yield child, inner, step
        else:
            yield from _service_steps(child, inner)
