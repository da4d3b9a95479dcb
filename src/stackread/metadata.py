"""Packaging metadata: the entry points a project declares, and where it declares them.

Three forms, all read as text (never by running setup.py): pbr's setup.cfg
`[entry_points]`, PEP 621 pyproject.toml (`[project.scripts]`, `[project.gui-scripts]`,
`[project.entry-points."group"]`), and the generated `*.egg-info` / `*.dist-info`
`entry_points.txt` of an sdist or an installed distribution.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from dataclasses import dataclass

from stackread.errors import AnalysisError, UsageError
from stackread.source import SourceTree


@dataclass(frozen=True)
class DeclaredEntryPoint:
    name: str
    group: str
    target: str  # "module:attr" or "module"
    declared_path: str
    declared_line: int | None

    @property
    def module(self) -> str:
        return self.target.split(":", 1)[0].strip()

    @property
    def attr(self) -> str | None:
        if ":" not in self.target:
            return None
        # "module:attr [extra]" is legal; the extras do not change what runs.
        return self.target.split(":", 1)[1].split("[", 1)[0].strip() or None


@dataclass(frozen=True)
class ProjectMetadata:
    name: str | None
    version: str | None
    entrypoints: tuple[DeclaredEntryPoint, ...]
    metadata_dir: str  # where the metadata files sit, relative to the tree root ("" for a source tree)


def read_metadata(tree: SourceTree, metadata_dir: str = "") -> ProjectMetadata:
    """Declared entry points of the project at `metadata_dir`; raises on malformed files."""
    prefix = f"{metadata_dir}/" if metadata_dir else ""
    name = version = None
    entrypoints: list[DeclaredEntryPoint] = []
    found_any = False

    setup_cfg = tree.read_bytes(prefix + "setup.cfg")
    if setup_cfg is not None:
        found_any = True
        cfg_name, cfg_eps = _read_setup_cfg(_text(setup_cfg, prefix + "setup.cfg"), prefix + "setup.cfg")
        name = name or cfg_name
        entrypoints += cfg_eps

    pyproject = tree.read_bytes(prefix + "pyproject.toml")
    if pyproject is not None:
        found_any = True
        pp_name, pp_version, pp_eps = _read_pyproject(_text(pyproject, prefix + "pyproject.toml"), prefix + "pyproject.toml")
        name = pp_name or name
        version = pp_version
        entrypoints += pp_eps

    dist_dir = _find_dist_info(tree, metadata_dir)
    if dist_dir is not None:
        found_any = True
        # Generated metadata repeats what setup.cfg/pyproject declare; it is the only source for an
        # installed distribution, and for an sdist whose declarations live in setup.py alone.
        if not entrypoints:
            path = f"{dist_dir}/entry_points.txt"
            data = tree.read_bytes(path)
            if data is not None:
                entrypoints += _read_entry_points_ini(_text(data, path), path)
        info = tree.read_bytes(f"{dist_dir}/METADATA") or tree.read_bytes(f"{dist_dir}/PKG-INFO")
        if info is not None:
            fields = _pkg_info_fields(info.decode("utf-8", "replace"))
            name = name or fields.get("name")
            version = version or fields.get("version")

    pkg_info = tree.read_bytes(prefix + "PKG-INFO")
    if pkg_info is not None:
        fields = _pkg_info_fields(pkg_info.decode("utf-8", "replace"))
        name = name or fields.get("name")
        version = version or fields.get("version")

    if not found_any:
        raise UsageError(
            f"{tree.label}: no packaging metadata here (setup.cfg, pyproject.toml or "
            "*.dist-info/entry_points.txt); point stackread at the project's top directory"
        )
    return ProjectMetadata(name, version, tuple(_dedup(entrypoints)), metadata_dir)


def _text(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnalysisError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from None


def _read_setup_cfg(text: str, path: str) -> tuple[str | None, list[DeclaredEntryPoint]]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # entry point names are case-sensitive
    _read_ini(parser, text, path)
    name = parser.get("metadata", "name", fallback=None)
    eps: list[DeclaredEntryPoint] = []
    if parser.has_section("entry_points"):
        lines = text.splitlines()
        for group, value in parser.items("entry_points"):
            eps += _parse_group_lines(group, value, path, lines, _section_line(lines, "entry_points"))
    return name, eps


def _read_ini(parser: configparser.ConfigParser, text: str, path: str) -> None:
    try:
        parser.read_string(text, source=path)
    except configparser.MissingSectionHeaderError as exc:
        raise AnalysisError(f"{path}:{exc.lineno}: malformed: expected a [section] header, found {exc.line.strip()!r}") from None
    except configparser.ParsingError as exc:
        lineno, line = exc.errors[0]
        raise AnalysisError(f"{path}:{lineno}: malformed: cannot parse {line.strip()!r}") from None
    except configparser.Error as exc:
        where = f"{path}:{exc.lineno}" if getattr(exc, "lineno", None) else path
        raise AnalysisError(f"{where}: malformed: {_one_line(exc)}") from None


def _read_entry_points_ini(text: str, path: str) -> list[DeclaredEntryPoint]:
    parser = configparser.ConfigParser(interpolation=None, strict=False, delimiters=("=",))
    parser.optionxform = str
    _read_ini(parser, text, path)
    lines = text.splitlines()
    eps = []
    for group in parser.sections():
        start = _section_line(lines, group)
        for name, target in parser.items(group):
            eps.append(DeclaredEntryPoint(name, group, target.strip(), path, _line_of(lines, name, start)))
    return eps


def _parse_group_lines(group: str, value: str, path: str, lines: list[str], start: int) -> list[DeclaredEntryPoint]:
    eps = []
    group_line = _line_of(lines, group, start)
    for raw in value.splitlines():
        raw = raw.strip()
        if not raw or raw.startswith(("#", ";")):
            continue
        if "=" not in raw:
            raise AnalysisError(f"{path}:{_find_text(lines, raw, group_line)}: malformed entry point {raw!r} in group {group} (expected 'name = module:attr')")
        name, target = (part.strip() for part in raw.split("=", 1))
        eps.append(DeclaredEntryPoint(name, group, target, path, _line_of(lines, name, group_line)))
    return eps


def _read_pyproject(text: str, path: str) -> tuple[str | None, str | None, list[DeclaredEntryPoint]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError carries its position only in the message.
        message = _one_line(exc)
        match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if match:
            message = f"{message[:match.start()]} (column {match.group(2)})"
            path = f"{path}:{match.group(1)}"
        raise AnalysisError(f"{path}: malformed: {message}") from None
    project = data.get("project", {})
    if not isinstance(project, dict):
        raise AnalysisError(f"{path}: malformed: [project] is not a table")
    lines = text.splitlines()
    eps: list[DeclaredEntryPoint] = []
    tables = [("console_scripts", "scripts", project.get("scripts", {})),
              ("gui_scripts", "gui-scripts", project.get("gui-scripts", {}))]
    tables += [(group, f'entry-points."{group}"', table) for group, table in project.get("entry-points", {}).items()]
    for group, header, table in tables:
        if not isinstance(table, dict):
            raise AnalysisError(f"{path}: malformed: [project.{header}] is not a table")
        start = _toml_table_line(lines, header)
        for name, target in table.items():
            line = _line_of(lines, name, start)
            if not isinstance(target, str):
                where = f"{path}:{line}" if line else path
                raise AnalysisError(f"{where}: entry point {name!r} must be a string 'module:attr'")
            eps.append(DeclaredEntryPoint(name, group, target.strip(), path, line))
    version = project.get("version") if isinstance(project.get("version"), str) else None
    return project.get("name"), version, eps


def _find_dist_info(tree: SourceTree, metadata_dir: str) -> str | None:
    if metadata_dir.endswith((".dist-info", ".egg-info")):
        return metadata_dir
    for name in tree.list_dir(metadata_dir):
        if name.endswith((".egg-info", ".dist-info")) and tree.is_dir(f"{metadata_dir}/{name}".lstrip("/")):
            return f"{metadata_dir}/{name}".lstrip("/")
    return None


def _pkg_info_fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break  # headers end at the first blank line; the description follows
        key, sep, value = line.partition(":")
        if sep and key.lower() in ("name", "version"):
            fields.setdefault(key.lower(), value.strip())
    return fields


def _section_line(lines: list[str], section: str) -> int:
    pattern = re.compile(r"^\s*\[\s*" + re.escape(section) + r"\s*\]")
    return next((i for i, line in enumerate(lines) if pattern.match(line)), 0)


def _toml_table_line(lines: list[str], header: str) -> int:
    # [project.entry-points."a.b"] may also be spelled with single quotes or bare keys.
    wanted = header.replace('"', "")
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            key = re.sub(r"[\"'\s]", "", stripped.strip("[]"))
            if key == f"project.{wanted}":
                return i
    return 0


def _line_of(lines: list[str], key: str, start: int) -> int | None:
    """1-based line of `key =` at or after line index `start`."""
    pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*[=:]")
    for i in range(start, len(lines)):
        if pattern.match(lines[i]):
            return i + 1
    return None


def _find_text(lines: list[str], text: str, start: int | None) -> int | str:
    for i in range((start or 1) - 1, len(lines)):
        if text in lines[i]:
            return i + 1
    return ""


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _dedup(eps: list[DeclaredEntryPoint]) -> list[DeclaredEntryPoint]:
    seen: set[tuple[str, str]] = set()
    out = []
    for ep in eps:
        if (ep.group, ep.name) not in seen:
            seen.add((ep.group, ep.name))
            out.append(ep)
    return out
