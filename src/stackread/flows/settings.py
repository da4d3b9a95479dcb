"""`--set GROUP.OPTION=VALUE`: the option values a flow is traced under, checked against the tree.

A setting names an option the tree declares (`cfg.IntOpt('x')` registered in a group, see
config_opts), and its value is read the way oslo.config reads a configuration file: an IntOpt
takes an integer, a BoolOpt true/false/yes/no/on/off/1/0, a StrOpt with `choices=` one of them.
Anything else is the user's mistake and ends the command (exit 2) with the closest options,
because a setting that matches nothing would otherwise change nothing, silently.

Names are normalized before anything else (and before a cache key is made of them):
`DEFAULT.x` is `x`, and `x-y` is `x_y` (oslo.config's attribute name), so both spellings ask the
same question. Conditions read `CONF.x` as `x` and `CONF.group.x` as `group.x`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from stackread.errors import UsageError

if TYPE_CHECKING:  # a trace read back from the cache imports no reader of options
    from stackread.flows.reading import Reading
    from stackread.frameworks.oslo_config import OptionDef, OptionIndex

DEFAULT_GROUP = "DEFAULT"  # oslo.config's own name, as frameworks/oslo_config.py has it

_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*\Z")
_TRUE, _FALSE = frozenset({"true", "1", "on", "yes"}), frozenset({"false", "0", "off", "no"})
_TEXT_KINDS = frozenset({"StrOpt", "HostAddressOpt", "HostnameOpt", "IPOpt", "URIOpt"})
_INT_KINDS = frozenset({"IntOpt", "PortOpt"})
_CLOSE = 0.8  # difflib's ratio for a suggestion: a typo or two, not every `*_interval`


class SettingError(UsageError):
    """A `--set` that cannot be used: malformed, no such option, or a value the option cannot take."""


def parse_settings(items: Iterable[str]) -> dict[str, str]:
    """`GROUP.OPTION=VALUE` as typed on the command line -> {normalized name: value text}."""
    found: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise SettingError(f"--set: {item!r} is not GROUP.OPTION=VALUE (no '=')")
        found[normalized_name(name)] = value
    return found


def normalized_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {normalized_name(name): value for name, value in settings.items()}


def normalized_name(name: str) -> str:
    """`DEFAULT.x` -> `x`, `group.x-y` -> `group.x_y`; a name that is no GROUP.OPTION is an error."""
    parts = name.strip().split(".")
    if len(parts) > 2 or not all(_PART.match(part) for part in parts):
        what = "an empty name" if not name.strip() else repr(name)
        raise SettingError(f"--set: {what} is not GROUP.OPTION or OPTION (before the '=')")
    option = parts[-1].replace("-", "_")
    group = parts[0] if len(parts) == 2 and parts[0] != DEFAULT_GROUP else None
    return f"{group}.{option}" if group else option


def split_name(key: str) -> tuple[str, str]:
    """A normalized name -> (group, option), DEFAULT for a bare option."""
    group, _dot, option = key.rpartition(".")
    return group or DEFAULT_GROUP, option


def check_settings(options: OptionIndex, settings: Mapping[str, Any], where: str = "this tree") -> dict[str, Any]:
    """The settings with normalized names and values of each option's type; SettingError when one names
    no option of the tree, or its value does not fit the option."""
    checked = {}
    for key, value in normalized_settings(settings).items():
        option = declared(options, key)
        if option is None:
            raise SettingError(unknown_message(options, key, where))
        checked[key] = typed_value(option, key, value)
    return checked


def declared(options: OptionIndex, key: str) -> OptionDef | None:
    """The declaration of the option a normalized name names: registered in that group, or declared in
    a module that does not show where it is registered (the group cannot be told, so it may be it)."""
    group, name = split_name(key)
    candidates = _definitions(options, name)
    exact = [opt for opt in candidates if opt.group == group]
    unplaced = [opt for opt in candidates if opt.group is None]
    found = exact or unplaced
    return next((opt for opt in found if opt.kind != "Opt"), found[0]) if found else None


def _definitions(options: OptionIndex, name: str) -> list[OptionDef]:
    found = options.definitions(name)
    if not found and "_" in name:  # declared as 'config-dir', read as CONF.config_dir
        found = options.definitions(name.replace("_", "-"))
    return found


def unknown_message(options: OptionIndex, key: str, where: str = "this tree") -> str:
    close = suggestions(options, key)
    hint = f"; did you mean {_either(close)}?" if close else " (nothing close; the option must be declared in it)"
    return f"--set: no option {key!r} in {where}{hint}"


def suggestions(options: OptionIndex, key: str, limit: int = 3) -> list[str]:
    """Options the user may have meant: the same option in another group first, then close spellings."""
    group, name = split_name(key)
    every = sorted({(opt.group, opt.name.replace("-", "_")) for opt in options.all_options()}, key=_sort_key)
    shown = {_shown(g, n): (g, n) for g, n in every}
    found = [_shown(g, n) for g, n in every if n == name]
    import difflib  # only a --set typo needs it

    found += difflib.get_close_matches(_shown(group, name), list(shown), n=limit, cutoff=_CLOSE)
    by_name: dict[str, list[str]] = {}
    for g, n in every:
        by_name.setdefault(n, []).append(_shown(g, n))
    for close in difflib.get_close_matches(name, list(by_name), n=limit, cutoff=_CLOSE):
        found += by_name[close]
    return list(dict.fromkeys(found))[:limit]


def _sort_key(item: tuple[str | None, str]) -> tuple:
    group, name = item
    return (group != DEFAULT_GROUP, group or "", name)


def _shown(group: str | None, name: str) -> str:
    """As the user would write it; DEFAULT shown, so that GROUP.OPTION is always what is suggested."""
    return f"{group}.{name}" if group else name


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def typed_value(option: OptionDef, key: str, value: Any) -> Any:
    """The value as the option holds it; SettingError when the option's type, choices or bounds rule it out."""
    def refuse(why: str) -> SettingError:
        article = "an" if option.kind[:1] in "AEIOU" else "a"
        return SettingError(f"--set {key}={value}: {key} is {article} {option.kind} ({option.path}:{option.line}); "
                            f"{why}")

    kind = option.kind
    if not isinstance(value, str):
        wanted = {"BoolOpt": bool, "IntOpt": int, "PortOpt": int, "FloatOpt": (int, float)}.get(kind)
        if wanted and (not isinstance(value, wanted) or (kind != "BoolOpt" and isinstance(value, bool))):
            raise refuse(f"{value!r} is not {_WANTED[kind]}")
        result = value
    elif kind == "BoolOpt":
        if value.strip().lower() not in _TRUE | _FALSE:
            raise refuse(f"{value!r} is not {_WANTED[kind]}")
        result = value.strip().lower() in _TRUE
    elif kind in _INT_KINDS or kind == "FloatOpt":
        try:
            result = int(value.strip()) if kind in _INT_KINDS else float(value.strip())
        except ValueError:
            raise refuse(f"{value!r} is not {_WANTED[kind]}") from None
    elif kind in _TEXT_KINDS:
        result = value
    elif kind == "ListOpt":
        result = [item.strip() for item in value.split(",")] if value.strip() else []
    elif kind in ("MultiStrOpt", "MultiOpt"):
        result = [value]
    else:  # the type is not known from the source: read the text as a literal, as before
        result = _guessed(value)
    return _in_range(option, result, refuse)


