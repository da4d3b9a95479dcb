"""`trace -o FILE.svg`: where the drawing's source links go when no --link-template is given."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from gallery_fixture import gallery_tree

from stackread.cli import cli

SVG_NS = "{http://www.w3.org/2000/svg}"
HREFS = ("{http://www.w3.org/1999/xlink}href", "href")


def _links(svg_file) -> list[str]:
    root = ET.parse(svg_file).getroot()
    return [a.get(name) for a in root.iter(f"{SVG_NS}a") for name in HREFS if a.get(name)]


def _draw(tmp_path, root, view, *extra):
    out = tmp_path / f"{view}.svg"
    result = CliRunner().invoke(cli, ["trace", "create_server", "-C", str(root), "--view", view, "-o", str(out),
                                      "--cache-dir", str(tmp_path / "cache"), *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return _links(out)


@pytest.mark.parametrize("view", ["graph", "sequence"])
def test_a_published_release_links_to_its_tag_on_opendev(tmp_path, view):
    root = gallery_tree(tmp_path / "nova")  # with PKG-INFO: nova 1.0.0
    links = _draw(tmp_path, root, view)
    assert "https://opendev.org/openstack/nova/src/tag/1.0.0/nova/compute/manager.py#L7" in links
    assert not any(link.startswith("file:") for link in links)


@pytest.mark.parametrize("view", ["graph", "sequence"])
def test_a_plain_directory_links_to_its_files_and_a_template_overrides(tmp_path, view):
    root = gallery_tree(tmp_path / "nova", published=False)
    links = _draw(tmp_path, root, view)
    assert f"file://{root.resolve().as_posix()}/nova/compute/manager.py#L7" in links
    assert not any("opendev" in link for link in links)
    published = gallery_tree(tmp_path / "release")
    links = _draw(tmp_path, published, view, "--link-template", "https://example.org/{path}?l={line}")
    assert "https://example.org/nova/compute/manager.py?l=7" in links
    assert not any("opendev" in link or link.startswith("file:") for link in links)
