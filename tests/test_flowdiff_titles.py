"""A flow diff names its sides by release when both trees are published releases, and its drawing
says what its colours mean."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from click.testing import CliRunner

from conftest import write_tree
from test_flowdiff import MINI, _second_version

from stackread.cli import cli

SVG = "{http://www.w3.org/2000/svg}"


def _trees(tmp_path, published: bool):
    files = dict(MINI)
    old = write_tree(tmp_path / "old", {**files, **({"PKG-INFO": "Metadata-Version: 2.1\nName: nova\nVersion: 15.1.5\n"}
                                                    if published else {})})
    new = write_tree(tmp_path / "new", {**files, **({"PKG-INFO": "Metadata-Version: 2.1\nName: nova\nVersion: 34.0.0\n"}
                                                    if published else {})})
    _second_version(new)
    return old, new


def _diff(old, new, *args):
    result = CliRunner().invoke(cli, ["trace", "create_server", "-C", str(old), "--diff", str(new), "--no-cache", *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_two_releases_are_named_by_project_and_version_in_text_json_and_drawing(tmp_path):
    old, new = _trees(tmp_path, published=True)
    text = _diff(old, new)
    assert "nova 15.1.5 -> 34.0.0" in text.splitlines()[0]
    assert "--- nova 15.1.5" in text and "+++ nova 34.0.0" in text and str(old) not in text
    data = json.loads(_diff(old, new, "--json"))
    assert data["title"] == "create_server: nova 15.1.5 -> 34.0.0" and data["versions"] == "nova 15.1.5 -> 34.0.0"
    assert data["old"]["source"] == str(old)  # the old fields stay
    assert (data["old"]["name"], data["old"]["project"], data["old"]["version"], data["old"]["published"]) == \
        ("nova 15.1.5", "nova", "15.1.5", True)
    assert data["new"]["name"] == "nova 34.0.0"
    out = tmp_path / "diff.svg"
    _diff(old, new, "-o", str(out))
    root = ET.parse(out).getroot()
    assert root.find(f"{SVG}title").text == "create_server: nova 15.1.5 -> 34.0.0"
    assert "create_server: nova 15.1.5 -> 34.0.0" in "".join(root.itertext())
    mermaid = _diff(old, new, "--format", "mermaid")
    assert "%% create_server: nova 15.1.5 -> 34.0.0" in mermaid


def test_plain_directories_are_named_by_the_paths_given(tmp_path):
    old, new = _trees(tmp_path, published=False)
    text = _diff(old, new)
    assert f"--- {old}" in text and f"+++ {new}" in text
    data = json.loads(_diff(old, new, "--json"))
    assert data["versions"] == f"{old} -> {new}" and data["old"]["published"] is False


def test_the_diff_drawing_has_a_legend_of_its_colours(tmp_path):
    from stackread.render.sequence_svg import STATUS_COLOURS

    old, new = _trees(tmp_path, published=False)
    out = tmp_path / "diff.svg"
    _diff(old, new, "-o", str(out))
    root = ET.parse(out).getroot()
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    entries = [(g.get("data-status"), next(g.iter(f"{SVG}line")).get("stroke"), "".join(g.itertext()).strip())
               for g in legend.iter(f"{SVG}g") if g.get("class") == "legend-entry"]
    assert entries == [("added", STATUS_COLOURS["added"], "added"), ("removed", STATUS_COLOURS["removed"], "removed"),
                       ("changed", STATUS_COLOURS["changed"], "changed")]
    assert STATUS_COLOURS["added"] == "#2e7d32" and STATUS_COLOURS["removed"] == "#c62828"  # green, red
    # The legend fits inside the drawing.
    right = max(float(t.get("x")) for t in legend.iter(f"{SVG}text"))
    assert right < float(root.get("width"))
