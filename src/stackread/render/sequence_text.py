"""The sequence view as text for the tools people already use: Mermaid, PlantUML and seqdiag.

All three draw the same `flow.Sequence`: lanes become participants (declared in order, so the
client is left and services right), a cast is an asynchronous arrow, a call a synchronous one
followed by its dotted return, and conditions and loops become opt/alt/loop blocks (seqdiag has
no blocks: they become `=== separators ===`). Participants get short aliases (P0, P1...) so no
lane name has to survive each tool's identifier rules; labels are escaped per tool.
"""

from __future__ import annotations

import re

from stackread.render.flow import (
    Activate, Deactivate, Frame, Item, Message, Note, Sequence, frame_title, one_line,
)


def _title(frame: Frame, branch) -> str:
    """A block's condition after its keyword; an else says only whether it is the default."""
    title = frame_title(frame, branch)
    return title.removeprefix("else").strip() if branch.otherwise else title


def _aliases(seq: Sequence) -> dict[str, str]:
    return {lane.name: f"P{i}" for i, lane in enumerate(seq.lanes)}


def _blocks(seq: Sequence, indent: str, depth: int, text, message, note) -> list[str]:
    """The items as lines of a tool with activate/deactivate and opt/alt/loop ... else ... end
    blocks (Mermaid, PlantUML): `message` and `note` write one item each, `text` escapes a label."""
    alias = _aliases(seq)
    lines: list[str] = []

    def emit(items: list[Item], depth: int) -> None:
        pad = indent * depth
        for item in items:
            if isinstance(item, Message):
                lines.extend(pad + part for part in message(item, alias).split("\n"))
            elif isinstance(item, Note):
                lines.append(pad + note(item, alias))
            elif isinstance(item, Activate):
                lines.append(f"{pad}activate {alias[item.lane]}")
            elif isinstance(item, Deactivate):
                lines.append(f"{pad}deactivate {alias[item.lane]}")
            elif isinstance(item, Frame):
                for i, branch in enumerate(item.branches):
                    keyword = item.kind if i == 0 else "else"
                    lines.append(f"{pad}{keyword} {text(_title(item, branch))}".rstrip())
                    emit(branch.items, depth + 1)
                lines.append(f"{pad}end")

    emit(seq.items, depth)
    return lines


# -- Mermaid -----------------------------------------------------------------------------------

_MERMAID_CODES = {"#": "#35;", ";": "#59;", "<": "#lt;", ">": "#gt;", "%": "#37;"}
_MERMAID_ARROWS = {"rest": "->>", "request": "->>", "call": "->>", "invoke": "->>", "cast": "--)", "return": "-->>"}


def mermaid_text(text: str) -> str:
    """Mermaid message text: `;` ends a statement and `#` starts an entity code, `<>` read as HTML."""
    return "".join(_MERMAID_CODES.get(ch, ch) for ch in one_line(text))


def to_mermaid(seq: Sequence) -> str:
    alias = _aliases(seq)
    lines = ["sequenceDiagram", f"    title {mermaid_text(seq.title)}"]
    lines += [f"    participant {alias[lane.name]} as {mermaid_text(lane.name)}" for lane in seq.lanes]

    def message(item: Message, alias: dict[str, str]) -> str:
        label = mermaid_text(item.label) if item.label else " "
        line = f"{alias[item.source]}{_MERMAID_ARROWS[item.kind]}{alias[item.target]}: {label}"
        if item.answered:  # its response (Mermaid's two-headed arrow is too new to rely on)
            line += f"\n{alias[item.target]}-->>{alias[item.source]}: response"
        return line

    lines += _blocks(seq, "    ", 1, mermaid_text, message,
                     lambda item, alias: f"Note over {alias[item.lane]}: {mermaid_text(item.text)}")
    return "\n".join(lines) + "\n"


# -- PlantUML ----------------------------------------------------------------------------------

_PLANTUML_ARROWS = {"rest": "->", "request": "->", "call": "->", "invoke": "->", "cast": "->>", "return": "-->"}
# Creole markup PlantUML reads inside a label: **bold**, //italic//, __underline__, --strike--,
# ~~wave~~, ""monospace"", [[link]]; and <tags>. `~` hides the next character from it, but only for
# _ - " # ] [ * . / < (PlantUML's CharHidder): before any other, `~=` say, it shows as written.
_CREOLE = re.compile(r"([_*/\-\"\[\]])\1+")
_AMP_CODE = re.compile(r"&(?=#[0-9]+;)")


