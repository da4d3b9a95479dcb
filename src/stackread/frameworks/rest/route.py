"""A REST route and the routes of one API: the model `routes`, `trace` and their caches share.

Kept apart from `rest` (which reads the routers) so that reading a cached answer back does not
import the reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stackread.diagnostics import Diagnostic


@dataclass(frozen=True)
class Route:
    verb: str
    path: str  # URL template without the optional /{project_id} prefix
    action: str | None  # the body key of a `POST .../action` request
    controller: str | None  # dotted method
    controller_path: str | None
    controller_line: int | None
    min_version: str | None
    max_version: str | None
    declared_path: str  # where the route is declared
    declared_line: int
    # The URL prefixes paste deploy mounts the router that declares this route under (`/v2`, `/v2.1`);
    # () when api-paste.ini declares that router but mounts it nowhere; None when it does not say.
    mounts: tuple[str, ...] | None = None
    # The generic controller method that calls `controller` by name at run time (Neutron's
    # `base.Controller.create` calling `getattr(plugin, 'create_port')`): a trace starts there.
    via: str | None = None
    # The controller class the router makes, where `controller` is a method it inherits (Manila's
    # v2 ShareController running ShareMixin.delete): `self` in the trace is an instance of it.
    receiver: str | None = None


@dataclass
class RouteReport:
    source: str
    revision: str | None
    routes: list[Route]
    diagnostics: list[Diagnostic] = field(default_factory=list)
