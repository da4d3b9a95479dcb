"""The bundled Graphviz's fontconfig warning never reaches the user; what else it writes does."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from gallery_fixture import gallery_tree

from stackread.render.graphviz_noise import noise, quiet_fontconfig

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"
WARNING = ('Fontconfig warning: "/usr/share/fontconfig/conf.avail/05-reset-dirs-sample.conf", line 6: '
           'unknown element "reset-dirs"\n')


def test_only_the_unknown_element_warning_is_held_back(capfd):
    with quiet_fontconfig():
        os.write(2, WARNING.encode())
        os.write(2, b"Error: <stdin>: syntax error in line 1 near '->'\n")
        os.write(2, b'Fontconfig error: "/etc/fonts/fonts.conf", line 3: not well-formed\n')
    err = capfd.readouterr().err
    assert "reset-dirs" not in err
    assert "syntax error in line 1" in err and "not well-formed" in err
    assert noise(WARNING) and not noise("Fontconfig warning: ignoring UTF-8: not a valid region tag\n")


def _run(code_or_args: list[str], cwd, env_extra=None):
    env = {**os.environ, "PYTHONPATH": str(SRC), **(env_extra or {})}
    return subprocess.run([sys.executable, *code_or_args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=240)


def test_trace_drawing_prints_no_fontconfig_line(tmp_path):
    pytest.importorskip("pygraphviz")
    bare = _run(["-c", "import pygraphviz; pygraphviz.AGraph(string='digraph{a->b}').draw(format='svg', prog='dot')"],
                tmp_path)
    if "Fontconfig warning" not in bare.stderr:
        pytest.skip("this machine's fontconfig prints no warning from the bundled Graphviz")
    root = gallery_tree(tmp_path / "nova")
    out = tmp_path / "x.svg"
    result = _run(["-m", "stackread", "trace", "create_server", "-C", str(root), "-o", str(out),
                   "--cache-dir", str(tmp_path / "cache")], tmp_path)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().lstrip().startswith((b"<?xml", b"<svg"))
    assert "Fontconfig" not in result.stderr
    assert f"wrote {out}" in result.stderr + result.stdout
