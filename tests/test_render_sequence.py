"""The sequence view drawn from a hand-made flow: long names, other scripts, long flows, escaping."""

import re
import xml.etree.ElementTree as ET

import pytest

from stackread.render.flow import Activate, Branch, Deactivate, Frame, Lane, Message, Note, Sequence, conjuncts
from stackread.render.sequence_svg import text_width, to_svg
from stackread.render.sequence_text import mermaid_text, plantuml_text, to_mermaid, to_plantuml, to_seqdiag

SVG = "{http://www.w3.org/2000/svg}"


def lanes(*names):
    return [Lane("client", "client"), *(Lane(n, "process") for n in names)]


def parse(seq):
    return ET.fromstring(to_svg(seq))


def lane_x(svg):
    return {g.get("data-lane"): float(next(g.iter(f"{SVG}line")).get("x1"))
            for g in svg.iter(f"{SVG}g") if g.get("class") == "lifeline"}


def labels(svg):
    out = []
    for g in svg.iter(f"{SVG}g"):
        if (g.get("class") or "").startswith("message "):
            texts = list(g.iter(f"{SVG}text"))
            if texts:
                out.append((g, texts[0]))
    return out


def test_lanes_move_apart_so_a_long_label_fits_between_them():
    name = "schedule_and_build_instances_with_a_name_far_longer_than_any_lane_head"
    seq = Sequence("t", lanes("a", "b"), [Message("a", "b", name, "cast")])
    svg = parse(seq)
    x = lane_x(svg)
    (_, text), = labels(svg)
    assert "".join(text.itertext()) == name
    lines = [t.text for t in text.iter(f"{SVG}tspan")] or [text.text]
    assert all(x["b"] - x["a"] >= text_width(line) for line in lines)


def test_a_label_wider_than_any_line_wraps_and_reads_back_whole():
    name = ".".join(["SchedulerReportClient"] * 8)
    svg = parse(Sequence("t", lanes("a", "b"), [Message("a", "b", name, "call")]))
    (_, text), = labels(svg)
    spans = list(text.iter(f"{SVG}tspan"))
    assert len(spans) > 1 and "".join(text.itertext()) == name


def test_chinese_and_other_scripts_survive_and_count_wide():
    label = "创建服务器 — сервер"
    seq = Sequence("创建服务器", [Lane("client", "client"), Lane("计算节点", "process")],
                   [Message("client", "计算节点", label, "request"), Note("计算节点", "注意：调度")])
    data = to_svg(seq)
    svg = ET.fromstring(data)
    assert {g.get("data-lane") for g in svg.iter(f"{SVG}g") if g.get("class") == "lifeline"} == {"client", "计算节点"}
    assert label in "".join(svg.itertext()) and "注意：调度" in "".join(svg.itertext())
    assert text_width("创建") == 2 * text_width("创", 12) > text_width("ab")
    assert "sans-serif" in data.decode()
    assert "创建服务器" in to_mermaid(seq) and "创建服务器" in to_plantuml(seq) and "创建服务器" in to_seqdiag(seq)


def test_a_sixty_hop_flow_grows_down_not_across_and_repeats_lane_heads():
    names = ["nova-api", "nova-conductor", "nova-scheduler", "nova-compute"]
    items = []
    for i in range(60):
        a, b = names[i % 4], names[(i + 1) % 4]
        items += [Message(a, b, f"method_number_{i}", "call" if i % 2 else "cast"), Activate(b),
                  Note(b, f"Manager.method_number_{i}"), Deactivate(b)]
    svg = parse(Sequence("long", lanes(*names), items))
    width, height = float(svg.get("width")), float(svg.get("height"))
    assert width < 1400 and height > 60 * 40
    ys = [float(next(g.iter(f"{SVG}line")).get("y1")) for g, _ in labels(svg)]
    assert ys == sorted(ys) and len(set(ys)) == 60  # one row per arrow, none on top of another
    heads = [t for g in svg.iter(f"{SVG}g") if g.get("class") == "lifeline" and g.get("data-lane") == "nova-api"
             for t in g.iter(f"{SVG}text")]
    assert len(heads) == 2  # at the top and at the foot


def test_frames_nest_inside_each_other():
    inner = Frame("loop", [Branch("for x in xs", [Message("a", "b", "m", "cast")])])
    outer = Frame("alt", [Branch("c", [inner]), Branch("else", [Message("a", "b", "n", "call")])])
    svg = parse(Sequence("t", lanes("a", "b"), [outer]))
    rects = {g.get("data-kind"): next(g.iter(f"{SVG}rect")) for g in svg.iter(f"{SVG}g")
             if (g.get("class") or "").startswith("frame ")}
    o, i = rects["alt"], rects["loop"]
    box = lambda r: (float(r.get("x")), float(r.get("y")), float(r.get("x")) + float(r.get("width")),
                     float(r.get("y")) + float(r.get("height")))
    ox1, oy1, ox2, oy2 = box(o)
    ix1, iy1, ix2, iy2 = box(i)
    assert ox1 < ix1 and oy1 < iy1 and ix2 < ox2 and iy2 < oy2


