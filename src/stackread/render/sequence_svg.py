"""The sequence view as SVG: lifelines, arrows, activation bars, notes and frames.

A small layout of our own, written through xml.etree.ElementTree (no string pasting), since no
well-kept Python library lays out sequence diagrams. Lanes are spaced so that every label fits
between the lifelines it joins (widths estimated per character, wide East Asian characters
counted double); labels too long for one line wrap at `.`, `,` and spaces; the diagram grows
downward with the flow, with the lane heads repeated at the foot so a long flow stays readable.
Fonts are generic families only, so any script the viewer has a font for renders.

Every drawn part says what it is for tests and tools: `class` (lifeline, message cast|call|
return|request|invoke, activation, note, frame opt|alt|loop) and `data-*` attributes naming
lanes.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from stackread.render.flow import (
    Activate, Deactivate, Frame, Item, Message, Note, Sequence, frame_title, one_line, walk,
)

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

FONT = "sans-serif"
SIZE = 12  # px, message labels and lane heads
SMALL = 11  # notes and frame labels
MAX_LABEL = 420  # px before a label wraps
LINE = 15  # px between lines of a label
MARGIN = 24
HEAD_H = 34
LANE_MIN_GAP = 60
SELF_W = 36  # how far a message to its own lane loops out
BAR_W = 10
FRAME_PAD = 12  # between a frame's border and the arrows in it
FRAME_LABEL = 560  # px before a condition wraps

COLOURS = {
    "request": "#222222", "call": "#7b2d8e", "cast": "#7b2d8e", "return": "#7b2d8e", "invoke": "#2f4f6f",
    "rest": "#1f6f8b",  # an HTTP request into another project's API (crossing.py)
}
# A flow diff's hops: added green, removed red, changed or renamed amber.
STATUS_COLOURS = {"added": "#2e7d32", "removed": "#c62828", "changed": "#b7791f", "renamed": "#b7791f"}
LANE_FILL = {"client": "#f3f3f3", "process": "#fff2a8", "driver": "#dff3d8", "service": "#dceaf7"}


def text_width(text: str, size: float = SIZE) -> float:
    """An estimate that errs wide: ~0.62em a Latin character, 1em a wide (CJK) one."""
    width = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF":
            width += size
        elif unicodedata.combining(ch):
            continue
        else:
            width += size * (0.68 if ch.isupper() else 0.6)
    return width


def wrap(text: str, max_px: float = MAX_LABEL, size: float = SIZE) -> list[str]:
    """Lines no wider than max_px, broken after `.`, `,` or a space: never inside an identifier
    (`disable_fallback_pcpu_query` stays whole), unless one alone is wider than the line."""
    text = one_line(text)
    if text_width(text, size) <= max_px:
        return [text]
    tokens = re.findall(r"[^\s.,]*[\s.,]?", text)
    lines, current = [], ""
    for token in filter(None, tokens):
        if current and text_width(current + token, size) > max_px:
            lines.append(current.rstrip())
            current = token
        else:
            current += token
    if current.strip():
        lines.append(current.rstrip())
    # A single token wider than the line (a long CJK run, say): cut by characters.
    out = []
    for line in lines:
        while text_width(line, size) > max_px * 1.3 and len(line) > 1:
            cut = max(1, next((i for i in range(len(line), 0, -1) if text_width(line[:i], size) <= max_px), 1))
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out


def clip_lines(lines: list[str], keep: int = 3) -> list[str]:
    return lines if len(lines) <= keep else [*lines[: keep - 1], lines[keep - 1] + " …"]


# -- horizontal layout -------------------------------------------------------------------------


def _lane_positions(seq: Sequence) -> dict[str, float]:
    names = [lane.name for lane in seq.lanes]
    index = {n: i for i, n in enumerate(names)}
    heads = [text_width(n) + 24 for n in names]
    gaps = [max(LANE_MIN_GAP, (heads[i] + heads[i + 1]) / 2 + 20) for i in range(len(names) - 1)]
    needs: list[tuple[int, int, float]] = []  # (left lane, right lane, distance needed)
    tail = 0.0  # room needed right of the last lane
    for item in walk(seq.items):
        if isinstance(item, Message):
            a, b = index[item.source], index[item.target]
            width = max(text_width(line) for line in wrap(item.label)) if item.label else 0
            if a == b:
                if a < len(gaps):
                    needs.append((a, a + 1, SELF_W + width + 24))
                else:
                    tail = max(tail, SELF_W + width + 16)
            else:
                needs.append((min(a, b), max(a, b), width + 36))
        elif isinstance(item, Note):
            i = index[item.lane]
            half = max(text_width(line, SMALL) for line in wrap(item.text, MAX_LABEL, SMALL)) / 2 + 16
            if i > 0:
                needs.append((i - 1, i, half + 12))
            if i < len(gaps):
                needs.append((i, i + 1, half + 12))
            else:
                tail = max(tail, half)
    for _ in range(3):
        for a, b, need in sorted(needs, key=lambda n: (n[1] - n[0], n[0])):
            have = sum(gaps[a:b])
            if have < need:
                gaps[b - 1] += need - have
    x = MARGIN + max(heads[0] / 2, 30) + 20  # room for frames drawn around the first lane
    positions = {}
    for i, name in enumerate(names):
        positions[name] = x
        if i < len(gaps):
            x += gaps[i]
    positions["__tail__"] = x + max(tail, heads[-1] / 2) + MARGIN + 20
    return positions


# -- drawing -----------------------------------------------------------------------------------


def _el(tag: str, attrs: dict | None = None, text: str | None = None, parent: ET.Element | None = None) -> ET.Element:
    attrs = {k: (f"{v:.1f}" if isinstance(v, float) else str(v)) for k, v in (attrs or {}).items()}
    element = ET.Element(f"{{{SVG_NS}}}{tag}", attrs) if parent is None else ET.SubElement(
        parent, f"{{{SVG_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _text(parent: ET.Element, x: float, y: float, lines: list[str], *, size: int = SIZE, anchor: str = "middle",
          fill: str = "#222222", weight: str | None = None, style: str | None = None) -> ET.Element:
    attrs = {"x": x, "y": y, "font-family": FONT, "font-size": size, "text-anchor": anchor, "fill": fill}
    if weight:
        attrs["font-weight"] = weight
    if style:
        attrs["font-style"] = style
    text = _el("text", attrs, None if len(lines) > 1 else lines[0], parent)
    if len(lines) > 1:
        for i, line in enumerate(lines):
            _el("tspan", {"x": x, "dy": 0 if i == 0 else LINE}, line, text)
    return text


def _arrowhead(parent: ET.Element, x: float, y: float, direction: int, colour: str, filled: bool) -> None:
    back = x - direction * 9
    points = f"{back:.1f},{y - 4.5:.1f} {x:.1f},{y:.1f} {back:.1f},{y + 4.5:.1f}"
    if filled:
        _el("polygon", {"points": points, "fill": colour, "stroke": colour, "stroke-width": 1}, parent=parent)
    else:
        _el("polyline", {"points": points, "fill": "none", "stroke": colour, "stroke-width": 1.4}, parent=parent)


def _link(parent: ET.Element, url: str | None, title: str) -> ET.Element:
    if url:
        parent = _el("a", {"href": url, f"{{{XLINK_NS}}}href": url}, parent=parent)
    _el("title", None, title, parent)
    return parent


@dataclass
class _Canvas:
    x: dict[str, float]
    frames: ET.Element
    labels: ET.Element  # frame tabs and conditions, drawn above the lifelines they cross
    bars: ET.Element
    arrows: ET.Element
    notes: ET.Element
    url_of: object  # (path, line) -> url or None
    y: float = 0.0
    open_bars: dict[str, list[float]] = field(default_factory=dict)
    right: float = 0.0  # the rightmost thing drawn

    def bar_x(self, lane: str) -> float:
        depth = len(self.open_bars.get(lane, []))
        return self.x[lane] + max(0, depth - 1) * BAR_W / 2


def _extent(items: list[Item], c: _Canvas) -> tuple[float, float]:
    """Leftmost and rightmost x the items draw at, with room for a frame's border around them."""
    lo, hi = float("inf"), float("-inf")
    for item in items:
        if isinstance(item, Message):
            a, b = c.x[item.source], c.x[item.target]
            width = max(text_width(line) for line in wrap(item.label)) if item.label else 0
            right = a + SELF_W + width + 8 if a == b else max(a, b)
            lo, hi = min(lo, a, b) - FRAME_PAD, max(hi, right + FRAME_PAD)
        elif isinstance(item, Note):
            half = max(text_width(line, SMALL) for line in wrap(item.text, MAX_LABEL, SMALL)) / 2 + 8
            lo, hi = min(lo, c.x[item.lane] - half), max(hi, c.x[item.lane] + half)
        elif isinstance(item, (Activate, Deactivate)):
            lo, hi = min(lo, c.x[item.lane] - FRAME_PAD), max(hi, c.x[item.lane] + FRAME_PAD)
        elif isinstance(item, Frame):
            left, right = _frame_box(item, c)
            lo, hi = min(lo, left), max(hi, right)
    return lo, hi


