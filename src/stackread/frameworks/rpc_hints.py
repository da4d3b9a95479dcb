"""Why RPC topics are unknown: the names they are read from live in a library that is not read.

Neutron names its topics with neutron-lib's constants (`topics.DHCP_AGENT`, `topics.PLUGIN`); read
without `-L neutron-lib`, every one of them is unknown. Rather than leave `None` to be puzzled
over, the places whose topic is unknown are looked at once: the packages their modules import that
neither the tree nor a library read holds and that the tree's requirements.txt asks for, and the
one most of them lean on is named, with the version the tree asks for.
"""

from __future__ import annotations

import re

from stackread.source.libraries import requirement_of


def unread_library(program, tree, places: list[tuple[str, int]], what: str) -> tuple | None:
    """(path, line, message) naming `-L` for the package most of the `places` (path, line) import,
    where `what` says what they are ("3 sends and 2 services have no topic"); None when their modules
    import no such package."""
    by_path = {module.path: module for module in program.modules.values()}
    leaning: dict[str, list[tuple[str, int]]] = {}
    for path, line in places:
        module = by_path.get(path)
        if module is None:
            continue
        for top in sorted(_unread_imports(program, module)):
            leaning.setdefault(top, []).append((path, line))
    for top, where in sorted(leaning.items(), key=lambda item: (-len(item[1]), item[0])):
        asked = requirement_of(tree, top)
        if asked:
            wanted = re.split(r"[<>=!~; ]", asked, maxsplit=1)[0]
            return (*where[0], f"{what}: their topics come from {top}, which is not read: add -L {wanted} "
                               f"(-L {wanted}==VERSION or -L PATH; the tree asks for {asked})")
    return None


def _unread_imports(program, module) -> set[str]:
    """Top-level packages the module imports that the program does not hold."""
    found = set()
    for records in module.bindings.get("", {}).values():
        for record in records:
            if record[0] == "import" and record[1]:
                top = record[1].split(".")[0]
                # oslo.messaging and oslo.config are the machinery, not where topics are named
                # (an option's default is read without them)
                if top not in program.modules and not top.startswith("oslo_"):
                    found.add(top)
    return found


def topics_hint(program, tree, sends, services) -> tuple | None:
    """The hint for the sends no endpoint serves and the services, both without a topic."""
    sends = [(s.client_path, s.client_line) for s in sends if not s.topic and not s.endpoint]
    services = [(ep.service.created_path, ep.service.created_line) for ep in services
                if ep.service is not None and not ep.service.topic and ep.service.created_path]
    parts = [_count(len(sends), "send"), _count(len(services), "service")]
    what = " and ".join(part for part in parts if part)
    verb = "has" if len(sends) + len(services) == 1 else "have"
    return unread_library(program, tree, sends + services, f"{what} {verb} no topic") if what else None


def _count(number: int, noun: str) -> str:
    return "" if not number else f"{number} {noun}" if number == 1 else f"{number} {noun}s"
