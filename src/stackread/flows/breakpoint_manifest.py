"""The record of the lines stackread inserted: what `--remove` takes out, and nothing else.

A line ending in `# stackread-breakpoint` may be the user's own (committed, or written by
hand): the marker alone does not make it ours. So `--insert` records, per file, each line it
added (number and exact text) and the file's SHA-256 as it left it. `--remove` takes out those
lines: at their recorded numbers when the file is unchanged, which gives back the file byte for
byte as it was before; in a file changed since, only recorded lines still there with their
exact text (the nearest such line to where it was), leaving everything else alone.

Where: inside a git repository, `.git/stackread/breakpoints.json` (the repository's git
directory: per worktree, never part of the working tree, never committed, and it goes wherever
the repository goes). Outside git (edits there need --force) the tree has no private place, so
the record lives in stackread's cache directory, under `edits/`, named by a hash of the tree's
real path: writing a file into the user's tree would add a file they did not ask for.

The record is data anyone who can write the git directory can craft, so reading it checks every
entry: a path must lie inside the tree once links are resolved (never in `.git`), and a line
must be exactly a breakpoint statement stackread would insert. A record that fails is refused
whole, with the reason; stackread then edits nothing by it.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import re
from dataclasses import dataclass

from stackread.source import edits
from stackread.errors import AnalysisError, UsageError

FORMAT = "stackread-breakpoints"
VERSION = 1
_INSERTED = re.compile(r"[ \t]*(\S.*?)" + re.escape(f"  # {edits.MARKER}"))
_SHA256 = re.compile(r"[0-9a-f]{64}")


class ManifestError(AnalysisError):
    def __init__(self, location: pathlib.Path, reason: str):
        self.location, self.reason = location, reason
        super().__init__(f"{location}: {reason}; nothing was edited. Delete it, or take out every marked line "
                         "with `stackread breakpoints --remove --force`")


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, in the file as stackread left it
    text: str  # the whole line without its end: indentation, statement, marker

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Record:
    path: str  # POSIX, relative to the tree's root
    sha256: str  # of the file as stackread left it
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Manifest:
    location: pathlib.Path
    root: pathlib.Path
    records: tuple[Record, ...] = ()

    def get(self, path: str) -> Record | None:
        return next((r for r in self.records if r.path == path), None)

    def with_records(self, changed: dict[str, Record | None]) -> "Manifest":
        """The manifest with these paths' records replaced (None: dropped); paths sorted."""
        kept = {r.path: r for r in self.records}
        for path, record in changed.items():
            if record is None:
                kept.pop(path, None)
            else:
                kept[path] = record
        return Manifest(self.location, self.root, tuple(kept[p] for p in sorted(kept)))

    def to_bytes(self) -> bytes | None:
        """The file's new content; None when nothing is recorded (the file goes)."""
        if not self.records:
            return None
        files = [{"path": r.path, "sha256": r.sha256, "lines": [{"line": line.number, "text": line.text}
                                                                for line in r.lines]} for r in self.records]
        return (json.dumps({"format": FORMAT, "version": VERSION, "root": str(self.root), "files": files},
                           indent=1) + "\n").encode()