def _frame_lines(f: Frame, branch) -> list[str]:
    return clip_lines(wrap(frame_title(f, branch), FRAME_LABEL, SMALL))


def _frame_box(f: Frame, c: _Canvas) -> tuple[float, float]:
    """Where a frame's border goes: around everything inside, and wide enough for its labels."""
    lo, hi = _extent([b for branch in f.branches for b in branch.items], c)
    left, right = lo - 7, hi + 7
    tab_w = text_width(f.kind, SMALL) + 14
    for i, branch in enumerate(f.branches):
        start = left + tab_w + 8 if i == 0 else left + 8
        right = max(right, start + max(text_width(line, SMALL) for line in _frame_lines(f, branch)) + 16)
    return left, right


def _draw(items: list[Item], c: _Canvas) -> None:
    for item in items:
        if isinstance(item, Message):
            _message(item, c)
        elif isinstance(item, Note):
            _note(item, c)
        elif isinstance(item, Activate):
            c.open_bars.setdefault(item.lane, []).append(c.y - 6)
        elif isinstance(item, Deactivate):
            starts = c.open_bars.get(item.lane)
            if starts:
                x = c.bar_x(item.lane)
                start = starts.pop()
                _el("rect", {"class": "activation", "data-lane": item.lane, "x": x - BAR_W / 2, "y": start,
                             "width": BAR_W, "height": max(8.0, c.y - start), "fill": "#ffffff",
                             "stroke": "#555555", "stroke-width": 1}, parent=c.bars)
                c.y += 4
        elif isinstance(item, Frame):
            _frame(item, c)


