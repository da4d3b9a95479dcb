"""Packaging metadata: the entry points a project declares, and where it declares them.

Three forms, all read as text (never by running setup.py): pbr's setup.cfg
`[entry_points]`, PEP 621 pyproject.toml (`[project.scripts]`, `[project.gui-scripts]`,
`[project.entry-points."group"]`), and the generated `*.egg-info` / `*.dist-info`
`entry_points.txt` of an sdist or an installed distribution.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from stackread.diagnostics import Diagnostic, Diagnostics
from stackread.errors import UsageError
from stackread.source.trees import SourceTree


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
    problems: tuple[Diagnostic, ...] = ()  # malformed lines and entries, each skipped: the rest is read


def read_metadata(tree: SourceTree, metadata_dir: str = "") -> ProjectMetadata:
    """Declared entry points of the project at `metadata_dir`. A malformed line or entry is a problem
    naming file:line, and skipped: the other entries, sections and files are still read."""
    prefix = f"{metadata_dir}/" if metadata_dir else ""
    name = version = None
    entrypoints: list[DeclaredEntryPoint] = []
    problems = Diagnostics()
    found_any = False

    setup_cfg = tree.read_bytes(prefix + "setup.cfg")
    if setup_cfg is not None:
        found_any = True
        path = prefix + "setup.cfg"
        cfg_name, cfg_eps = _read_setup_cfg(_text(setup_cfg, path, problems), path, problems)
        name = name or cfg_name
        entrypoints += cfg_eps

    pyproject = tree.read_bytes(prefix + "pyproject.toml")
    if pyproject is not None:
        found_any = True
        path = prefix + "pyproject.toml"
        pp_name, pp_version, pp_eps = _read_pyproject(_text(pyproject, path, problems), path, problems)
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
                entrypoints += _read_entry_points_ini(_text(data, path, problems), path, problems)
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
    return ProjectMetadata(name, version, tuple(_dedup(entrypoints)), metadata_dir, tuple(problems.items))


def _text(data: bytes, path: str, problems: Diagnostics) -> str:
    """The file's text; bytes that are not UTF-8 are a problem at their line, and read as U+FFFD."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.error(path, line, f"not valid UTF-8 ({exc.reason} at byte {exc.start}); read as U+FFFD")
        return data.decode("utf-8-sig", "replace")


# -- setup.cfg and entry_points.txt -----------------------------------------------------------------

@dataclass
class _Option:
    line: int  # where the key is
    values: list[tuple[int, str]]  # (line, text) of the value's first line and its continuation lines


_SECTION = re.compile(r"\[(?P<header>.+)\]")


def _read_ini(text: str, path: str, problems: Diagnostics, delimiters: str, strict: bool
              ) -> dict[str, dict[str, _Option]]:
    """Sections of an INI file as configparser reads them (no interpolation: `%` is a character), with
    the line of every key and value, and never giving up: a line configparser would reject (before
    any [section], neither a header nor `key = value`) is a problem and skipped. With `strict` (setup.cfg,
    which setuptools and pbr read strictly), a section or key given twice is a problem too, and both
    are read: the entries of a repeated group are all listed."""
    sections: dict[str, dict[str, _Option]] = {}
    first_seen: dict[tuple, int] = {}
    option_line = re.compile(r"(?P<option>.*?)\s*(?P<vi>[" + re.escape(delimiters) + r"])\s*(?P<value>.*)$")
    section: dict[str, _Option] | None = None
    section_name = ""
    current: _Option | None = None
    indent_level = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        value = raw.strip()
        if not value or value.startswith(("#", ";")):
            continue  # blank lines and comments never end a value, nor start one
        indent = len(raw) - len(raw.lstrip())
        if current is not None and indent > indent_level:
            current.values.append((number, value))  # a continuation line
            continue
        indent_level = indent
        current = None
        header = _SECTION.match(value)
        if header:
            section_name = header.group("header")
            if strict and section_name in sections:
                problems.error(path, number, f"[{section_name}] again (first at line {first_seen[section_name]}): "
                                             "setuptools rejects this file; both are read")
            first_seen.setdefault(section_name, number)
            section = sections.setdefault(section_name, {})
            continue
        if section is None:
            problems.error(path, number, f"malformed: expected a [section] header, found {value!r}; line skipped")
            continue
        option = option_line.match(value)
        key = option.group("option").rstrip() if option else ""
        if not key:
            problems.error(path, number, f"malformed: cannot parse {value!r} (expected 'key = value'); line skipped")
            continue
        if key in section:
            if strict:
                problems.error(path, number, f"{key} again in [{section_name}] (first at line "
                                             f"{first_seen[(section_name, key)]}): setuptools rejects this file; "
                                             "both are read")
                current = section[key]  # the repeated key's lines join the first one's
                current.values.append((number, option.group("value").strip()))
                continue
        first_seen.setdefault((section_name, key), number)
        current = section[key] = _Option(number, [(number, option.group("value").strip())])
    return sections


def _read_setup_cfg(text: str, path: str, problems: Diagnostics) -> tuple[str | None, list[DeclaredEntryPoint]]:
    sections = _read_ini(text, path, problems, delimiters="=:", strict=True)
    name_option = sections.get("metadata", {}).get("name")
    name = "\n".join(v for _line, v in name_option.values).strip() if name_option else None
    eps: list[DeclaredEntryPoint] = []
    for group, option in sections.get("entry_points", {}).items():
        eps += _parse_group_lines(group, option, path, problems)
    return name or None, eps