def plantuml_text(text: str) -> str:
    """PlantUML label text that PlantUML shows as written: doubled markup characters and `<` get
    `~`; `~` itself (it could hide what follows, or pair into ~~wave~~) and an `&` that would start
    a `&#NNN;` code are written as codes, which PlantUML decodes after the markup is read; a
    backslash would start an escape (\\n), so it is doubled. `==`, `->`, `:` need nothing
    inside a message: a separator is `==` at the start of a line, and labels never start one."""
    text = _AMP_CODE.sub("&#38;", one_line(text)).replace("~", "&#126;").replace("\\", "\\\\")
    text = _CREOLE.sub(lambda m: "".join("~" + ch for ch in m.group(0)), text)
    return text.replace("<", "~<")


def _plantuml_name(name: str) -> str:
    return '"' + name.replace('"', "'") + '"'


def to_plantuml(seq: Sequence) -> str:
    alias = _aliases(seq)
    kinds = {"client": "actor", "process": "participant", "driver": "participant", "service": "participant"}
    lines = ["@startuml", f"title {plantuml_text(seq.title)}", "skinparam shadowing false",
             "skinparam defaultFontName sans-serif"]
    lines += [f"{kinds[lane.kind]} {_plantuml_name(lane.name)} as {alias[lane.name]}" for lane in seq.lanes]

    def message(item: Message, alias: dict[str, str]) -> str:
        arrow = "-[bold]>" if item.kind == "call" else "<->" if item.answered else _PLANTUML_ARROWS[item.kind]
        label = f" : {plantuml_text(item.label)}" if item.label else ""
        return f"{alias[item.source]} {arrow} {alias[item.target]}{label}"

    lines += _blocks(seq, "  ", 0, plantuml_text, message,
                     lambda item, alias: f"note over {alias[item.lane]} : {plantuml_text(item.text)}")
    lines.append("@enduml")
    return "\n".join(lines) + "\n"


# -- seqdiag -----------------------------------------------------------------------------------

_SEQDIAG_ARROWS = {"rest": "->", "request": "->", "call": "->", "invoke": "->", "cast": "->>", "return": "<--"}


def seqdiag_text(text: str) -> str:
    """A seqdiag double-quoted string."""
    return '"' + one_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_seqdiag(seq: Sequence) -> str:
    """seqdiag (blockdiag), what Nova's own docs draw with: no blocks, so frames are separators."""
    lines = ["seqdiag {", "  activation = none;", "  edge_length = 220;", "  default_fontsize = 12;"]
    lines.append("  " + "; ".join(seqdiag_text(lane.name) for lane in seq.lanes) + ";")

    def emit(items: list[Item]) -> None:
        for i, item in enumerate(items):
            if isinstance(item, Message):
                attrs = [f"label = {seqdiag_text(item.label)}"] if item.label else []
                if item.kind == "cast":
                    attrs.append("style = dashed")
                if item.kind == "call":
                    attrs.append("color = purple")
                nxt = items[i + 1:i + 3]
                note = next((n for n in nxt if isinstance(n, Note)), None)
                if note is not None and item.kind in ("request", "call", "cast"):
                    attrs.append(f"rightnote = {seqdiag_text(note.text)}")
                source, target = seqdiag_text(item.source), seqdiag_text(item.target)
                if item.kind == "return":  # written from the caller's side: caller <-- callee
                    source, target = target, source
                attr_text = f" [{', '.join(attrs)}]" if attrs else ""
                arrow = "=>" if item.answered else _SEQDIAG_ARROWS[item.kind]  # `=>`: a call and its return
                lines.append(f"  {source} {arrow} {target}{attr_text};")
            elif isinstance(item, Note) and item.cut:  # a note of its own is a message's in seqdiag
                lines.append(f"  === {seqdiag_separator(item.text)} ===")
            elif isinstance(item, Frame):
                for j, branch in enumerate(item.branches):
                    keyword = item.kind if j == 0 else "else"
                    lines.append(f"  === {seqdiag_separator(f'{keyword} {_title(item, branch)}'.rstrip())} ===")
                    emit(branch.items)
                lines.append(f"  === {seqdiag_separator(f'end {item.kind}')} ===")

    emit(seq.items)
    lines.append("}")
    return "\n".join(lines) + "\n"


def seqdiag_separator(text: str) -> str:
    """Separator text runs to the closing `===` of its line: one line, and no `===` inside."""
    return re.sub(r"={3,}", "==", one_line(text))
