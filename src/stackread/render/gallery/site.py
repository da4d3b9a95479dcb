"""Writing the gallery: DIR/index.html, and per tree DIR/<project>-<version>/ with one page per
operation and its downloads beside it (sequence and graph SVG, Mermaid, PlantUML, JSON).

A drawing that fails (Graphviz missing, say) costs only its download; a page that fails is an
entry of the index with its reason. Nothing here stops the site.
"""

from __future__ import annotations

import json
import pathlib
import re

from stackread.errors import StackreadError
from stackread.flows.gallery import Release, Traced
from stackread.flows.operations import Operation
from stackread.render.gallery.index import Entry, TreeIndex, entry_of, index_page
from stackread.render.links import source_url
from stackread.render.gallery.page import operation_page

INDEX = "index.html"


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "operation"


def page_names(ops: list[Operation]) -> list[str]:
    """A file name for each operation: its name, with the handler's class where two share a name
    (Nova's os-volumes_boot repeats the server actions up to a microversion), numbered if still not
    unique. Of those sharing a name, the one still served keeps it: resize.html is the resize."""
    sharing: dict[str, list[Operation]] = {}
    for op in ops:
        sharing.setdefault(slug(op.name).lower(), []).append(op)
    names, used = [], set()
    for op in ops:
        name = slug(op.name)
        others = sharing[name.lower()]
        served = [o for o in others if any(r.max_version is None for r in o.routes)]
        if len(others) > 1 and served != [op] and op.route.controller:
            name = slug(f"{op.route.controller.split('.')[-2]}.{op.name}")
        unique, n = name, 2
        while unique.lower() in used:  # case-insensitive file systems
            unique, n = f"{name}-{n}", n + 1
        used.add(unique.lower())
        names.append(unique)
    return names


def tree_directory(release: Release, taken: set[str]) -> str:
    name = slug(f"{release.project or 'project'}-{release.version}" if release.version else release.project or "project")
    unique, n = name, 2
    while unique in taken:
        unique, n = f"{name}-{n}", n + 1
    taken.add(unique)
    return unique


def write_operation(directory: pathlib.Path, name: str, release: Release, traced: Traced,
                    template: str | None) -> Entry:
    """The operation's page and downloads; the index entry says where it is, or why there is none."""
    href = f"{directory.name}/{name}.html"
    if traced.trace is None:
        return entry_of(traced, None)
    try:
        (svg, steps_svg), downloads = _downloads(directory, name, release, traced, template)
        url_of = lambda path, line: source_url(release, template, path, line)  # noqa: E731
        html = operation_page(release, traced, svg, downloads, url_of, steps_svg=steps_svg)
        _write(directory / f"{name}.html", html.encode("utf-8"))
    except StackreadError:
        raise  # the output directory cannot be written: no page would be
    except Exception as exc:  # noqa: BLE001 - a bug of ours on one page must not cost the site
        return entry_of(Traced(traced.operation, traced.group, None, f"internal error: {type(exc).__name__}: {exc}"),
                        None)
    return entry_of(traced, href)


def _downloads(directory: pathlib.Path, name: str, release: Release, traced: Traced,
               template: str | None) -> tuple[tuple[str, str], dict[str, str]]:
    """Writes the other views beside the page: ((the story's and the steps' sequence <svg> elements to
    inline), label -> file). The drawings tell the story; the JSON holds every step."""
    from stackread.flows.detail import at_level
    from stackread.render import diagram
    from stackread.render.flow import sequence
    from stackread.render.sequence_svg import to_svg
    from stackread.render.sequence_text import to_mermaid, to_plantuml
    from stackread.render.trace import to_json

    trace = traced.trace
    story = at_level(trace, "story")
    url_of = lambda path, line: source_url(release, template, path, line)  # noqa: E731
    seq = sequence(story)
    svg = to_svg(seq, url_of=url_of)
    steps_svg = to_svg(sequence(trace), url_of=url_of)
    views: dict[str, tuple[str, bytes]] = {
        "sequence SVG": (f"{name}.sequence.svg", svg),
        "every step (SVG)": (f"{name}.steps.svg", steps_svg),
        "Mermaid": (f"{name}.mmd", to_mermaid(seq).encode("utf-8")),
        "PlantUML": (f"{name}.puml", to_plantuml(seq).encode("utf-8")),
        "JSON": (f"{name}.json", (json.dumps(to_json(trace), indent=1, ensure_ascii=False) + "\n").encode("utf-8")),
    }
    try:
        graph = diagram.render(story, diagram.Choice("svg", "graph"), link_template=template)
        views["graph SVG"] = (f"{name}.graph.svg", graph)
    except StackreadError:
        pass  # no Graphviz here: the page goes without that download
    for file_name, data in views.values():
        _write(directory / file_name, data)
    inline = [data.decode("utf-8").split("?>", 1)[-1].strip() for data in (svg, steps_svg)]  # no XML declaration
    return (inline[0], inline[1]), {label: file_name for label, (file_name, _data) in views.items()}


def write_index(out: pathlib.Path, trees: list[TreeIndex]) -> pathlib.Path:
    path = out / INDEX
    _write(path, index_page(trees).encode("utf-8"))
    return path


def _write(path: pathlib.Path, data: bytes) -> None:
    from stackread.render.graph import write_bytes

    write_bytes(path, data)
