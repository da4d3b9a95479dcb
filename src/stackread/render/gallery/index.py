"""The gallery's index: every operation of each tree grouped by resource, with its route, the
processes it crosses and its hops; failures listed with their reason; a search box that filters
as you type by name, route, RPC method or function (inline script, nothing fetched)."""

from __future__ import annotations

from dataclasses import dataclass

from stackread.flows.gallery import Release, Traced
from stackread.render.flow import short
from stackread.render.gallery.assets import SEARCH_JS
from stackread.render.gallery.layout import document, e, hop_summary, processes, release_title, route_text


@dataclass(frozen=True)
class Entry:
    """What the index says of one operation (the page itself is written already)."""

    name: str
    group: str
    routes: tuple[str, ...]
    href: str | None  # None: no page, the operation failed
    processes: tuple[str, ...] = ()
    summary: str = ""
    search: str = ""  # lowercased words the search box matches
    error: str | None = None
    change: str | None = None  # with --diff: new or changed since the old release, None: the same


@dataclass(frozen=True)
class TreeIndex:
    release: Release
    entries: tuple[Entry, ...]
    other: str | None = None  # with --diff: the release compared with


def entry_of(traced: Traced, href: str | None) -> Entry:
    routes = tuple(route_text(r) for r in traced.operation.routes)
    words = [traced.operation.name, *routes, *(r.controller or "" for r in traced.operation.routes)]
    trace = traced.trace
    if trace is None or href is None:
        return Entry(traced.operation.name, traced.group, routes, None, search=" ".join(words).lower(),
                     error=traced.error or "no page was written")
    words += [h.method for h in trace.hops] + sorted({short(f) for f in _functions(trace.root)})
    change = traced.compared.change if traced.compared else None
    words += [change] if change else []
    return Entry(traced.operation.name, traced.group, routes, href, tuple(processes(trace)), hop_summary(trace),
                 " ".join(words).lower(), change=change)


def _functions(step) -> list[str]:
    found, todo = [], [step]
    while todo:
        current = todo.pop()
        found.append(current.function)
        todo.extend(current.children)
    return found


def index_page(trees: list[TreeIndex]) -> str:
    titles = ", ".join(release_title(t.release) for t in trees) or "no tree"
    total = sum(len(t.entries) for t in trees)
    failed = sum(1 for t in trees for entry in t.entries if entry.error)
    header = (f"<h1>{e(titles)}: every API operation</h1>"
              f"<p class=\"dim\">{total} operations" + (f", <span class=\"bad\">{failed} failed</span>" if failed else "")
              + "; each page draws the flow across processes, as read from the code.</p>"
              "<div class=\"search\"><input id=\"search\" type=\"search\" autocomplete=\"off\" "
              "placeholder=\"Filter by name, route, RPC method or function\" aria-label=\"Filter operations\">"
              f" <span id=\"count\" class=\"dim\">{total} operations</span></div>")
    body = "".join(_tree(t) for t in trees)
    return document(f"{titles} · stackread gallery", header, body, SEARCH_JS)


def _tree(tree: TreeIndex) -> str:
    release = tree.release
    groups: dict[str, list[Entry]] = {}
    for entry in tree.entries:
        groups.setdefault(entry.group, []).append(entry)
    # The big resources first (servers, server actions), then by name.
    order = sorted(groups, key=lambda g: (-len(groups[g]), g))
    sections = "".join(
        f"<section class=\"group\"><h3>{e(group)} <span class=\"dim\">({len(groups[group])})</span></h3>"
        f"<ul class=\"ops\">{''.join(_entry(x) for x in groups[group])}</ul></section>" for group in order)
    return (f"<section class=\"tree\"><h2>{e(release_title(release))}</h2>"
            f"<p class=\"dim mono\">{e(release.source)}</p>{_changes(tree)}{sections}</section>")


def _changes(tree: TreeIndex) -> str:
    """With --diff: the operations whose flow changed since the old release, and the new ones."""
    if tree.other is None:
        return ""
    said = []
    for change, title in (("changed", "Flow changed"), ("new", "New")):
        entries = [x for x in tree.entries if x.change == change and x.href]
        links = ", ".join(f"<a href=\"{e(x.href)}\">{e(x.name)}</a>" for x in entries) or "none"
        said.append(f"<p><strong>{title} since {e(tree.other)}</strong> "
                    f"<span class=\"dim\">({len(entries)})</span>: {links}</p>")
    return "<section class=\"changes\">" + "".join(said) + "</section>"


def _entry(entry: Entry) -> str:
    routes = "<br>".join(e(r) for r in entry.routes)
    if entry.error is not None:
        return (f"<li class=\"op failed\" data-search=\"{e(entry.search)}\"><div class=\"name\">{e(entry.name)}</div>"
                f"<div class=\"route mono\">{routes}</div><div class=\"bad\">failed: {e(entry.error)}</div></li>")
    crossed = " → ".join(e(p) for p in entry.processes)
    return (f"<li class=\"op\" data-search=\"{e(entry.search)}\"><div class=\"name\"><a href=\"{e(entry.href)}\">"
            f"{e(entry.name)}</a></div><div class=\"route mono\">{routes}</div>"
            f"<div class=\"hops\">{crossed} <span class=\"dim\">· {e(entry.summary)}</span>"
            + (f" <span class=\"badge\">{e(entry.change)}</span>" if entry.change else "") + "</div></li>")
