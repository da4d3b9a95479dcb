"""Which files of a tree are paste deploy files: what the routes are read from besides the code,
and so part of the key of every answer about the tree (flows/treekey.py). Listed without reading
them, and without importing the readers: an answer read back from the cache needs only this."""

from __future__ import annotations

_TOPS = ("etc", "")  # where projects keep api-paste.ini: etc/<project>/, or beside the package


def paste_files(tree) -> list[str]:
    """The paste deploy files of a tree: `*paste*.ini` under etc/ and at the top."""
    found = []
    for top in _TOPS:
        if top and not tree.is_dir(top):
            continue
        names = tree.walk_files(top, ".ini") if top else (n for n in tree.list_dir("") if n.endswith(".ini"))
        found += [name for name in names if "paste" in name.rsplit("/", 1)[-1]]
    return sorted(set(found))
