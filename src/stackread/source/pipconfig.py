"""The package index pip is configured with, read from pip's own files without running pip.

Running `python -m pip` (or `python -c "import pip..."`) puts the current directory first on
sys.path, so a `pip` package lying in whatever directory the user stands in would run. Reading
the configuration files needs nothing but configparser. The places and the precedence are pip's
(https://pip.pypa.io/en/stable/topics/configuration/):

- files, later ones winning: global (each of $XDG_CONFIG_DIRS/pip/pip.conf, then /etc/pip.conf),
  user (~/.pip/pip.conf, then $XDG_CONFIG_HOME/pip/pip.conf; both skipped when $PIP_CONFIG_FILE
  names a file that exists), site ({sys.prefix}/pip.conf), then $PIP_CONFIG_FILE itself;
  $PIP_CONFIG_FILE=/dev/null reads no file at all;
- sections: a command's own section beats [global] whichever file either is in, and
  $PIP_INDEX_URL beats every file. `stackread get` downloads, as `pip download` does, so
  [download] is its own section; [install] is honoured too, below it, because that is where
  people who only ever run `pip install` put their index.
"""

from __future__ import annotations

import configparser
import dataclasses
import os
import pathlib
import sys
from collections.abc import Callable, Mapping

DEFAULT_INDEX_URL = "https://pypi.org/simple"  # pip's PyPI.simple_url
SECTIONS = ("global", "install", "download")  # lowest precedence first
_KEY = "index-url"

Warn = Callable[[str], None]


@dataclasses.dataclass(frozen=True)
class Places:
    """What decides where pip looks: the environment, the home directory, the interpreter's prefix."""

    environ: Mapping[str, str]
    home: pathlib.Path
    prefix: pathlib.Path
    platform: str = sys.platform
    etc: pathlib.Path = pathlib.Path("/etc")

    @classmethod
    def here(cls) -> "Places":
        return cls(os.environ, pathlib.Path.home(), pathlib.Path(sys.prefix))


def config_files(places: Places) -> list[pathlib.Path]:
    """pip's configuration files for `places`, lowest precedence first (existing or not)."""
    env = places.environ
    windows = places.platform == "win32"
    name = "pip.ini" if windows else "pip.conf"
    chosen = env.get("PIP_CONFIG_FILE")
    if chosen == os.devnull:
        return []
    if windows:
        program_data = pathlib.Path(env.get("PROGRAMDATA", "C:\\ProgramData"))
        global_files = [program_data / "pip" / name]
        user_files = [places.home / "pip" / name,
                      pathlib.Path(env.get("APPDATA", places.home / "AppData" / "Roaming")) / "pip" / name]
    elif places.platform == "darwin":
        global_files = [pathlib.Path("/Library/Application Support/pip") / name]
        app_support = places.home / "Library" / "Application Support" / "pip"
        user_dir = app_support if app_support.is_dir() else places.home / ".config" / "pip"
        user_files = [places.home / ".pip" / name, user_dir / name]
    else:
        dirs = env.get("XDG_CONFIG_DIRS", "").strip() or "/etc/xdg"
        global_files = [pathlib.Path(d).expanduser() / "pip" / name for d in dirs.split(os.pathsep)]
        global_files.append(places.etc / name)
        config_home = env.get("XDG_CONFIG_HOME", "").strip()
        user_dir = pathlib.Path(config_home) if config_home else places.home / ".config"
        user_files = [places.home / ".pip" / name, user_dir / "pip" / name]
    files = list(global_files)
    if not (chosen and os.path.exists(chosen)):
        files += user_files
    files.append(places.prefix / name)
    if chosen:
        files.append(pathlib.Path(chosen))
    return files


def configured_index_url(places: Places, warn: Warn) -> str | None:
    """The index URL pip's environment and files name, None when they name none.

    A file that does not parse is skipped with a warning naming it: pip would refuse to run, but
    the other files still say what the user meant."""
    if from_env := places.environ.get("PIP_INDEX_URL", "").strip():
        return from_env
    found: dict[str, str] = {}  # section -> value; a later file replaces an earlier one's
    for path in config_files(places):
        for section, value in _index_urls(path, warn).items():
            found[section] = value
    return next((found[s] for s in reversed(SECTIONS) if s in found), None)


def _index_urls(path: pathlib.Path, warn: Warn) -> dict[str, str]:
    """{section: index-url} of one file; a missing or unreadable file gives nothing."""
    if not path.is_file():
        return {}
    # Interpolation off, as pip reads them: a '%' in a URL is just a character.
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as error:
        line = getattr(error, "lineno", None) or _first_error_line(error)
        warn(f"{path}{f':{line}' if line else ''}: not a pip configuration file "
             f"({error.message.splitlines()[0]}); ignored")
        return {}
    except (OSError, UnicodeDecodeError) as error:
        warn(f"{path}: cannot read pip's configuration ({error}); ignored")
        return {}
    found = {}
    for section in SECTIONS:
        if not parser.has_section(section):
            continue
        for key, value in parser.items(section):
            # pip's spelling rule: case and '_' versus '-' do not matter; an empty value sets nothing.
            if key.lower().replace("_", "-") == _KEY and value.strip():
                found[section] = value.strip()
    return found


def _first_error_line(error: configparser.Error) -> int | None:
    errors = getattr(error, "errors", None)  # ParsingError: [(lineno, line), ...]
    return errors[0][0] if errors else None


def index_url(warn: Warn, places: Places | None = None) -> str:
    """The index pip would use here: $PIP_INDEX_URL, pip's files, or PyPI."""
    return configured_index_url(places or Places.here(), warn) or DEFAULT_INDEX_URL
