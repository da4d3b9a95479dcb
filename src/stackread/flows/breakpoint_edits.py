"""`breakpoints --insert` and `--remove`: edits of the user's working tree, all checked first,
then written all or nothing.

Before anything is written, every file to edit is checked: its real path lies inside the
repository (symbolic links and `..` resolved), it is a regular file, not in stackread's cache,
without changes of the user's (git; --force), without other hard links (a name elsewhere, maybe
outside the repository, would see the edit: --force), and writable; and every edit must parse.
Then the files and the record of what was inserted (`manifest`) are written by
`writes.write_all`, which puts every file back as it was when one write fails.

`--remove` takes out only the lines the record names (see `manifest`); `--remove --force` takes
out every line marked `# stackread-breakpoint`, recorded or not (breakpoints from before the
record existed, or a record that was lost or refused).
"""

from __future__ import annotations

import ast
import os
import pathlib
import stat
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stackread.source import edits

from stackread.flows import breakpoint_manifest as manifest
from stackread.errors import AnalysisError, StackreadError, UsageError
from stackread.source.writes import Write, write_all

if TYPE_CHECKING:
    from stackread.flows.breakpoints import Place, Plan

_MAX_NOTES = 10  # unrecorded marked lines listed one by one, then counted


@dataclass
class Changes:
    files: list[pathlib.Path]  # absolute, in the order edited
    inserted: int = 0
    present: int = 0
    removed: int = 0
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # something was left as it was: exit status 1


def check_insert(rev: str | None, statement: str = edits.DEFAULT_STATEMENT) -> None:
    """What --insert refuses before anything is traced: a revision (it edits the working tree), and
    a statement that is no Python statement."""
    if rev is not None:
        raise UsageError("--insert edits the working tree; it cannot be combined with --rev")
    edits.check_statement(statement)


def insert(plan: "Plan", statement: str = edits.DEFAULT_STATEMENT, force: bool = False) -> Changes:
    """Put the breakpoint statement at every place of the plan, and record each line put in; refuse
    (editing nothing) files outside the repository, with changes of the user's or other hard links."""
    from stackread.source.cachedir import default_cache_dir

    edits.check_statement(statement)
    work = edits.WorkingTree.open(plan.root)
    by_file: dict[pathlib.Path, list[Place]] = {}  # by real path relative to the root: a file once
    outside = []
    for place in plan.places:
        rel = work.inside(plan.root / place.path)
        if rel is None:
            outside.append(place.path)
        else:
            by_file.setdefault(rel, []).append(place)
    if outside:
        raise UsageError(f"will not edit files outside {work.root}: {', '.join(dict.fromkeys(outside))}")
    cache = default_cache_dir().resolve()
    if any(cache in (work.root / r).parents for r in by_file):
        raise UsageError(f"{plan.root} is in stackread's cache, which later commands read: "
                         "copy the tree or clone the project, and edit that")
    if work.repo is None and not force:
        raise UsageError(f"{work.root} is not in a git repository, so stackread cannot tell your changes "
                         "from its own: pass --force to edit anyway (--remove takes the breakpoints out again)")
    log = manifest.load(work)
    files = {rel: _read(work.root / rel) for rel in by_file}
    found = {rel: manifest.locate(log.get(rel.as_posix()), files[rel][0]) for rel in by_file}
    dirty = work.changed(list(by_file), lambda rel, data: manifest.drop_lines(data, found[rel].numbers))
    if dirty and not force:
        raise UsageError(f"uncommitted changes in {len(dirty)} file(s) that would get breakpoints; commit or "
                         f"stash them, or pass --force:\n  " + "\n  ".join(str(d) for d in dirty))
    linked = [rel for rel in by_file if files[rel][1].st_nlink > 1]
    if linked and not force:
        raise UsageError(f"{len(linked)} file(s) that would get breakpoints have other hard links, whose names "
                         "(maybe outside the repository) would see the breakpoints too; pass --force to edit "
                         "them through every link:\n  " + "\n  ".join(f"{rel} ({files[rel][1].st_nlink} links)"
                                                                     for rel in linked))
    changes = Changes([])
    pending: list[Write] = []
    records: dict[str, manifest.Record | None] = {}
    expected = edits.inserted_text(statement).encode()
    for rel, places in by_file.items():
        target = work.root / rel
        data, st = files[rel]
        had = found[rel]
        result = edits.insert_breakpoints(data, {p.statement for p in places if p.at_entry},
                                          {p.statement for p in places if not p.at_entry}, statement,
                                          frozenset(had.numbers))
        for place in places:
            if place.statement in result.unplaced:
                changes.notes.append(f"{place.path}:{place.line}: no line of its own to put a breakpoint before")
        if had.missing:
            changes.notes.append(f"{rel}: {_count(len(had.missing), 'breakpoint line')} recorded there earlier "
                                 "are gone; forgot them")
        changes.inserted += result.inserted
        changes.present += result.present
        added = []
        if result.data != data:
            _check(target, result.data)
            added = manifest.added_lines(data, result.data) or []
            lines = result.data.splitlines()
            if len(added) != result.inserted or any(lines[n - 1].strip() != expected for n in added):
                raise AnalysisError(f"{target}: the edit is not whole breakpoint lines; nothing was edited")
            pending.append(Write(target, data, result.data, _in_place(target, st)))
            changes.files.append(target)
            if st.st_nlink > 1:
                changes.notes.append(f"{rel}: written through all its {st.st_nlink} hard links (--force)")
        numbers = manifest.renumbered(had.numbers, added) + added
        records[rel.as_posix()] = manifest.record(rel.as_posix(), result.data, sorted(numbers))
    _commit(work, log, records, pending)
    return changes