def _read_entry_points_ini(text: str, path: str, problems: Diagnostics) -> list[DeclaredEntryPoint]:
    # Generated files are read leniently, as importlib.metadata does: a name given twice is no error.
    sections = _read_ini(text, path, problems, delimiters="=", strict=False)
    eps = []
    for group, options in sections.items():
        for name, option in options.items():
            target = "\n".join(v for _line, v in option.values).strip()
            eps.append(DeclaredEntryPoint(name, group, target, path, option.line))
    return eps


def _parse_group_lines(group: str, option: _Option, path: str, problems: Diagnostics) -> list[DeclaredEntryPoint]:
    """The `name = module:attr` lines of one pbr `[entry_points]` group; a malformed one is a problem."""
    eps = []
    for line, raw in option.values:
        if not raw or raw.startswith(("#", ";")):
            continue
        if "=" not in raw:
            problems.error(path, line, f"malformed entry point {raw!r} in group {group} "
                                       "(expected 'name = module:attr'); skipped")
            continue
        name, target = (part.strip() for part in raw.split("=", 1))
        if not name:
            problems.error(path, line, f"malformed entry point {raw!r} in group {group}: no name; skipped")
            continue
        eps.append(DeclaredEntryPoint(name, group, target, path, line))
    return eps


# -- pyproject.toml ---------------------------------------------------------------------------------

_MAX_TOML_REPAIRS = 20
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def _load_toml(text: str, path: str, problems: Diagnostics) -> dict:
    """The TOML document; a line tomllib rejects is a problem, and the document is read again without it."""
    lines = text.splitlines(keepends=True)
    for _attempt in range(_MAX_TOML_REPAIRS):
        try:
            return tomllib.loads("".join(lines))
        except tomllib.TOMLDecodeError as exc:
            # Python 3.11's TOMLDecodeError carries its position only in the message.
            message = _one_line(exc)
            match = _TOML_POSITION.search(message)
            line = int(match.group(1)) if match else None
            if match:
                message = f"{message[:match.start()]} (column {match.group(2)})"
            if line is None or not 1 <= line <= len(lines) or not lines[line - 1].strip():
                problems.error(path, line, f"malformed: {message}; the file is not read")
                return {}
            problems.error(path, line, f"malformed: {message}; line skipped")
            lines[line - 1] = "\n"
    problems.error(path, None, "malformed in too many places; the file is not read")
    return {}


def _read_pyproject(text: str, path: str, problems: Diagnostics) -> tuple[str | None, str | None, list[DeclaredEntryPoint]]:
    data = _load_toml(text, path, problems)
    lines = text.splitlines()

    def wrong(table: str, key: str, what: str) -> None:
        problems.error(path, _toml_line(lines, table, key), f"malformed: {what}; skipped")

    project = data.get("project", {})
    if not isinstance(project, dict):
        wrong("", "project", "[project] is not a table")
        return None, None, []
    eps: list[DeclaredEntryPoint] = []
    tables = [("console_scripts", "scripts", project.get("scripts", {})),
              ("gui_scripts", "gui-scripts", project.get("gui-scripts", {}))]
    groups = project.get("entry-points", {})
    if isinstance(groups, dict):
        tables += [(group, f'entry-points."{group}"', table) for group, table in groups.items()]
    else:
        wrong("project", "entry-points", "[project.entry-points] is not a table of groups")
    for group, header, table in tables:
        if not isinstance(table, dict):
            where = ("project.entry-points", group) if header.startswith("entry-points.") else ("project", header)
            wrong(*where, f"[project.{header}] is not a table")
            continue
        start = _toml_table_line(lines, header)
        for name, target in table.items():
            line = _line_of(lines, name, start)
            if not isinstance(target, str):
                problems.error(path, line, f"entry point {name!r} must be a string 'module:attr'; skipped")
                continue
            eps.append(DeclaredEntryPoint(name, group, target.strip(), path, line))
    name = project.get("name")
    if name is not None and not isinstance(name, str):
        wrong("project", "name", "the project's name is not a string")
        name = None
    version = project.get("version") if isinstance(project.get("version"), str) else None
    return name, version, eps


def _toml_line(lines: list[str], table: str, key: str) -> int | None:
    """1-based line where `key` of `table` is written: as a table header of its own, as a key under
    the table's header, or as a dotted key; None when it cannot be found."""
    full = f"{table}.{key}" if table else key
    header = _toml_header(lines, full.replace('"', ""))
    if header is not None:
        return header + 1
    parent = _toml_header(lines, table) if table else None
    return (_line_of(lines, key, parent + 1) if parent is not None else None) or _line_of(lines, full, 0)


def _toml_header(lines: list[str], dotted: str) -> int | None:
    """Index of the `[dotted]` (or `[[dotted]]`) header line; quotes and spaces in its keys do not matter."""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("[") and re.sub(r"[\"'\s\[\]]", "", stripped.split("#")[0]) == dotted:
            return i
    return None


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


def _toml_table_line(lines: list[str], header: str) -> int:
    """Index of the `[project.<header>]` line; 0 when there is none (keys are then looked for from the top)."""
    # [project.entry-points."a.b"] may also be spelled with single quotes or bare keys.
    found = _toml_header(lines, f"project.{header}".replace('"', ""))
    return found if found is not None else 0


def _line_of(lines: list[str], key: str, start: int) -> int | None:
    """1-based line of `key =` at or after line index `start`."""
    pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*[=:]")
    for i in range(start, len(lines)):
        if pattern.match(lines[i]):
            return i + 1
    return None


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
