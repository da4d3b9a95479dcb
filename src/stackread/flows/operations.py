"""Operation names as users say them, resolved to the REST routes that serve them.

`create_server`, `server create` (the openstack CLI), `POST /servers`, `servers.create` and
`ServersController.create` all name one operation; so do `os-stop` and `stop`, or
`os-migrateLive` and `live-migrate`. Names are derived from each route (verb and path,
controller method, resource and method, action key and its words: createBackup is also
`create backup`, `server backup create` as openstackclient says it, and plain `backup` when
nothing else is so named) plus a short table of the CLI words that derive from nothing in the
code (`snapshot` is `createImage`). The derived names need no list per release: a renamed
handler or a new action is found by its key. pecan APIs answer to the openstack CLI's words built
from the path (`node create`, `zone recordset create`, `container start`; see _resource_names),
with the project's word in front dropped (`baremetal`, `coe`). A name that finds nothing, or
several, comes back with the operations it may have meant, each with a name that finds it, to
paste back.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from stackread.frameworks.rest.routes_mapper import Route

# CLI and everyday words -> the action key or (verb, path) they mean. Only what cannot be derived.
_VOCABULARY: dict[str, tuple[str, ...]] = {
    "boot": ("POST", "/servers"),
    # The nova / openstack server CLI's verbs name server operations without saying "server".
    "delete": ("DELETE", "/servers/{}"),
    "nova delete": ("DELETE", "/servers/{}"),
    "nova boot": ("POST", "/servers"),
    "live-migrate": ("action", "os-migrateLive"),
    "live-migration": ("action", "os-migrateLive"),
    "live_migrate_server": ("action", "os-migrateLive"),
    "server migrate --live-migration": ("action", "os-migrateLive"),
    "snapshot": ("action", "createImage"),
    "server image create": ("action", "createImage"),
    "server snapshot": ("action", "createImage"),
    "reset-state": ("action", "os-resetState"),
    "volume attach": ("POST", "/servers/{}/os-volume_attachments"),
    "attach volume": ("POST", "/servers/{}/os-volume_attachments"),
    "server add volume": ("POST", "/servers/{}/os-volume_attachments"),
    "volume-attach": ("POST", "/servers/{}/os-volume_attachments"),
    "volume detach": ("DELETE", "/servers/{}/os-volume_attachments/{}"),
    "detach volume": ("DELETE", "/servers/{}/os-volume_attachments/{}"),
    "server remove volume": ("DELETE", "/servers/{}/os-volume_attachments/{}"),
    "volume-detach": ("DELETE", "/servers/{}/os-volume_attachments/{}"),
    "interface attach": ("POST", "/servers/{}/os-interface"),
    "attach interface": ("POST", "/servers/{}/os-interface"),
    "server add port": ("POST", "/servers/{}/os-interface"),
    # openstackclient's `server add network` attaches an interface on the network (interface_attach
    # with net_id), not nova-network's `/os-networks/add`; `server remove network` detaches its ports.
    "server add network": ("POST", "/servers/{}/os-interface"),
    "interface-attach": ("POST", "/servers/{}/os-interface"),
    "interface detach": ("DELETE", "/servers/{}/os-interface/{}"),
    "detach interface": ("DELETE", "/servers/{}/os-interface/{}"),
    "server remove port": ("DELETE", "/servers/{}/os-interface/{}"),
    "server remove network": ("DELETE", "/servers/{}/os-interface/{}"),
    "interface-detach": ("DELETE", "/servers/{}/os-interface/{}"),
}
# Pecan APIs as the openstack CLI says them: what the route does not spell (Ironic's provision
# states are the body's `target`; Barbican stores a secret). Paths are matched as written.
_VOCABULARY |= {f"node {word}": ("PUT", "/v1/nodes/{}/states/provision")
                for word in ("deploy", "undeploy", "provide", "manage", "inspect", "clean", "rebuild", "abort",
                             "adopt", "rescue", "unrescue", "service", "unhold")}
_VOCABULARY |= {"node power on": ("PUT", "/v1/nodes/{}/states/power"),
                "node power off": ("PUT", "/v1/nodes/{}/states/power"),
                "node reboot": ("PUT", "/v1/nodes/{}/states/power"),
                "node console enable": ("PUT", "/v1/nodes/{}/states/console"),
                "node console disable": ("PUT", "/v1/nodes/{}/states/console"),
                "node maintenance unset": ("DELETE", "/v1/nodes/{}/maintenance"),
                "secret store": ("POST", "/v1/secrets"),
                # Neutron's member actions take a subnet or a port in the body.
                "router add subnet": ("PUT", "/routers/{}/add_router_interface"),
                "router add port": ("PUT", "/routers/{}/add_router_interface"),
                "router remove subnet": ("PUT", "/routers/{}/remove_router_interface"),
                "router remove port": ("PUT", "/routers/{}/remove_router_interface"),
                "secret get": ("GET", "/v1/secrets/{}"),
                # Keystone's tokens are the auth resource's.
                "token issue": ("POST", "/v3/auth/tokens"),
                "token revoke": ("DELETE", "/v3/auth/tokens")}
# Controller method -> the CLI's verb for it: Routes' standard methods, then pecan's conventions.
# `detail` is what `list --long` asks for, so `server list` means index alone.
_CLI_VERBS = {"index": "list", "detail": "list --long", "show": "show", "create": "create", "update": "set",
              "delete": "delete"}
_REST_VERBS = {"get_all": "list", "get_one": "show", "post": "create", "post_all": "create", "put": "set",
               "put_one": "set", "patch": "set", "patch_one": "set", "delete_one": "delete", "on_post": "create",
               "on_put": "set", "on_patch": "set", "on_delete": "delete"}
_VERB_PATH = re.compile(r"^\s*(GET|POST|PUT|PATCH|DELETE|HEAD)\s+(/\S*)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Operation:
    """One controller method (one action handler) and every route that reaches it."""

    name: str  # the name it is best known by: the action key, or Class.method
    routes: tuple[Route, ...]

    @property
    def route(self) -> Route:
        return self.routes[0]


@dataclass(frozen=True)
class Lookup:
    query: str
    found: Operation | None
    # Not found: the ambiguous matches or the closest names. Found: other operations of that name
    # that newer microversions no longer serve.
    candidates: tuple[Operation, ...]
    ambiguous: bool = False
    # Not found: for each candidate, a name that finds it ("" if none does), to paste back.
    names: tuple[str, ...] = ()


def normalise(name: str) -> str:
    """Case, `-`, `_` and blanks do not matter; a verb and path keep their shape with `{}` for variables."""
    match = _VERB_PATH.match(name)
    if match:
        return f"{match.group(1).upper()} {normalise_path(match.group(2))}"
    return re.sub(r"[\s_-]+", "_", name.strip().lower())


def normalise_path(path: str) -> str:
    path = re.sub(r"\{[^}]*\}|:\w+", "{}", path.rstrip("/") or "/")
    return re.sub(r"^/\{\}(?=/)", "", path)  # a /{project_id} prefix


def resource_of(route: Route) -> str | None:
    """The collection a route acts on: `servers` for /servers/{id}/action, `os-interface` for
    /servers/{server_id}/os-interface."""
    statics = [s for s in route.path.split("/") if s and not s.startswith("{")]
    if not statics:
        return None
    method = route.controller.rsplit(".", 1)[-1] if route.controller else None
    last = route.path.rstrip("/").rsplit("/", 1)[-1]
    if (route.action or last == method) and len(statics) > 1 and not last.startswith("{"):
        return statics[-2]
    return statics[-1]


def singular(collection: str) -> str:
    name = collection.removeprefix("os-").replace("-", "_")
    if name.endswith(("is", "us")):  # chassis, status
        return name
    if name.endswith(("uses", "sses")):  # statuses, addresses
        return name[:-2]
    if name.endswith("ae"):  # amphorae
        return name[:-1]
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def names_of(route: Route) -> set[str]:
    """Every name a user may give this route's operation (normalised)."""
    names = {f"{route.verb} {normalise_path(route.path)}"}
    if route.controller:
        parts = route.controller.split(".")
        method, cls = parts[-1], parts[-2]
        names |= {route.controller, f"{cls}.{method}"}
        bare = method.lstrip("_").removeprefix("action_")
        collection = resource_of(route)
        if route.action:
            key = route.action.removeprefix("os-")
            names |= {route.action, key, _snake(key), bare}
            if collection:
                one = singular(collection)
                names.add(f"{one} {_snake(key)}")  # `server reboot`, `server create backup`
                verb, noun = _verb_and_noun(key)
                if noun:  # openstackclient says the verb last: `openstack server backup create`
                    names.add(f"{one} {noun} {verb}")
        elif collection:
            one = singular(collection)
            method = standard_method(method, collection)
            cli = _CLI_VERBS.get(method, method)
            names |= {f"{collection}.{method}", f"{method}_{one}", f"{one} {cli}", f"{one}_{method}"}
        names |= _resource_names(route, method)[0]
    return {normalise(n) for n in names}