def test_conditions_split_only_outside_brackets():
    assert conjuncts("a and (b and c) and not (d and 'x and y')") == ["a", "(b and c)", "not (d and 'x and y')"]
    assert conjuncts(None) == []


def test_labels_are_escaped_for_each_tool():
    assert mermaid_text("a; b # c <d>") == "a#59; b #35; c #lt;d#gt;"
    assert plantuml_text("API.__init__ a == b") == "API.~_~_init~_~_ a == b"
    seq = Sequence("t", lanes("a"), [Message("client", "a", 'say "hi"; #1', "request")])
    assert 'label = "say \\"hi\\"; #1"' in to_seqdiag(seq)


def test_a_sequence_png_without_cairosvg_says_what_to_do(monkeypatch):
    import sys

    import pytest

    from stackread.errors import StackreadError
    from stackread.render.diagram import svg_to_png

    monkeypatch.setitem(sys.modules, "cairosvg", None)  # import fails as if not installed
    with pytest.raises(StackreadError, match="pip install cairosvg.*FILE.svg"):
        svg_to_png(to_svg(Sequence("t", lanes("a"), [Message("client", "a", "x", "request")])))


# PlantUML's reading of a label, from its source (net.sourceforge.plantuml.utils.CharHidder,
# klimt/creole): `~` hides the next character from the markup only if it is one of these; markup
# is then read; hidden characters come back, `&#NNN;` codes are decoded and `\\` is a backslash.
_HIDDEN = set('_-"#][*./<')
_MARKUP = re.compile(r'\*\*|//|__|--|~~|""|\[\[|<')


def _plantuml_shows(label: str) -> str:
    hidden, i = [], 0
    while i < len(label):
        if label[i] == "~" and i + 1 < len(label) and label[i + 1] in _HIDDEN:
            hidden.append(chr(0xE000 + ord(label[i + 1])))
            i += 2
        else:
            hidden.append(label[i])
            i += 1
    text = "".join(hidden)
    assert not _MARKUP.search(text), f"PlantUML would read markup in {label!r}"
    text = "".join(chr(ord(c) - 0xE000) if 0xE000 <= ord(c) <= 0xE0FF else c for c in text)
    text = re.sub(r"&#([0-9]+);", lambda m: chr(int(m.group(1))), text)
    return re.sub(r"\\\\", r"\\", text)


@pytest.mark.parametrize("label", [
    "result == build_results.FAILED", "a -- b", "x -> y", "a: b", "==", "--x--", "**kwargs // 2",
    "__init__", 'say ""hi""', "[[link]]", "<b>not bold</b>", "a ~~ b", "~_x", "a ~= b", "&#65; stays",
    "path\\n", "a ^^ b", "x >= 1 and y <= 2", "~", "===",
])
def test_plantuml_shows_labels_as_written(label):
    written = plantuml_text(label)
    assert _plantuml_shows(written) == label
    line = to_plantuml(Sequence("t", lanes("a"), [Message("client", "a", label, "request")])).splitlines()[-2]
    assert line == f"P0 -> P1 : {written}"  # one line, the label after the first ` : `


def test_long_labels_wrap_between_identifiers_never_inside_one():
    from stackread.render.sequence_svg import wrap

    condition = ("not is_rebuild and resources.cpu_pinning_requested and not "
                 "CONF.workarounds.disable_fallback_pcpu_query")
    for width in (160, 220, 300, 420):
        lines = wrap(condition, width)
        assert len(lines) > 1 and "".join(lines).replace(" ", "") == condition.replace(" ", "")
        words = set(re.findall(r"\w+", condition))
        for line in lines:
            assert set(re.findall(r"\w+", line)) <= words, (width, lines)  # every name whole


def test_a_call_to_another_service_shows_its_response():
    """Another service's API answers the request its caller waits on: the SVG draws the response as a
    second head on the same arrow (no extra height), the text formats as a return or a two-way arrow."""
    seq = Sequence("t", [*lanes("nova-api"), Lane("neutron", "service")],
                   [Message("nova-api", "neutron", "neutron: 2 calls (validate_networks, ...)", "invoke",
                            answered=True),
                    Message("nova-api", "nova-api", "API._check", "invoke")])
    heads = {g.get("data-to"): sum(1 for p in g.iter() if p.tag in (f"{SVG}polygon", f"{SVG}polyline")
                                   and len(p.get("points", "").split()) == 3)  # an arrowhead's three points
             for g in parse(seq).iter(f"{SVG}g") if (g.get("class") or "").startswith("message ")}
    assert heads["neutron"] == 2
    mermaid = to_mermaid(seq).splitlines()
    call = next(i for i, line in enumerate(mermaid) if "neutron: 2 calls" in line)
    assert mermaid[call + 1].strip().endswith(": response") and "-->>" in mermaid[call + 1]
    assert sum("response" in line for line in mermaid) == 1  # the call inside the process has none
    assert " <-> " in next(line for line in to_plantuml(seq).splitlines() if "neutron: 2 calls" in line)
    assert '"nova-api" => "neutron"' in to_seqdiag(seq)