def remove(path: str | pathlib.Path, force: bool = False) -> Changes:
    """Take out the breakpoint lines stackread recorded inserting under the tree (every marked line
    with force), all or nothing; files changed since lose only recorded lines still there as inserted."""
    work = edits.WorkingTree.open(path)
    under = pathlib.Path(path).resolve()
    changes = Changes([])
    pending: list[Write] = []
    records: dict[str, manifest.Record | None] = {}
    if force:
        try:
            log = manifest.load(work)
            records = {r.path: None for r in log.records if _within(work.root / r.path, under)}
        except manifest.ManifestError as exc:  # a record refused is no use to anyone: it goes
            log = manifest.Manifest(manifest.location(work), work.root)
            records = None
            changes.notes.append(f"{log.location}: refused ({exc.reason}); deleted it")
        _remove_marked(work, under, changes, pending)
    else:
        log = manifest.load(work)
        taken, records = _remove_recorded(work, log, under, changes, pending)
        _note_unrecorded(work, under, taken, changes)
    _commit(work, log, records, pending)
    return changes


def _remove_recorded(work, log, under, changes, pending) -> tuple[dict[pathlib.Path, bytes], dict[str, None]]:
    """Plan the removal of the recorded lines under `under`: the files that lose lines, as they will be,
    and the records to forget (None each)."""
    taken: dict[pathlib.Path, bytes] = {}
    records: dict[str, None] = {}
    for rec in log.records:
        target = work.root / rec.path
        if not _within(target, under):
            continue
        if work.inside(target) != pathlib.Path(rec.path):  # a link put in since: never follow it out
            changes.problems.append(f"{rec.path}: now a link (or outside {work.root}); left alone")
            continue
        if not os.path.lexists(target):
            changes.notes.append(f"{rec.path}: gone since --insert; forgot its breakpoints")
            records[rec.path] = None
            continue
        try:
            data, st = _read(target)
        except AnalysisError as exc:
            changes.problems.append(str(exc))
            continue
        found = manifest.locate(rec, data)
        if found.missing:
            listed = "; ".join(f"line {line.number}: {line.text.strip()}" for line in found.missing)
            changes.problems.append(f"{rec.path}: changed since --insert, and {_count(len(found.missing), 'line')} "
                                    f"stackread inserted cannot be found as inserted ({listed}); forgot them")
        elif found.changed:
            changes.notes.append(f"{rec.path}: changed since --insert; took out only the lines stackread inserted "
                                 "and left the rest as you have it")
        if found.numbers:
            new = manifest.drop_lines(data, found.numbers)
            try:
                _check(target, new)
            except AnalysisError as exc:
                changes.problems.append(f"{exc}; its breakpoints stay recorded")
                continue
            pending.append(Write(target, data, new, _in_place(target, st)))
            changes.files.append(target)
            changes.removed += len(found.numbers)
            taken[target] = new
        records[rec.path] = None
    return taken, records