def location(work: edits.WorkingTree) -> pathlib.Path:
    if work.repo is not None:
        return pathlib.Path(work.repo.git_dir).resolve() / "stackread" / "breakpoints.json"
    from stackread.source.cachedir import default_cache_dir

    key = hashlib.sha256(str(work.root).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return default_cache_dir() / "edits" / f"{key}.json"


def load(work: edits.WorkingTree) -> Manifest:
    """The recorded insertions of the tree, checked; an empty manifest when there is none."""
    where = location(work)
    try:
        data = where.read_bytes()
    except FileNotFoundError:
        return Manifest(where, work.root)
    except OSError as exc:
        raise ManifestError(where, f"cannot read this record of inserted breakpoints ({exc.strerror or exc})")
    try:
        return Manifest(where, work.root, _records(json.loads(data), work))
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise ManifestError(where, f"not a record of breakpoints stackread inserted: {exc}") from None


def _records(doc, work: edits.WorkingTree) -> tuple[Record, ...]:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise ValueError(f"expected format {FORMAT!r} version {VERSION}")
    if work.repo is None and doc.get("root") != str(work.root):
        raise ValueError(f"it is the record of {doc.get('root')!r}, not of {work.root}")
    files = doc.get("files")
    if not isinstance(files, list):
        raise ValueError("'files' is not a list")
    records, seen = [], set()
    for entry in files:
        if not isinstance(entry, dict) or not isinstance(entry.get("lines"), list) or not entry["lines"]:
            raise ValueError("a file entry without lines")
        path = _checked_path(entry.get("path"), work)
        if path in seen:
            raise ValueError(f"{path} is listed twice")
        seen.add(path)
        sha = entry.get("sha256")
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
            raise ValueError(f"{path}: 'sha256' is not a SHA-256 in hex")
        lines = tuple(_checked_line(path, item) for item in entry["lines"])
        numbers = [line.number for line in lines]
        if numbers != sorted(set(numbers)):
            raise ValueError(f"{path}: line numbers not in order")
        records.append(Record(path, sha, lines))
    return tuple(records)


def _checked_path(path, work: edits.WorkingTree) -> str:
    if not isinstance(path, str) or not path or "\0" in path or "\\" in path:
        raise ValueError(f"path {path!r} is not a relative POSIX path")
    parts = pathlib.PurePosixPath(path).parts
    if path.startswith("/") or any(p in ("..", ".", "") for p in path.split("/")) or ".git" in parts:
        raise ValueError(f"path {path!r} is not a plain path inside the tree")
    if work.inside(work.root / path) != pathlib.Path(path):
        raise ValueError(f"{path} resolves outside {work.root} (or through a link)")
    return path


def _checked_line(path: str, item) -> Line:
    if not isinstance(item, dict):
        raise ValueError(f"{path}: a line entry is not an object")
    number, text = item.get("line"), item.get("text")
    if type(number) is not int or not 1 <= number <= 10_000_000:
        raise ValueError(f"{path}: line {number!r} is not a line number")
    if not isinstance(text, str) or not is_inserted_text(text):
        raise ValueError(f"{path}:{number}: {text!r} is not a breakpoint statement stackread inserts")
    return Line(number, text)


def is_inserted_text(text: str) -> bool:
    """Exactly what --insert writes: indentation, simple statements on one line, two spaces, the marker."""
    match = _INSERTED.fullmatch(text)
    if match is None:
        return False
    try:
        edits.check_statement(match.group(1))
    except UsageError:
        return False
    except Exception:  # libcst on text it cannot take (say, lone surrogates): not ours either
        return False
    return True


# -- lines of a file ---------------------------------------------------------------------------------

def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _bodies(data: bytes) -> list[bytes]:
    # bytes.splitlines breaks at \n, \r and \r\n only: the line ends Python's tokenizer knows.
    return [line.rstrip(b"\r\n") for line in data.splitlines(keepends=True)]


def added_lines(before: bytes, after: bytes) -> list[int] | None:
    """Numbers (1-based, in `after`) of the whole lines `after` adds to `before`; None when `after`
    is not `before` with whole lines added. Two equal adjacent lines are interchangeable, so the
    first match is as good as any."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    added, j = [], 0
    for i, line in enumerate(new):
        if j < len(old) and line == old[j]:
            j += 1
        else:
            added.append(i + 1)
    return added if j == len(old) else None


def renumbered(numbers: list[int], added: list[int]) -> list[int]:
    """Where lines of the old file are once the `added` lines (numbers in the new file) are in."""
    shifted, k = [], 0
    for n in sorted(numbers):
        while k < len(added) and added[k] <= n + k:
            k += 1
        shifted.append(n + k)
    return shifted


def drop_lines(data: bytes, numbers) -> bytes:
    """The file without the whole lines numbered (1-based)."""
    gone = set(numbers)
    return b"".join(line for i, line in enumerate(data.splitlines(keepends=True), 1) if i not in gone)


def record(path: str, after: bytes, numbers: list[int]) -> Record | None:
    """The record of these (inserted) lines of the file `after`; None when there are none."""
    if not numbers:
        return None
    bodies = _bodies(after)
    return Record(path, sha256(after), tuple(Line(n, bodies[n - 1].decode("utf-8", "surrogateescape"))
                                             for n in sorted(numbers)))


@dataclass(frozen=True)
class Found:
    numbers: list[int]  # recorded lines still there, at these numbers of the file now
    missing: list[Line]  # recorded lines not found
    changed: bool  # the file is not as stackread left it


def locate(rec: Record | None, data: bytes) -> Found:
    """The recorded lines in the file as it is now: at their numbers when it is unchanged; else
    each at the nearest line with exactly its text, none used twice."""
    if rec is None:
        return Found([], [], False)
    bodies = _bodies(data)
    unchanged = sha256(data) == rec.sha256
    if unchanged and all(line.number <= len(bodies) and bodies[line.number - 1] == line.data for line in rec.lines):
        return Found([line.number for line in rec.lines], [], False)
    wanted = {line.data for line in rec.lines}
    where: dict[bytes, list[int]] = {}
    for n, body in enumerate(bodies, 1):
        if body in wanted:
            where.setdefault(body, []).append(n)
    numbers, missing, used = [], [], set()
    for line in rec.lines:
        candidates = [n for n in where.get(line.data, []) if n not in used]
        if not candidates:
            missing.append(line)
            continue
        best = min(candidates, key=lambda n: (abs(n - line.number), n))
        used.add(best)
        numbers.append(best)
    return Found(sorted(numbers), missing, True)


def marked_lines(data: bytes) -> list[int]:
    """Numbers of the lines ending in the marker comment, whoever wrote them."""
    return [n for n, body in enumerate(_bodies(data), 1) if body.rstrip().endswith(f"# {edits.MARKER}".encode())]