_WANTED = {"BoolOpt": "true or false (yes/no, on/off, 1/0)", "IntOpt": "an integer", "PortOpt": "a port number",
           "FloatOpt": "a number"}


def _in_range(option: OptionDef, value: Any, refuse) -> Any:
    if option.choices is not None and not isinstance(value, list):
        allowed = option.choices
        fold = option.ignore_case and isinstance(value, str)
        if (value.lower() not in {str(c).lower() for c in allowed}) if fold else value not in allowed:
            listed = ", ".join("None" if c is None else str(c) for c in allowed)
            raise refuse(f"{value!r} is not one of its choices: {listed}")
    low, high = option.minimum, option.maximum
    if option.kind == "PortOpt":
        low, high = max(low or 0, 0), min(high if high is not None else 65535, 65535)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if low is not None and value < low:
            raise refuse(f"{value} is below its minimum {low}")
        if high is not None and value > high:
            raise refuse(f"{value} is above its maximum {high}")
    return value


def _guessed(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        return text


def settings_across(readings: list[Reading], settings: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """For a comparison of trees: the settings each one declares, checked against it, and a warning
    for each setting left out of a tree that lacks the option (Ocata's use_neutron is gone from
    later releases). One that no tree declares is an error."""
    indexes = [(reading.label, reading.project.options) for reading in readings]
    per_tree: list[dict[str, Any]] = [{} for _ in indexes]
    warnings = []
    for key, value in normalized_settings(settings).items():
        found = [(i, declared(options, key)) for i, (_label, options) in enumerate(indexes)]
        if not any(option for _i, option in found):
            raise SettingError(unknown_message(indexes[0][1], key, "either tree"))
        for i, option in found:
            if option is None:
                warnings.append(f"--set {key}: {indexes[i][0]} declares no such option; left out there")
            else:
                per_tree[i][key] = typed_value(option, key, value)
    return per_tree, warnings
