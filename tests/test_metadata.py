"""Entry points are read from every packaging form, each with the line that declares it."""

import pytest

from stackread.errors import AnalysisError, UsageError
from stackread.metadata import read_metadata
from stackread.source import open_tree


def eps(tree_path):
    return {(ep.group, ep.name): ep for ep in read_metadata(open_tree(tree_path)).entrypoints}


def test_pbr_setup_cfg_groups_and_lines(make_tree):
    root = make_tree({"setup.cfg": """
        [metadata]
        name = nova

        [entry_points]
        console_scripts =
            nova-api = nova.cmd.api:main
            nova-compute = nova.cmd.compute:main
        wsgi_scripts =
            nova-placement-api = nova.api.openstack.placement.wsgi:init_application
        nova.image.download.modules =
            file = nova.image.download.file
        """})
    found = eps(root)
    compute = found[("console_scripts", "nova-compute")]
    assert (compute.module, compute.attr, compute.declared_path, compute.declared_line) == (
        "nova.cmd.compute", "main", "setup.cfg", 7)
    assert found[("wsgi_scripts", "nova-placement-api")].declared_line == 9
    module_only = found[("nova.image.download.modules", "file")]
    assert module_only.attr is None and module_only.module == "nova.image.download.file"
    assert read_metadata(open_tree(root)).name == "nova"


def test_pyproject_scripts_gui_scripts_and_entry_point_tables(make_tree):
    root = make_tree({
        "setup.cfg": "[metadata]\nname = nova\n",
        "pyproject.toml": """
            [project]
            name = "nova"
            version = "34.0.0"

            [project.scripts]
            nova-compute = "nova.cmd.compute:main"

            [project.gui-scripts]
            nova-gui = "nova.gui:run"

            [project.entry-points."nova.compute.monitors.cpu"]
            virt_driver = "nova.compute.monitors.cpu.virt_driver:Monitor"
            """})
    found = eps(root)
    assert found[("console_scripts", "nova-compute")].declared_line == 6
    assert found[("gui_scripts", "nova-gui")].declared_path == "pyproject.toml"
    assert found[("nova.compute.monitors.cpu", "virt_driver")].declared_line == 12
    assert read_metadata(open_tree(root)).version == "34.0.0"


def test_generated_entry_points_txt_is_used_when_nothing_is_declared(make_tree):
    # An sdist whose setup.py declares everything: only egg-info has the entry points.
    root = make_tree({
        "PKG-INFO": "Metadata-Version: 1.1\nName: glance\nVersion: 13.0.0\n\nlong description\nName: not-this\n",
        "glance.egg-info/entry_points.txt": "[console_scripts]\nglance-api = glance.cmd.api:main\n",
    })
    metadata = read_metadata(open_tree(root))
    assert (metadata.name, metadata.version) == ("glance", "13.0.0")
    assert [(e.name, e.declared_path, e.declared_line) for e in metadata.entrypoints] == [
        ("glance-api", "glance.egg-info/entry_points.txt", 2)]


def test_declared_entry_points_win_over_generated_ones(make_tree):
    root = make_tree({
        "setup.cfg": "[metadata]\nname = x\n[entry_points]\nconsole_scripts =\n    x-new = x.new:main\n",
        "x.egg-info/entry_points.txt": "[console_scripts]\nx-stale = x.old:main\n",
    })
    assert [e.name for e in read_metadata(open_tree(root)).entrypoints] == ["x-new"]


@pytest.mark.parametrize("files, where", [
    ({"setup.cfg": "[entry_points\nconsole_scripts =\n"}, "setup.cfg:1"),
    ({"setup.cfg": "[metadata]\nname=x\n[entry_points]\nconsole_scripts =\n  x = y:z\n  bogus line\n"}, "setup.cfg:6"),
    ({"pyproject.toml": '[project]\nname = "x\n'}, "pyproject.toml:2"),
    ({"pyproject.toml": '[project]\nname = "x"\n[project.scripts]\nx = 3\n'}, "pyproject.toml:4"),
])
def test_malformed_metadata_names_file_and_line(make_tree, files, where):
    with pytest.raises(AnalysisError) as info:
        read_metadata(open_tree(make_tree(files)))
    assert str(info.value).startswith(f"{where}: ")


def test_no_metadata_is_a_usage_error(make_tree):
    with pytest.raises(UsageError, match="no packaging metadata"):
        read_metadata(open_tree(make_tree({"nova/__init__.py": ""})))
