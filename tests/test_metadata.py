"""Entry points are read from every packaging form, each with the line that declares it."""

import pytest

from stackread.errors import UsageError
from stackread.frameworks.packaging import read_metadata
from stackread.source.trees import open_tree


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


GOOD_PKG = {"pkg/__init__.py": "", "pkg/cli.py": "def main():\n    pass\n"}


@pytest.mark.parametrize("files, where, good", [
    # setup.cfg: a line before any section, a line that is no `key = value`, an entry without `=`
    ({"setup.cfg": "[entry_points\nconsole_scripts =\n"}, "setup.cfg:1", []),
    ({"setup.cfg": "name = x\n[entry_points]\nconsole_scripts =\n    good = pkg.cli:main\n"}, "setup.cfg:1", ["good"]),
    ({"setup.cfg": "[metadata]\nname=x\n[entry_points]\nconsole_scripts =\n  x = y:z\n  bogus line\n"
                   "  good = pkg.cli:main\n"}, "setup.cfg:6", ["x", "good"]),
    ({"setup.cfg": "[metadata]\nname = x\nno value here\n[entry_points]\nconsole_scripts =\n  good = pkg.cli:main\n"},
     "setup.cfg:3", ["good"]),
    # a section or key given twice: setuptools refuses the file; both are read
    ({"setup.cfg": "[entry_points]\nconsole_scripts =\n  good = pkg.cli:main\n[entry_points]\nwsgi_scripts =\n"
                   "  other = pkg.cli:main\n"}, "setup.cfg:4", ["good", "other"]),
    ({"setup.cfg": "[entry_points]\nconsole_scripts =\n  good = pkg.cli:main\nconsole_scripts =\n"
                   "  other = pkg.cli:main\n"}, "setup.cfg:4", ["good", "other"]),
    ({"setup.cfg": b"[metadata]\nsummary = \xff\xfe\n[entry_points]\nconsole_scripts =\n  good = pkg.cli:main\n"},
     "setup.cfg:2", ["good"]),
    # pyproject.toml: syntax, types, lists where tables are expected, bytes
    ({"pyproject.toml": '[project]\nname = "x\n'}, "pyproject.toml:2", []),
    ({"pyproject.toml": '[project]\nname = "x"\n[project.scripts]\nx = 3\ngood = "pkg.cli:main"\n'},
     "pyproject.toml:4", ["good"]),
    ({"pyproject.toml": '[project]\nname = "x"\n[project.scripts]\nbad =\ngood = "pkg.cli:main"\n'},
     "pyproject.toml:4", ["good"]),
    ({"pyproject.toml": '[project]\nentry-points = 5\n[project.scripts]\ngood = "pkg.cli:main"\n'},
     "pyproject.toml:2", ["good"]),
    ({"pyproject.toml": '[project]\nscripts = "x"\n[project.gui-scripts]\ngood = "pkg.cli:main"\n'},
     "pyproject.toml:2", ["good"]),
    ({"pyproject.toml": '[project]\n[[project.scripts]]\nx = "pkg.cli:main"\n[project.entry-points.g]\n'
                        'good = "pkg.cli:main"\n'}, "pyproject.toml:2", ["good"]),
    ({"pyproject.toml": '[project.entry-points]\ng = ["pkg.cli:main"]\n[project.scripts]\ngood = "pkg.cli:main"\n'},
     "pyproject.toml:2", ["good"]),
    ({"pyproject.toml": 'project = [1]\n'}, "pyproject.toml:1", []),
    ({"pyproject.toml": '[project]\nname = 5\n[project.scripts]\ngood = "pkg.cli:main"\n'}, "pyproject.toml:2",
     ["good"]),
    ({"pyproject.toml": b'[project]\n# \xff\n[project.scripts]\ngood = "pkg.cli:main"\n'}, "pyproject.toml:2",
     ["good"]),
    # entry_points.txt
    ({"x.egg-info/entry_points.txt": "[console_scripts]\nbad line\ngood = pkg.cli:main\n"},
     "x.egg-info/entry_points.txt:2", ["good"]),
    ({"x.egg-info/entry_points.txt": "bad = pkg.cli:main\n[console_scripts]\ngood = pkg.cli:main\n"},
     "x.egg-info/entry_points.txt:1", ["good"]),
])
def test_a_malformed_line_is_a_problem_at_file_and_line_and_the_rest_is_read(make_tree, files, where, good):
    metadata = read_metadata(open_tree(make_tree({**GOOD_PKG, **files})))
    assert [p.severity.value for p in metadata.problems] and metadata.problems[0].location() == where
    assert all(p.severity.value == "error" for p in metadata.problems)
    assert [ep.name for ep in metadata.entrypoints] == good


def test_percent_signs_are_no_interpolation(make_tree):
    root = make_tree({"setup.cfg": "[metadata]\nname = x\nsummary = 100% %(nope)s\n[entry_points]\n"
                                   "console_scripts =\n  good = pkg.cli:main\n"})
    metadata = read_metadata(open_tree(root))
    assert (metadata.problems, [(e.name, e.declared_line) for e in metadata.entrypoints]) == ((), [("good", 6)])


def test_both_declaring_files_are_read_when_each_has_a_bad_line(make_tree):
    root = make_tree({"setup.cfg": "[metadata]\nname = x\n[entry_points]\nconsole_scripts =\n  bad\n  a = pkg.cli:main\n",
                      "pyproject.toml": '[project]\nname = "x"\n[project.scripts]\nbad = 1\nb = "pkg.cli:main"\n'})
    metadata = read_metadata(open_tree(root))
    assert [p.location() for p in metadata.problems] == ["setup.cfg:5", "pyproject.toml:4"]
    assert [(e.name, e.declared_path, e.declared_line) for e in metadata.entrypoints] == [
        ("a", "setup.cfg", 6), ("b", "pyproject.toml", 5)]


def test_no_metadata_is_a_usage_error(make_tree):
    with pytest.raises(UsageError, match="no packaging metadata"):
        read_metadata(open_tree(make_tree({"nova/__init__.py": ""})))
