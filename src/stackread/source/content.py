"""The content key of a tree's file: what the cache keys of every answer are made of.

One command asks it of every file several times (the tree's key, the index, the check of the
answers kept by what they read), and reading and hashing all of Nova costs a few tenths of a
second each time. So a directory's key is kept for the rest of the process, by the file's stat
(mtime, ctime, size, inode), and only for a file older than a few seconds: an edit within the
clock's granularity of the stat could leave all four as they were (git's "racily clean" files).
A git revision's key is its blob id, read from the listing.

Kept for the next command too (`learned`/`learn`, stored in the index cache by flows/reading.py):
a question asked again of an unchanged tree then stats its files rather than reading and hashing
them, as git's index does. The entries are plain data, checked as they are taken in.
"""

from __future__ import annotations

import hashlib
import os
import time

RACY_SECONDS = 3.0
_KEYS: dict[str, tuple[tuple[int, int, int, int], str]] = {}


def content_key(data: bytes) -> str:
    # git's blob id, so a revision read from git needs no hashing at all.
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def key_of(tree, path: str) -> str | None:
    """The content key of the tree's file at path; None when the tree does not read it."""
    own = getattr(tree, "content_key", None)
    if own is not None:
        return own(path)
    data = tree.read_bytes(path)
    return None if data is None else content_key(data)


def remembered_key(full: str, read) -> str | None:
    """The content key of the file at the absolute path `full`, `read()` giving its bytes (or None)."""
    try:
        info = os.stat(full)
    except OSError:
        info = None
    signature = (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino) if info else None
    kept = _KEYS.get(full)
    if signature is not None and kept is not None and kept[0] == signature:
        return kept[1]
    data = read()
    key = None if data is None else content_key(data)
    if key is not None and signature is not None and \
            time.time() - max(info.st_mtime_ns, info.st_ctime_ns) / 1e9 > RACY_SECONDS:
        _KEYS[full] = (signature, key)
    return key


def learned(root: str) -> dict[str, list]:
    """The remembered keys of the files under the directory `root`: {path: [mtime_ns, ctime_ns,
    size, inode, key]}, for `learn` in a later process."""
    under = os.path.join(root, "")
    return {full: [*signature, key] for full, (signature, key) in sorted(_KEYS.items()) if full.startswith(under)}


def learn(entries: object) -> None:
    """Takes in what `learned` gave, skipping anything that is not such an entry. An entry is
    used only while the file's stat is the one it holds (remembered_key checks)."""
    if not isinstance(entries, dict):
        return
    for full, entry in entries.items():
        if (isinstance(full, str) and isinstance(entry, list) and len(entry) == 5
                and all(type(n) is int for n in entry[:4]) and _is_key(entry[4])):
            _KEYS.setdefault(full, (tuple(entry[:4]), entry[4]))


def _is_key(value: object) -> bool:
    return isinstance(value, str) and len(value) == 40 and not value.strip("0123456789abcdef")