def _message(m: Message, c: _Canvas) -> None:
    colour = STATUS_COLOURS.get(m.status or "") or (COLOURS[m.kind] if m.default_path else "#999999")
    attrs = {"class": f"message {m.kind}", "data-from": m.source, "data-to": m.target, "data-kind": m.kind}
    if m.status:
        attrs["data-status"] = m.status
    group = _el("g", attrs, parent=c.arrows)
    title = {"cast": "cast", "call": "call", "return": "returns", "request": "request", "invoke": "calls", "rest": "HTTP request"}[m.kind]
    tooltip = f"{m.source} {title} {m.target}: {m.label}" if m.label else f"{m.target} returns to {m.source}"
    if m.function:
        tooltip += f"\n{m.function}  {m.path}:{m.line}"
    if m.route:
        tooltip += f"\nserver={m.route}"
    if m.answered:
        tooltip += f"\n{m.target} answers (the arrow's second head)"
    if m.more:
        tooltip += f"\n{m.more}"
    if not m.default_path:
        tooltip += "\n(not on the default path)"
    target = _link(group, c.url_of(m.path, m.line) if m.path else None, tooltip)
    lines = wrap(m.label) if m.label else []
    label_h = LINE * len(lines)
    x1, x2 = c.x[m.source], c.x[m.target]
    dash = {"cast": "7,4", "return": "2,3"}.get(m.kind)
    width = {"call": 2.2, "rest": 2.2, "cast": 1.6, "request": 1.6}.get(m.kind, 1.2)
    line_attrs = {"stroke": colour, "stroke-width": width, "fill": "none"}
    if dash:
        line_attrs["stroke-dasharray"] = dash
    weight = "bold" if m.kind in ("call", "cast", "request", "rest") else None
    style = "italic" if m.kind == "return" else None
    if x1 == x2:
        top = c.y + label_h + 4
        x = c.bar_x(m.source) + BAR_W / 2
        _text(target, x + 6, c.y + 11, lines, anchor="start", fill=colour, weight=weight, style=style)
        _el("polyline", {**line_attrs, "points": f"{x:.1f},{top:.1f} {x + SELF_W:.1f},{top:.1f} "
                                                 f"{x + SELF_W:.1f},{top + 14:.1f} {x + 1:.1f},{top + 14:.1f}"},
            parent=group)
        _arrowhead(group, x + 1, top + 14, -1, colour, m.kind not in ("cast", "return"))
        c.right = max(c.right, x + SELF_W + max((text_width(s) for s in lines), default=0) + 8)
        c.y = top + 26
        return
    direction = 1 if x2 > x1 else -1
    start = x1 + direction * BAR_W / 2
    end = x2 - direction * BAR_W / 2
    if lines:
        _text(target, (x1 + x2) / 2, c.y + 11, lines, fill=colour, weight=weight, style=style)
    y = c.y + label_h + 6
    _el("line", {**line_attrs, "x1": start, "y1": y, "x2": end, "y2": y}, parent=group)
    _arrowhead(group, end, y, direction, colour, m.kind not in ("cast", "return"))
    if m.answered:  # the response, back to the caller: an open head at the start
        _arrowhead(group, start, y, -direction, colour, False)
    c.y = y + 10  # the next label sits close: a story of 35 arrows fits a page