def standard_method(method: str, collection: str) -> str:
    """A method named after its resource is that resource's standard method: Neutron's plugins serve
    POST /ports with `create_port` (`port create`), GET with `get_ports` (index) and `get_port`
    (show), a nested one with `get_floatingip_port_forwardings`."""
    one, many = singular(collection), collection.replace("-", "_")
    verb, _, rest = method.partition("_")
    if verb == "get" and (rest == many or rest.endswith(f"_{many}")):
        return "index"
    if verb in ("get", "create", "update", "delete") and (rest == one or rest.endswith(f"_{one}")):
        return "show" if verb == "get" else verb
    return method


def _resource_names(route: Route, method: str) -> tuple[set[str], set[str]]:
    """Names by the route's resources, as the openstack CLI builds them for pecan APIs.

    - a conventional method (get_all, get_one, post, patch, Barbican's on_get, ...) is `<resource>
      <verb>` and `<parent> <resource> <verb>`: the resource is the path's last word, the parent the
      word before the id in front of it, the verb list/show (GET of a collection/member), create,
      set or delete (`node create`, `zone recordset create`, `node maintenance set`);
    - any other method (a custom action) is `<owner> <method>` and `<method> <owner>`, the owner
      the last word followed by an id (`container start`, `node power`, `cluster resize`).
    - a word after an id that a PUT acts on is also `<owner> <word>` (`loadbalancer failover`).
    Resources are singular, their `_` and `-` words; a project word in front (`baremetal`, `coe`)
    is dropped by find_operation. The second set holds a nested resource's plain `<resource> <verb>`:
    it answers only when no top-level resource has the name (Barbican's /secrets beside
    /containers/{id}/secrets; Designate's recordsets live only under /zones/{zone_id}).
    """
    segments = [s for s in route.path.split("/") if s]
    statics = [(i, s) for i, s in enumerate(segments) if not s.startswith("{")]
    if not statics or route.action:
        return set(), set()
    owned = [s for i, s in statics if i + 1 < len(segments) and segments[i + 1].startswith("{")]
    cli = "show" if method == "get" else _REST_VERBS.get(method) or _CLI_VERBS.get(method)
    if cli is None and method.startswith("on_"):
        cli = {"GET": "list"}.get(route.verb)
    if cli is None:
        return ({f"{singular(owned[-1])} {method}", f"{method} {singular(owned[-1])}"} if owned else set()), set()
    if cli in ("list", "show") and route.verb == "GET" and method not in ("detail", "get"):
        cli = "show" if segments[-1].startswith("{") else "list"
    resource = singular(statics[-1][1])
    before = [s for i, s in statics[:-1] if i + 1 < len(segments) and segments[i + 1].startswith("{")]
    plain = {f"{resource} {cli}", f"{cli} {resource}"}
    if not before:
        return plain, set()
    names = {f"{singular(before[-1])} {resource} {cli}"}
    if route.verb == "PUT" and segments[-2].startswith("{"):
        names.add(f"{singular(before[-1])} {segments[-1]}")
    return names, plain


