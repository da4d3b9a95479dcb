"""A malformed packaging file costs only its bad lines: every command still answers, says where, exits 1."""

import subprocess
import sys

import pytest

from conftest import write_tree
from test_flowdiff import MINI

SETUP_CFG = """\
[metadata]
name = nova
summary = 100% static, %(not interpolated)s

[entry_points]
console_scripts =
    nova-api = nova.cmd.api:main
    this line is no entry point
    nova-compute = nova.cmd.compute:main
    nova-conductor = nova.cmd.conductor:main
"""

PYPROJECTS = {
    "wrong type": ('[project]\nname = "nova"\n[project.scripts]\nnova-bad = 5\nnova-status = "nova.cmd.api:main"\n',
                   "pyproject.toml:4"),
    "syntax": ('[project]\nname = "nova"\n[project.scripts]\nnova-bad = \nnova-status = "nova.cmd.api:main"\n',
               "pyproject.toml:4"),
    "not a table": ('[project]\nname = "nova"\nentry-points = 5\n[project.scripts]\nnova-status = "nova.cmd.api:main"\n',
                    "pyproject.toml:3"),
}

ENTRY_POINTS_TXT = """\
[console_scripts]
nova-api = nova.cmd.api:main
no equals sign here
nova-compute = nova.cmd.compute:main
nova-conductor = nova.cmd.conductor:main
"""


def run(*args, cache):
    return subprocess.run([sys.executable, "-m", "stackread", *args], capture_output=True, text=True, timeout=300,
                          env={"STACKREAD_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin",
                               "PYTHONPATH": ":".join(sys.path)})


def answers(root, cache):
    """Each command's output, with what it must show from the good entries."""
    return [
        (["entrypoints", str(root)], ["nova-compute", "ComputeManager", "nova-conductor"]),
        (["rpc", str(root)], ["build_instances", "build_and_run_instance"]),
        (["routes", str(root)], ["/servers", "ServersController.create"]),
        (["routes", str(root), "--find", "create_server"], ["ServersController.create"]),
        (["trace", "create_server", "-C", str(root)], ["nova-conductor", "build_and_run_instance"]),
    ]


def check(root, cache, where: list[str]):
    for args, shown in answers(root, cache):
        done = run(*args, cache=cache)
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, (args, done.stderr)
        assert done.returncode == 1, (args, done.returncode, done.stderr)
        for text in shown:
            assert text in done.stdout, (args, text, done.stdout)
        for location in where:
            assert f"error: {location}: " in done.stderr, (args, location, done.stderr)


@pytest.mark.parametrize("kind", sorted(PYPROJECTS))
def test_setup_cfg_and_pyproject_with_a_bad_line_each(tmp_path, kind):
    pyproject, where = PYPROJECTS[kind]
    root = write_tree(tmp_path / "nova", {**MINI, "setup.cfg": SETUP_CFG, "pyproject.toml": pyproject})
    check(root, tmp_path / "cache", ["setup.cfg:8", where])
    listed = run("entrypoints", str(root), cache=tmp_path / "cache").stdout
    assert "nova-status" in listed  # pyproject's good entry, next to setup.cfg's


def test_entry_points_txt_with_a_bad_line(tmp_path):
    files = {k: v for k, v in MINI.items() if k != "setup.cfg"}
    files.update({"PKG-INFO": "Metadata-Version: 1.1\nName: nova\nVersion: 1.0\n",
                  "nova.egg-info/entry_points.txt": ENTRY_POINTS_TXT})
    root = write_tree(tmp_path / "nova", files)
    check(root, tmp_path / "cache", ["nova.egg-info/entry_points.txt:3"])


def test_setup_cfg_with_bytes_that_are_not_utf8(tmp_path):
    data = SETUP_CFG.replace("this line is no entry point\n", "").replace("100%", "100\udcff%")
    root = write_tree(tmp_path / "nova", {**MINI, "setup.cfg": data.encode("utf-8", "surrogateescape")})
    check(root, tmp_path / "cache", ["setup.cfg:3"])