def _note(n: Note, c: _Canvas) -> None:
    lines = wrap(n.text, MAX_LABEL, SMALL)
    width = max(text_width(line, SMALL) for line in lines) + 14
    height = LINE * len(lines) + 8
    x = c.x[n.lane]
    group = _el("g", {"class": "note", "data-lane": n.lane}, parent=c.notes)
    target = _link(group, c.url_of(n.path, n.line) if n.path else None, f"{n.text}\n{n.path}:{n.line}")
    fill, stroke, ink = ("#fde0e0", "#c0392b", "#8b0000") if n.cut else ("#fffbe6", "#b5a35a", "#333333")
    _el("rect", {"x": x - width / 2, "y": c.y, "width": width, "height": height, "fill": fill,
                 "stroke": stroke, "stroke-width": 1.5 if n.cut else 1, "rx": 2}, parent=target)
    _text(target, x, c.y + 13, lines, size=SMALL, fill=ink)
    c.y += height + 10


def _frame(f: Frame, c: _Canvas) -> None:
    left, right = _frame_box(f, c)
    group = _el("g", {"class": f"frame {f.kind}", "data-kind": f.kind}, parent=c.frames)
    tabs = _el("g", {"class": f"frame-label {f.kind}"}, parent=c.labels)
    top = c.y
    separators = []
    for i, branch in enumerate(f.branches):
        lines = _frame_lines(f, branch)
        if i == 0:
            tab = f.kind
            tab_w = text_width(tab, SMALL) + 14
            label_x = left + tab_w + 8
            c.y += 4
            _text(tabs, label_x, c.y + 11, [f"[{line}]" if len(lines) == 1 else line for line in lines],
                  size=SMALL, anchor="start", fill="#555555" if branch.default_path else "#999999", style="italic")
        else:
            separators.append(c.y)
            c.y += 2
            _text(tabs, left + 8, c.y + 11, [f"[{line}]" if len(lines) == 1 else line for line in lines],
                  size=SMALL, anchor="start", fill="#555555" if branch.default_path else "#999999", style="italic")
        _el("title", None, f"{f.kind} {branch.label}", group)
        c.y += LINE * len(lines) + 10
        _draw(branch.items, c)
    c.y += 4
    _el("rect", {"x": left, "y": top, "width": right - left, "height": c.y - top, "fill": "none",
                 "stroke": "#888888", "stroke-width": 1}, parent=group)
    tab_w = text_width(f.kind, SMALL) + 14
    _el("path", {"d": f"M{left:.1f},{top + 18:.1f} H{left + tab_w - 6:.1f} L{left + tab_w:.1f},{top + 12:.1f} "
                      f"V{top:.1f} H{left:.1f} Z", "fill": "#f0f0f0", "stroke": "#888888", "stroke-width": 1}, parent=tabs)
    _text(tabs, left + 5, top + 13, [f.kind], size=SMALL, anchor="start", fill="#333333", weight="bold")
    for y in separators:
        _el("line", {"x1": left, "y1": y, "x2": right, "y2": y, "stroke": "#888888", "stroke-dasharray": "5,4"},
            parent=group)
    c.right = max(c.right, right)
    c.y += 10