def loose_names_of(route: Route) -> set[str]:
    """Names that are only a word of an action key: `backup` for createBackup, `image` for
    createImage. They answer only when no operation has the word as a name of its own."""
    if route.controller and not route.action:
        method = standard_method(route.controller.rsplit(".", 1)[-1], resource_of(route) or "")
        return {normalise(n) for n in _resource_names(route, method)[1]}
    if not (route.controller and route.action):
        return set()
    noun = _verb_and_noun(route.action.removeprefix("os-"))[1]
    return {normalise(noun)} if noun else set()


def _verb_and_noun(key: str) -> tuple[str, str | None]:
    """An action key's first word and the rest: createBackup is (create, backup), reboot (reboot, None)."""
    verb, _, noun = _snake(key).partition("_")
    return verb, noun or None


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _vocabulary_names(route: Route) -> set[str]:
    path = normalise_path(route.path)
    # A path matches with or without the version prefix its API is mounted at (Neutron's /v2.0).
    keys = {("action", route.action)} if route.action else {(route.verb, path),
                                                            (route.verb, re.sub(r"^/v\d+(\.\d+)?(?=/)", "", path))}
    return {normalise(word) for word, meaning in _VOCABULARY.items() if meaning in keys}


def operations(routes: list[Route]) -> list[Operation]:
    """Routes grouped by the method that serves them (the project-id and plain paths are one route already)."""
    groups: dict[tuple, list[Route]] = {}
    for route in routes:
        key = (route.controller, route.action) if route.controller else (route.verb, route.path)
        groups.setdefault(key, []).append(route)
    result = []
    for group in groups.values():
        # A method two routers serve (Manila's ShareMixin.delete under /v1 and /v2): the newest API's first.
        group.sort(key=lambda route: _mount_version(route), reverse=True)
        first = group[0]
        name = first.action or (".".join(first.controller.split(".")[-2:]) if first.controller
                                else f"{first.verb} {first.path}")
        result.append(Operation(name, tuple(group)))
    return result


