"""Writing the user's files all or nothing: every file gets its new bytes, or every one is put back.

A file is written by replacing it: the new bytes go to a temporary file in the same directory,
with the file's mode (and owner, where the user may set it), which `os.replace` then puts in
its place. A crash or a full disk never leaves a half-written source file, and a name that
another hard link shares is never written through by accident. A write marked `in_place` goes
through the file itself instead: for a file with other hard links that the user chose to edit
(`--force`), where every name must see the same bytes, and for a file in a directory the user
cannot create files in.
"""

from __future__ import annotations

import os
import pathlib
import tempfile
from dataclasses import dataclass

from stackread.errors import AnalysisError


@dataclass(frozen=True)
class Write:
    path: pathlib.Path  # absolute: the real file, not a symbolic link to it
    old: bytes | None  # what it holds now (None: it does not exist)
    new: bytes | None  # what it must hold (None: delete it)
    in_place: bool = False


class WriteFailed(AnalysisError):
    """A write failed: the files already written were put back (the message says which were not)."""


def write_all(writes: list[Write], root: pathlib.Path) -> None:
    """Give every file its new bytes, in order; on the first failure, put back every file already
    written, byte for byte, and raise WriteFailed naming the file and why (paths relative to root)."""
    done: list[Write] = []
    for write in writes:
        try:
            _put(write.path, write.new, write.in_place)
        except OSError as exc:
            # An in-place write may have got part way: the failing file is put back too.
            undo = [write, *reversed(done)] if write.in_place else list(reversed(done))
            unrestored: list[tuple[Write, OSError]] = []
            for back in undo:
                try:
                    _put(back.path, back.old, back.in_place)
                except OSError as again:
                    unrestored.append((back, again))
            restored = len(done) - sum(1 for back, _ in unrestored if back is not write)
            message = (f"could not write {_name(write.path, root)}: {exc.strerror or exc}; "
                       f"put back {restored} file{'s' if restored != 1 else ''} already changed, byte for byte")
            if unrestored:
                message += ("; could NOT put back " + ", ".join(f"{_name(back.path, root)} ({again.strerror or again})"
                                                                for back, again in unrestored)
                            + ": they keep the edit")
            else:
                message += ": nothing was edited"
            raise WriteFailed(message) from exc
        done.append(write)


def _name(path: pathlib.Path, root: pathlib.Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _put(path: pathlib.Path, data: bytes | None, in_place: bool) -> None:
    if data is None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        return
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    if in_place and st is not None:
        with open(path, "r+b") as f:
            f.write(data)
            f.truncate()
            f.flush()
            os.fsync(f.fileno())
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".stackread-tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if st is not None:
                os.fchmod(f.fileno(), st.st_mode & 0o7777)
                try:
                    os.fchown(f.fileno(), st.st_uid, st.st_gid)
                except OSError:
                    pass  # only root may give a file away; the user's own files stay theirs anyway
            # A new file (the record of edits) keeps mkstemp's owner-only mode: it is private data.
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
