"""`stackread trace -o FILE / --format`: which drawing of a flow a file gets, and its bytes.

Two views of one trace: `graph`, the cross-process call graph Graphviz lays out (render/
trace_graph.py), and `sequence`, a sequence diagram (render/flow.py for what it shows,
render/sequence_svg.py and render/sequence_text.py for how). The format follows --format, else
the file's suffix; text formats (mermaid, plantuml, seqdiag, dot, json) also go to standard
output when there is no file.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass

from stackread.errors import StackreadError, UsageError
from stackread.flows.flow import Trace

FORMATS = ("svg", "png", "dot", "json", "mermaid", "plantuml", "seqdiag")
TEXT_FORMATS = ("dot", "json", "mermaid", "plantuml", "seqdiag")
VIEWS = ("graph", "sequence")
SUFFIXES = {
    ".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot", ".json": "json",
    ".mmd": "mermaid", ".mermaid": "mermaid", ".puml": "plantuml", ".plantuml": "plantuml", ".pu": "plantuml",
    ".diag": "seqdiag", ".seqdiag": "seqdiag",
}
# Formats that can draw only one of the views.
_ONLY_VIEW = {"dot": "graph", "mermaid": "sequence", "plantuml": "sequence", "seqdiag": "sequence"}


@dataclass(frozen=True)
class Choice:
    format: str
    view: str


def choose(out: pathlib.Path | None, fmt: str | None, view: str | None) -> Choice:
    """The format and view asked for, or a UsageError saying what would work."""
    if fmt is None:
        if out is None:
            raise UsageError("--format needs a value when there is no -o FILE")
        fmt = SUFFIXES.get(out.suffix.lower())
        if fmt is None:
            known = ", ".join(sorted(SUFFIXES))
            what = f"suffix {out.suffix!r}" if out.suffix else "no suffix"
            raise UsageError(f"cannot tell what to write to {out.name}: {what}; use one of {known}, or --format")
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    only = _ONLY_VIEW.get(fmt)
    if view is not None and only is not None and view != only:
        raise UsageError(f"{fmt} draws the {only} view, not the {view} view")
    if out is None and fmt not in TEXT_FORMATS:
        raise UsageError(f"{fmt} is a drawing: write it to a file with -o FILE.{fmt}")
    return Choice(fmt, view or only or "graph")


def check_link_template(link_template: str | None) -> None:
    from stackread.render.graph import check_template

    check_template(link_template)


def render(trace: Trace, choice: Choice, *, errors: bool = False, link_template: str | None = None) -> bytes:
    """The file's content; Graphviz (graph view) or cairosvg (sequence PNG) only when needed."""
    from stackread.render import graph

    fmt, view = choice.format, choice.view
    if fmt == "json":
        from stackread.render.trace import to_json

        return (json.dumps(to_json(trace, errors), indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    if view == "graph":
        from stackread.render.trace_graph import to_dot

        dot = to_dot(trace, errors, link_template=link_template)
        if fmt == "dot":
            return dot.encode("utf-8")
        return graph.layout(dot, fmt)
    from stackread.render.flow import sequence

    seq = sequence(trace, errors)
    if fmt in ("mermaid", "plantuml", "seqdiag"):
        from stackread.render import sequence_text

        return getattr(sequence_text, f"to_{fmt}")(seq).encode("utf-8")
    from stackread.render.sequence_svg import to_svg
    from stackread.render.trace_graph import source_url

    graph.check_template(link_template)
    svg = to_svg(seq, url_of=lambda path, line: source_url(trace, path, line, link_template))
    return svg if fmt == "svg" else svg_to_png(svg)


def svg_to_png(svg: bytes) -> bytes:
    """The sequence view is our own SVG; a PNG of it needs an SVG rasteriser, cairosvg."""
    try:
        import cairosvg
    except (ImportError, OSError) as exc:  # OSError: cairosvg installed, the cairo library missing
        raise StackreadError("a PNG of the sequence view needs cairosvg (pip install cairosvg, with the cairo "
                             f"library); write -o FILE.svg instead, which browsers show ({exc})") from exc
    return cairosvg.svg2png(bytestring=svg, output_width=None, scale=1.5)


def write(out: pathlib.Path, data: bytes) -> None:
    from stackread.render.graph import write_bytes

    write_bytes(out, data)