# The programs a name may start with, as typed at a shell: `openstack server backup create`.
_CLIENTS = ("openstack_", "nova_", "cinder_")


@dataclass(frozen=True)
class _Names:
    """Every operation by each of its names, in three tiers asked in turn: the names proper, bare
    method names (`delete` names every delete), and words of action keys (loose_names_of)."""

    proper: dict[str, list[Operation]]
    methods: dict[str, list[Operation]]
    loose: dict[str, list[Operation]]
    collapsed: dict[str, list[Operation]]  # proper names without their separators
    resources: frozenset[str] = frozenset()  # the routes' resources, singular: server, node, ...

    @classmethod
    def of(cls, ops: list[Operation]) -> _Names:
        proper: dict[str, list[Operation]] = {}
        methods: dict[str, list[Operation]] = {}
        loose: dict[str, list[Operation]] = {}
        for op in ops:
            for name in set().union(*(names_of(r) | _vocabulary_names(r) for r in op.routes)):
                proper.setdefault(name, []).append(op)
            for name in set().union(*(loose_names_of(r) for r in op.routes)):
                loose.setdefault(name, []).append(op)
            if op.route.controller and not op.route.action:
                methods.setdefault(normalise(op.route.controller.rsplit(".", 1)[-1]), []).append(op)
        collapsed: dict[str, list[Operation]] = {}
        for name, found in proper.items():
            if not name.startswith(tuple(f"{v} " for v in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"))):
                collapsed.setdefault(name.replace("_", ""), []).extend(found)
        resources = frozenset(singular(resource_of(r) or "") for op in ops for r in op.routes) - {""}
        return cls(proper, methods, loose, collapsed, resources)

    def matches(self, wanted: str) -> list[Operation]:
        for tier in (self.proper, self.methods, self.loose):
            if wanted in tier:
                return _unique(tier[wanted])
        client = next((c for c in _CLIENTS if wanted.startswith(c)), None)
        if client:
            return self.matches(wanted.removeprefix(client))
        return self._cli_matches(wanted)

    def _cli_matches(self, wanted: str) -> list[Operation]:
        """The openstack CLI's spellings of a name no tier has: words run together (`cluster template`
        is clustertemplates), a project word in front (`baremetal node create`, `coe cluster create`,
        `loadbalancer pool create`), or glued to the resource (`appcontainer create`)."""
        collapsed = self.collapsed.get(wanted.replace("_", ""))
        if collapsed:
            return _unique(collapsed)
        first, _, rest = wanted.partition("_")
        if "_" in rest:
            # An action belongs to its resource: `server add interface` is not Nova's baremetal
            # `add_interface`. Other operations drop the word as a project's (`secret order create`).
            found = [op for op in self.matches(rest) if first not in self.resources or not op.route.action
                     or any(singular(resource_of(r) or "") == first for r in op.routes)]
            if found:
                return found
        for cut in range(1, len(first) - 3):
            found = self.proper.get(f"{first[cut:]}_{rest}") if rest else None
            if found:
                return _unique(found)
        return []

    def words(self) -> list[str]:
        return list(self.proper) + [word for word in self.loose if word not in self.proper]


def find_operation(routes: list[Route], query: str, limit: int = 8) -> Lookup:
    names = _Names.of(operations(routes))
    wanted = normalise(query)
    matches = names.matches(wanted)
    chosen = _chosen(matches)
    if chosen:
        return Lookup(query, _named_first(chosen[0], wanted), chosen[1])
    if matches:
        shown, pasted = _pasteable(names, matches)
        return Lookup(query, None, shown, ambiguous=True, names=pasted)
    close = difflib.get_close_matches(wanted, names.words(), n=limit, cutoff=0.6)
    near = _unique([op for name in close for op in names.matches(name)])
    if not near:  # a word of the name, e.g. `migrate` for os-migrateLive and migrate
        near = _unique([op for name, found in names.proper.items() if wanted in name for op in found])
    shown, pasted = _pasteable(names, near)
    return Lookup(query, None, shown[:limit], names=pasted[:limit])


def pasteable_names(routes: list[Route]) -> list[str]:
    """One name per operation that finds it (what suggestions print), for shell completion."""
    ops = operations(routes)
    return [name for name in _pasteable(_Names.of(ops), ops)[1] if name]


def _chosen(matches: list[Operation]) -> tuple[Operation, tuple[Operation, ...]] | None:
    """The one operation a name's matches mean, and the others it outlives; None if it means none or several."""
    if len(matches) == 1:
        return matches[0], ()
    mounted = [op for op in matches if any(r.mounts != () for r in op.routes)]
    if mounted and len(mounted) < len(matches):
        # api-paste.ini declares the others' router but mounts it nowhere (Nova 13's legacy v2 API):
        # the name means what the deployed API serves; the others are kept as `also`.
        chosen = _chosen(mounted)
        return (chosen[0], (*chosen[1], *(op for op in matches if op not in mounted))) if chosen else None
    restful = [op for op in matches if not any(r.verb == "*" for r in op.routes)]
    if restful and len(restful) < len(matches):
        # The others also answer any verb at one URL, told apart by a query parameter (Heat's CFN API:
        # `/?Action=CreateStack`): the openstack CLI's words mean the REST resource's operation.
        chosen = _chosen(restful)
        return (chosen[0], (*chosen[1], *(op for op in matches if op not in restful))) if chosen else None
    newest = max((_mount_version(r) for op in matches for r in op.routes), default=())
    latest = [op for op in matches if any(_mount_version(r) == newest for r in op.routes)]
    if newest and len(latest) < len(matches):
        # The others are mounted only under an older API's prefix (Manila's deprecated /v1 beside /v2):
        # the name means the newest API's operation; the others are kept as `also`.
        chosen = _chosen(latest)
        return (chosen[0], (*chosen[1], *(op for op in matches if op not in latest))) if chosen else None
    current = [op for op in matches if any(r.max_version is None for r in op.routes)]
    if len(current) == 1:
        # The others end at a microversion (Nova 34's os-volumes_boot proxy repeats every server
        # action up to 2.102): the name means the one still served. They are kept as `also`.
        return current[0], tuple(op for op in matches if op is not current[0])
    return None


def _mount_version(route: Route) -> tuple[int, ...]:
    """The newest API version among the prefixes paste mounts a route under (`/v2.1` is (2, 1)); ()
    when they are not known or name no version."""
    versions = [tuple(int(n) for n in m.group(1).split(".")) for prefix in route.mounts or ()
                if (m := re.fullmatch(r"/v(\d+(?:\.\d+)*)", prefix))]
    return max(versions, default=())


def _pasteable(names: _Names, ops: list[Operation]) -> tuple[tuple[Operation, ...], tuple[str, ...]]:
    """The operations a user may have meant, each with a name that finds it, to paste back. One
    whose best name finds another of them (which outlives it) goes: it is shown by that name."""
    shown, pasted = [], []
    for op in ops:
        spellings = _spellings(op)
        finds = [_chosen(names.matches(normalise(name))) for name in spellings]
        if finds and finds[0] and finds[0][0] is not op and any(finds[0][0] is other for other in ops):
            continue
        shown.append(op)
        pasted.append(next((name for name, found in zip(spellings, finds) if found and found[0] is op), ""))
    return tuple(shown), tuple(pasted)


def _spellings(op: Operation) -> list[str]:
    """Names of an operation as one would type them, the plainest first (no blank needs quoting)."""
    route = op.route
    spellings = []
    if route.controller:
        method, cls = route.controller.split(".")[-1], route.controller.split(".")[-2]
        collection = resource_of(route)
        if route.action:
            key = route.action.removeprefix("os-")
            spellings += [_snake(key), route.action]
        elif collection:
            method = standard_method(method, collection)
            # By its shortest path: Ironic's NodesController also serves /chassis/{chassis_uuid}/nodes.
            cli = _cli_spellings(min(op.routes, key=lambda r: r.path.count("/")), method)
            conventional = method in _REST_VERBS or method == "get" or method.startswith("on_")
            spellings += cli if conventional else []
            spellings.append(f"{method}_{singular(collection)}")
            spellings += [] if conventional else cli
        spellings += [f"{cls}.{method}", route.controller]  # the module tells apart two classes of a name
    return spellings + [f"{r.verb} {r.path}" for r in op.routes]


_VERB_WORDS = ("list", "show", "create", "set", "delete")


def _cli_spellings(route: Route, method: str) -> list[str]:
    """A pecan method's plainest name with no blank: `create_node`, `container_start` (_resource_names)."""
    # Only the names proper: a nested resource's plain name may find the top-level one instead.
    if method in _CLI_VERBS:  # Routes' standard methods keep the spellings they had
        return []
    names = sorted({normalise(n) for n in _resource_names(route, method)[0]}, key=lambda n: (len(n), n))
    if method not in _REST_VERBS and method != "get" and not method.startswith("on_"):
        return [n for n in names if n.endswith(f"_{method}")]
    return [n for n in names if n.split("_", 1)[0] in _VERB_WORDS] + \
        [n for n in names if n.split("_", 1)[0] not in _VERB_WORDS]


def _named_first(op: Operation, wanted: str) -> Operation:
    """The routes the user named first; among equals, those of the controller named after the resource
    (/servers before /os-volumes_boot for ServersController.create)."""
    def key(route: Route) -> tuple[bool, bool, int]:
        collection = resource_of(route) or ""
        cls = route.controller.split(".")[-2].lower() if route.controller else ""
        # Then the shortest path: Ironic's NodesController is /v1/nodes before /v1/chassis/{id}/nodes.
        return (wanted not in names_of(route) | _vocabulary_names(route),
                singular(collection).replace("_", "") not in cls, route.path.count("/"))
    return Operation(op.name, tuple(sorted(op.routes, key=key)))


def _unique(ops: list[Operation]) -> list[Operation]:
    seen: set[int] = set()
    result = []
    for op in ops:
        if id(op) not in seen:
            seen.add(id(op))
            result.append(op)
    return result
