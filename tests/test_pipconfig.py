"""pipconfig: pip's index URL read from pip's files and environment, as pip would, without pip."""

from __future__ import annotations

import os
import pathlib

import pytest

from stackread.source.pipconfig import DEFAULT_INDEX_URL, Places, config_files, configured_index_url, index_url


@pytest.fixture
def places(tmp_path):
    """A machine of its own: /etc, home and prefix under tmp_path, and no PIP_* in the environment."""
    def make(**environ: str) -> Places:
        environ.setdefault("XDG_CONFIG_DIRS", str(tmp_path / "xdg"))  # never the machine's /etc/xdg
        return Places(environ, tmp_path / "home", tmp_path / "venv", "linux", tmp_path / "etc")

    return make


def write(path: pathlib.Path, text: str) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_files_pip_reads_in_pips_order(places, tmp_path):
    files = config_files(places(XDG_CONFIG_DIRS=f"{tmp_path}/xa:{tmp_path}/xb"))

    assert files == [tmp_path / "xa/pip/pip.conf", tmp_path / "xb/pip/pip.conf", tmp_path / "etc/pip.conf",
                     tmp_path / "home/.pip/pip.conf", tmp_path / "home/.config/pip/pip.conf",
                     tmp_path / "venv/pip.conf"]


def test_default_places_follow_xdg(places, tmp_path):
    files = config_files(places(XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_CONFIG_DIRS=""))

    assert files[0] == pathlib.Path("/etc/xdg/pip/pip.conf")
    assert tmp_path / "cfg/pip/pip.conf" in files and tmp_path / "home/.config/pip/pip.conf" not in files


def test_nothing_configured_is_pypi(places):
    assert configured_index_url(places(), [].append) is None
    assert index_url([].append, places()) == DEFAULT_INDEX_URL


@pytest.mark.parametrize("winner", ["etc", "legacy", "user", "site", "env"])
def test_a_later_file_wins(places, tmp_path, winner):
    chosen = tmp_path / "chosen.conf"
    ladder = {"etc": tmp_path / "etc/pip.conf", "legacy": tmp_path / "home/.pip/pip.conf",
              "user": tmp_path / "home/.config/pip/pip.conf", "site": tmp_path / "venv/pip.conf", "env": chosen}
    for name, path in ladder.items():
        write(path, f"[global]\nindex-url = https://{name}.example/simple\n")
        if name == winner:
            break
    environ = {"PIP_CONFIG_FILE": str(chosen)} if winner == "env" else {}

    assert configured_index_url(places(**environ), [].append) == f"https://{winner}.example/simple"


def test_pip_config_file_hides_the_user_files_but_not_the_global_or_site_ones(places, tmp_path):
    write(tmp_path / "home/.config/pip/pip.conf", "[global]\nindex-url = https://user.example/simple\n")
    write(tmp_path / "etc/pip.conf", "[global]\nindex-url = https://etc.example/simple\n")
    chosen = write(tmp_path / "chosen.conf", "[global]\ntimeout = 5\n")

    assert configured_index_url(places(PIP_CONFIG_FILE=str(chosen)), [].append) == "https://etc.example/simple"
    # Named but missing: it hides nothing.
    missing = str(tmp_path / "missing.conf")
    assert configured_index_url(places(PIP_CONFIG_FILE=missing), [].append) == "https://user.example/simple"


def test_pip_config_file_devnull_reads_no_file(places, tmp_path):
    write(tmp_path / "etc/pip.conf", "[global]\nindex-url = https://etc.example/simple\n")

    assert configured_index_url(places(PIP_CONFIG_FILE=os.devnull), [].append) is None


def test_a_command_section_beats_global_whatever_file_holds_it(places, tmp_path):
    write(tmp_path / "etc/pip.conf", "[install]\nindex-url = https://install.example/simple\n")
    write(tmp_path / "venv/pip.conf", "[global]\nindex-url = https://global.example/simple\n")
    assert configured_index_url(places(), [].append) == "https://install.example/simple"

    write(tmp_path / "home/.pip/pip.conf", "[download]\nindex_url = https://download.example/simple\n")
    assert configured_index_url(places(), [].append) == "https://download.example/simple"


def test_pip_index_url_beats_every_file(places, tmp_path):
    write(tmp_path / "venv/pip.conf", "[download]\nindex-url = https://file.example/simple\n")

    assert configured_index_url(places(PIP_INDEX_URL="https://env.example/simple"), [].append) == \
        "https://env.example/simple"


def test_spelling_and_empty_values_as_pip_reads_them(places, tmp_path):
    write(tmp_path / "etc/pip.conf", "[global]\nINDEX_URL = https://etc.example/simple?x=%41\n")
    write(tmp_path / "venv/pip.conf", "[global]\nindex-url =\n")  # empty: sets nothing

    assert configured_index_url(places(), [].append) == "https://etc.example/simple?x=%41"


def test_a_broken_file_is_a_warning_naming_it_and_the_others_still_count(places, tmp_path):
    write(tmp_path / "etc/pip.conf", "[global]\nindex-url = https://etc.example/simple\n")
    broken = write(tmp_path / "venv/pip.conf", "[global]\nindex-url = https://site.example/simple\nno equals\n")
    warnings: list[str] = []

    assert configured_index_url(places(), warnings.append) == "https://etc.example/simple"
    assert len(warnings) == 1 and warnings[0].startswith(f"{broken}:3: ")