def _lifelines(seq: Sequence, c: _Canvas, parent: ET.Element, top: float, bottom: float) -> None:
    for lane in seq.lanes:
        x = c.x[lane.name]
        width = text_width(lane.name) + 24
        group = _el("g", {"class": "lifeline", "data-lane": lane.name, "data-kind": lane.kind}, parent=parent)
        _el("title", None, f"{lane.name} ({lane.kind})", group)
        _el("line", {"x1": x, "y1": top + HEAD_H, "x2": x, "y2": bottom, "stroke": "#999999",
                     "stroke-dasharray": "4,4", "stroke-width": 1}, parent=group)
        for y in (top, bottom):
            _el("rect", {"x": x - width / 2, "y": y, "width": width, "height": HEAD_H, "rx": 4,
                         "fill": LANE_FILL[lane.kind], "stroke": "#555555", "stroke-width": 1}, parent=group)
            _text(group, x, y + HEAD_H / 2 + 4, [lane.name], weight="bold")


def _legend(parent: ET.Element, x: float, y: float, entries: list[tuple[str, str]]) -> float:
    """A line of colour and its meaning per entry, from x along the title's line; returns the right end."""
    group = _el("g", {"class": "legend"}, parent=parent)
    for label, colour in entries:
        entry = _el("g", {"class": "legend-entry", "data-status": label}, parent=group)
        _el("line", {"x1": x, "y1": y - 4, "x2": x + 22, "y2": y - 4, "stroke": colour, "stroke-width": 3},
            parent=entry)
        _text(entry, x + 28, y, [label], size=SMALL, anchor="start", fill=colour)
        x += 28 + text_width(label, SMALL) + 18
    return x


def to_svg(seq: Sequence, *, url_of=None, legend: list[tuple[str, str]] | None = None) -> bytes:
    """The diagram as SVG bytes; url_of(path, line) gives where a label links, or None; legend, what
    each colour means (a flow diff's added, removed, changed), drawn beside the title."""
    x = _lane_positions(seq)
    root = _el("svg", {"version": "1.1"})
    canvas = _Canvas(x, ET.Element("g"), ET.Element("g"), ET.Element("g"), ET.Element("g"), ET.Element("g"),
                     url_of or (lambda path, line: None))
    title_y = MARGIN + 6
    top = title_y + 18
    canvas.y = top + HEAD_H + 18
    _draw(seq.items, canvas)
    bottom = canvas.y + 12
    width = max(x["__tail__"], canvas.right + MARGIN)
    legend_x = MARGIN + text_width(seq.title, 14) + 32
    if legend:
        width = max(width, legend_x + sum(28 + text_width(label, SMALL) + 18 for label, _ in legend) + MARGIN)
    height = bottom + HEAD_H + MARGIN
    root.set("width", f"{width:.0f}")
    root.set("height", f"{height:.0f}")
    root.set("viewBox", f"0 0 {width:.0f} {height:.0f}")
    _el("title", None, seq.title, root)
    _el("rect", {"x": 0, "y": 0, "width": f"{width:.0f}", "height": f"{height:.0f}", "fill": "#ffffff"}, parent=root)
    _text(root, MARGIN, title_y, [seq.title], size=14, anchor="start", weight="bold")
    if legend:
        _legend(root, legend_x, title_y, legend)
    for layer, name in ((canvas.frames, "frames"), (None, "lifelines"), (canvas.bars, "activations"),
                        (canvas.labels, "frame-labels"), (canvas.arrows, "messages"), (canvas.notes, "notes")):
        group = _el("g", {"class": name}, parent=root)
        if layer is None:
            _lifelines(seq, canvas, group, top, bottom)
        else:
            group.extend(list(layer))
    ET.indent(root, space=" ")
    for text in root.iter(f"{{{SVG_NS}}}text"):  # indenting inside <text> would add spaces to the label
        if len(text):
            text.text = None
            for span in text:
                span.tail = None
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")
