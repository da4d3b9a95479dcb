"""A tree that remembers what was read of it, so that an answer can be kept by the files it read.

The routes and the entry points of Nova come from ~100 of its 674 files, and from three byte scans
of every file ("may this file declare routes, options, a WSGI `application`?"). Kept under the key
of the whole tree, both were worked out again (about 3 s) after any edit. Kept with what was
observed instead, an answer stays good while every observation still holds: each file read whole
has the same content, each probe (is_file, is_dir, a directory listing) the same answer, and each
scanned file the same answer to the scan's test, so an edit of a file that only failed the scans
keeps them.

What is observed is everything read through the tree since it was opened, not only during one
answer: the project's memos (its parsed modules, its option index) are shared by every reader, and
an answer may use what an earlier one read without reading it again. The whole-program index reads
the inner tree (`unobserved`): its memo is its own and its answers are kept by the whole tree.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass
from typing import Callable, Iterator

from stackread.source.content import content_key, key_of
from stackread.source.trees import SourceTree


@dataclass(frozen=True)
class Scan:
    test: str  # "stackread.module:function", one of stackread's own byte tests
    matched: tuple[str, ...]  # the files it passed
    failed: tuple[str, ...]  # the files it did not pass


@dataclass(frozen=True)
class Listing:
    kind: str  # "list" (list_dir) | "walk" (walk_files)
    top: str
    suffix: str = ""
    skip_dirs: tuple[str, ...] = ()

    def of(self, tree: SourceTree) -> str:
        """The digest of this listing of the tree."""
        if self.kind == "list":
            return _digest(tree.list_dir(self.top))
        return _digest(list(tree.walk_files(self.top, self.suffix, frozenset(self.skip_dirs))))


@dataclass(frozen=True)
class Derived:
    test: str  # "stackread.module:function" of (bytes, *arguments), one of stackread's own
    path: str
    arguments: tuple[str, ...]
    answer: int | None  # what it answered of the file's bytes (None also for an absent file)


@dataclass(frozen=True)
class Observations:
    reads: tuple[tuple[str, str | None], ...]  # (path, content key; None: absent)
    probes: tuple[tuple[str, str, bool], ...]  # ("file" | "dir", path, answer)
    listings: tuple[tuple[Listing, str], ...]  # (the listing asked, digest of its answer)
    scans: tuple[Scan, ...]
    derived: tuple[Derived, ...] = ()
    # The content key of each file scanned, so a check tests again only the files that changed.
    scanned: tuple[tuple[str, str], ...] = ()


class ObservedTree:
    """A SourceTree that records every observation made through it (see the module's doc)."""

    def __init__(self, inner: SourceTree):
        self.inner = inner
        self._reads: dict[str, str | None] = {}
        self._probes: dict[tuple[str, str], bool] = {}
        self._listings: dict[Listing, str] = {}
        self._scans: dict[str, dict[str, bool]] = {}
        self._derived: dict[tuple, int | None] = {}
        self._scanned: dict[str, str] = {}
        self._current: dict[str, str | None] = {}  # the content key of each file checked (still_hold)
        self._current_listings: dict[Listing, str] = {}

    def __getattr__(self, name: str):  # label, revision, refused, library_labels ...
        return getattr(self.inner, name)

    def read_bytes(self, path: str) -> bytes | None:
        data = self.inner.read_bytes(path)
        if path not in self._reads:
            self._reads[path] = None if data is None else content_key(data)
        return data

    def content_key(self, path: str) -> str | None:
        """A key is the file's content: observed as a read of it."""
        key = key_of(self.inner, path)
        self._reads.setdefault(path, key)
        return key

    def is_file(self, path: str) -> bool:
        answer = self._probes[("file", path)] = self.inner.is_file(path)
        return answer

    def is_dir(self, path: str) -> bool:
        answer = self._probes[("dir", path)] = self.inner.is_dir(path)
        return answer

    def list_dir(self, path: str) -> list[str]:
        names = self.inner.list_dir(path)
        self._listings[Listing("list", path)] = _digest(names)
        return names

    def walk_files(self, top: str = "", suffix: str = "", skip_dirs: frozenset[str] = frozenset()) -> Iterator[str]:
        paths = list(self.inner.walk_files(top, suffix, skip_dirs))
        self._listings[Listing("walk", top, suffix, tuple(sorted(skip_dirs)))] = _digest(paths)
        return iter(paths)

    def scan(self, files: list[str], tests: list[Callable[[bytes], bool]]) -> dict:
        """For each byte test, the files that pass it, each file read once: a file is observed as
        passing or failing each test, not by its content (a reader that goes on to use the content
        of a file that passed reads it, and that read is observed)."""
        answers = [self._scans.setdefault(_name(test), {}) for test in tests]
        found: dict = {test: [] for test in tests}
        for path in files:
            data = self.inner.read_bytes(path)
            if data is not None and path not in self._scanned:
                self._scanned[path] = content_key(data)
            for test, seen in zip(tests, answers):
                passed = seen[path] = bool(data) and bool(test(data))
                if passed:
                    found[test].append(path)
        return found

    def derive(self, path: str, function: Callable[..., int | None], *arguments: str) -> int | None:
        """What `function(bytes, *arguments)` says of one file (the line of a class in it), observed
        as that answer, not as the file's content."""
        data = self.inner.read_bytes(path)
        answer = function(data, *arguments) if data is not None else None
        self._derived[(_name(function), path, arguments)] = answer
        return answer

    def observations(self) -> Observations:
        return Observations(
            tuple(sorted(self._reads.items(), key=lambda item: item[0])),
            tuple(sorted((kind, path, answer) for (kind, path), answer in self._probes.items())),
            tuple(sorted(self._listings.items(), key=repr)),
            tuple(Scan(test, tuple(sorted(p for p, ok in answers.items() if ok)),
                       tuple(sorted(p for p, ok in answers.items() if not ok)))
                  for test, answers in sorted(self._scans.items())),
            tuple(Derived(test, path, arguments, answer)
                  for (test, path, arguments), answer in sorted(self._derived.items(), key=repr)),
            tuple(sorted(self._scanned.items())))

    def current_listing(self, asked: Listing) -> str:
        """The digest of a listing as it is now, worked out once per command."""
        if asked not in self._current_listings:
            self._current_listings[asked] = asked.of(self.inner)
        return self._current_listings[asked]

    def current_key(self, path: str) -> str | None:
        """The content key of a file as it is now, worked out once per command (however many kept
        answers are checked)."""
        if path not in self._current:
            self._current[path] = key_of(self.inner, path)
        return self._current[path]


def unobserved(tree: SourceTree) -> SourceTree:
    return tree.inner if isinstance(tree, ObservedTree) else tree


def scan(tree: SourceTree, files: list[str], tests: list[Callable[[bytes], bool]]) -> dict:
    """`ObservedTree.scan` on any tree: {test: the files that pass it}."""
    if isinstance(tree, ObservedTree):
        return tree.scan(files, tests)
    found: dict = {test: [] for test in tests}
    for path in files:
        data = tree.read_bytes(path)
        for test in tests if data else ():
            if test(data):
                found[test].append(path)
    return found


def derive(tree: SourceTree, path: str, function: Callable[..., int | None], *arguments: str) -> int | None:
    """`ObservedTree.derive` on any tree."""
    if isinstance(tree, ObservedTree):
        return tree.derive(path, function, *arguments)
    data = tree.read_bytes(path)
    return function(data, *arguments) if data is not None else None


def still_hold(observations: Observations, tree: ObservedTree) -> bool:
    """Whether every observation made of a tree is true of this one."""
    inner = tree.inner
    for path, key in observations.reads:
        if tree.current_key(path) != key:
            return False
    for kind, path, answer in observations.probes:
        if (inner.is_file(path) if kind == "file" else inner.is_dir(path)) != answer:
            return False
    for asked, digest in observations.listings:
        if tree.current_listing(asked) != digest:
            return False
    for derived in observations.derived:
        function = _test(derived.test)
        data = inner.read_bytes(derived.path)
        if function is None or (function(data, *derived.arguments) if data is not None else None) != derived.answer:
            return False
    tested: dict[str, list[tuple[str, bool]]] = {}
    for scanned in observations.scans:
        for paths, answer in ((scanned.matched, True), (scanned.failed, False)):
            for path in paths:
                tested.setdefault(path, []).append((scanned.test, answer))
    known = dict(observations.scanned)
    for path, tests in tested.items():  # tested again only where the file changed, each read once
        if path in known and tree.current_key(path) == known[path]:
            continue
        data = inner.read_bytes(path)
        for name, answer in tests:
            test = _test(name)  # imported only now: reading an answer back needs none of the readers
            if test is None or (bool(data) and bool(test(data))) != answer:
                return False
    return True


def _name(test: Callable) -> str:
    return f"{test.__module__}:{test.__qualname__}"


def _test(name: str) -> Callable[[bytes], bool] | None:
    """One of stackread's own byte tests, by the name it was observed under (never another module)."""
    module, _, qualname = name.partition(":")
    if not module.startswith("stackread.") or "." in qualname or not qualname.isidentifier():
        return None
    try:
        return getattr(importlib.import_module(module), qualname, None)
    except ImportError:
        return None


def _digest(names: list[str]) -> str:
    return hashlib.sha1("\0".join(names).encode()).hexdigest()
