"""`stackread cache info` and `cache clear` as plain lines, and info as JSON (docs/json.md)."""

from __future__ import annotations

import os
from typing import Any

from stackread.index.cacheadmin import KINDS, CacheInfo, Cleared, Downloads


def to_json(info: CacheInfo) -> dict[str, Any]:
    index = info.index
    return {
        "directory": info.directory,
        "limit_bytes": info.limit_bytes,
        "limit_from": info.limit_from,
        "index": {"path": index.path, "bytes": index.bytes, "problem": index.problem,
                  "entries": {kind: {"count": count, "bytes": size} for kind, (count, size) in index.entries.items()},
                  "older_files": list(index.older_files)},
        "releases": _downloads_json(info.releases),
        "repos": _downloads_json(info.repos),
    }


def lines(info: CacheInfo) -> list[str]:
    index = info.index
    limit = f"{_size(info.limit_bytes)} limit ({'$' + info.limit_from if info.limit_from != 'default' else 'default'})"
    out = [f"cache  {info.directory}", "",
           f"computed results  {index.path}", f"  {_size(index.bytes)} on disk of a {limit}; "
           "least recently used go first past it"]
    if index.problem:
        out.append(f"  unreadable: {index.problem}")
    elif not index.entries:
        out.append("  (empty)")
    for kind, (count, size) in _in_order(index.entries):
        out.append(f"  {count:>8,}  {_kind(kind, count):<20} {_size(size):>10}")
    if index.older_files:
        out.append(f"  {len(index.older_files)} file(s) of an older format, removed on the next write")
    for title, downloads in (("downloaded releases", info.releases), ("cloned repositories", info.repos)):
        out += ["", f"{title}  {downloads.path}", f"  {_count(downloads, title.split()[1])}"]
        if downloads.names:
            out.append("  " + ", ".join(downloads.names))
    if info.limit_problem:
        out += ["", f"warning: {info.limit_problem}"]
    return out


def cleared_lines(cleared: Cleared) -> list[str]:
    index, before = cleared.before.index, cleared.before
    if index.entries or index.bytes or index.older_files or index.problem:
        held = ", ".join(f"{count:,} {_kind(kind, count)}" for kind, (count, _size) in _in_order(index.entries))
        out = [f"removed the computed results in {os.path.dirname(index.path)} ({_size(index.bytes)}"
               + (f": {held})" if held else ")")]
    else:
        out = [f"no computed results in {os.path.dirname(index.path)}"]
    for title, downloads in (("releases", before.releases), ("repositories", before.repos)):
        if not downloads.names:
            continue
        if cleared.downloads:
            out.append(f"removed {_count(downloads, title)} from {downloads.path}: {', '.join(downloads.names)}")
        else:
            out.append(f"kept {_count(downloads, title)} in {downloads.path} (--all removes the {title} too)")
    out += [f"warning: {problem}" for problem in cleared.problems]
    return out


def _kind(kind: str, count: int) -> str:
    singular, plural = KINDS.get(kind, (kind, kind))
    return singular if count == 1 else plural


def _in_order(entries: dict[str, tuple[int, int]]) -> list[tuple[str, tuple[int, int]]]:
    order = list(KINDS)
    return sorted(entries.items(), key=lambda item: (order.index(item[0]) if item[0] in order else len(order), item[0]))


def _downloads_json(downloads: Downloads) -> dict[str, Any]:
    return {"path": downloads.path, "bytes": downloads.bytes, "names": list(downloads.names)}


def _count(downloads: Downloads, plural: str) -> str:
    n = len(downloads.names)
    singular = {"releases": "release", "repositories": "repository"}[plural]
    return f"{n} {singular if n == 1 else plural}, {_size(downloads.bytes)}" if n else "none"


def _size(size: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def show_info(info: CacheInfo, as_json: bool) -> None:
    import json

    from stackread.render.output import say

    say(json.dumps(to_json(info), indent=1) if as_json else "\n".join(lines(info)))