def _remove_marked(work, under, changes, pending) -> None:
    for file in edits.files_with_breakpoints(under):
        if work.inside(file) is None:
            continue
        try:
            data, st = _read(file)
        except AnalysisError as exc:
            changes.problems.append(str(exc))
            continue
        new, removed = edits.remove_breakpoints(data)
        if removed:
            _check(file, new)
            pending.append(Write(file.resolve(), data, new, _in_place(file.resolve(), st)))
            changes.files.append(file)
            changes.removed += removed


def _note_unrecorded(work, under, taken, changes) -> None:
    """Lines with the marker that stackread did not insert (the user's, or from before the record): left alone."""
    left = []
    for file in edits.files_with_breakpoints(under):
        rel = work.inside(file)
        if rel is None:
            continue
        try:
            data = taken[file.resolve()] if file.resolve() in taken else file.read_bytes()  # as it will be
        except OSError:
            continue
        left += [f"{rel}:{n}" for n in manifest.marked_lines(data)]
    if left:
        shown = ", ".join(left[:_MAX_NOTES]) + (f" and {len(left) - _MAX_NOTES} more" if len(left) > _MAX_NOTES else "")
        changes.notes.append(f"left alone {_count(len(left), 'line')} ending in `# {edits.MARKER}` that stackread "
                             f"has no record of inserting ({shown}); `--remove --force` takes out every such line")


def _commit(work, log, records, pending: list[Write]) -> None:
    """Write the files and then the record (records None: it goes), all or nothing; check first
    that each can be written, to refuse before anything is."""
    new = (log.with_records(records) if records is not None else manifest.Manifest(log.location, log.root)).to_bytes()
    try:
        old = log.location.read_bytes()
    except FileNotFoundError:
        old = None
    except OSError as exc:
        raise AnalysisError(f"{log.location}: cannot read the record of breakpoints ({exc.strerror}); "
                            "nothing was edited") from None
    if new != old:
        try:
            log.location.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AnalysisError(f"{log.location.parent}: cannot keep the record of breakpoints there "
                                f"({exc.strerror}); nothing was edited") from None
        pending = [*pending, Write(log.location, old, new, False)]
    unwritable = [(w, why) for w in pending if (why := _unwritable(w))]
    if unwritable:
        raise AnalysisError(f"cannot write {_count(len(unwritable), 'file')}; nothing was edited:\n  "
                            + "\n  ".join(f"{_shown(w.path, work.root)} ({why})" for w, why in unwritable))
    write_all(pending, work.root)


def _read(path: pathlib.Path) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file and its status; never opens a FIFO or a device (it could hang)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise AnalysisError(f"{path}: cannot read it ({exc.strerror}); nothing was edited") from None
    if not stat.S_ISREG(st.st_mode):
        raise AnalysisError(f"{path}: not a regular file; nothing was edited")
    try:
        return path.read_bytes(), st
    except OSError as exc:
        raise AnalysisError(f"{path}: cannot read it ({exc.strerror}); nothing was edited") from None


def _in_place(path: pathlib.Path, st: os.stat_result) -> bool:
    """Through the file itself when other links must see the edit or no file can be made beside it."""
    return st.st_nlink > 1 or not os.access(path.parent, os.W_OK | os.X_OK)


def _unwritable(write: Write) -> str | None:
    """Why the write cannot be done, as far as can be known before trying; None when it can."""
    if write.old is not None and not os.access(write.path, os.W_OK):  # also refused to root on an immutable file
        return "the file is read-only or immutable"
    if not write.in_place and not os.access(write.path.parent, os.W_OK | os.X_OK):
        return "its directory is not writable"
    return None


def _within(path: pathlib.Path, under: pathlib.Path) -> bool:
    return path == under or under in path.parents


def _shown(path: pathlib.Path, root: pathlib.Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"


def _check(path: pathlib.Path, data: bytes) -> None:
    try:
        ast.parse(data)
    except SyntaxError as exc:  # never write a file that no longer parses
        raise AnalysisError(f"{path}: the edit would not parse ({exc.msg} at line {exc.lineno}); file left as it was")


def our_lines(root: pathlib.Path):
    """For the plan: `lines(path, data)`, the lines of a file (path relative to root) stackread
    inserted; and a note when the record cannot be read."""
    try:
        work = edits.WorkingTree.open(root)
        log = manifest.load(work)
    except StackreadError as exc:
        return (lambda path, data: set()), str(exc)

    def lines(path: str, data: bytes) -> set[int]:
        rel = work.inside(root / path)
        rec = log.get(rel.as_posix()) if rel is not None else None
        return set(manifest.locate(rec, data).numbers) if rec is not None else set()

    return lines, None
