"""Libraries read beside a tree: `-L neutron-lib==5.0.1` or `-L ~/src/oslo.messaging`.

A project's code leans on packages it does not contain (Neutron's API resources are declared in
neutron-lib's `api/definitions`), and what they say is read the way the tree itself is read: from
an unpacked sdist or a source directory, parsed, never imported. `WithLibraries` shows the tree
with each library's top-level packages beside its own, at their import paths
(`neutron_lib/api/definitions/l3.py`), so the index finds `neutron_lib.api.definitions.l3` as it
finds any module; the tree's own package of a name wins over a library's. Several trees read
together (issue 17: `-C nova -C cinder`) can grow from the same overlay.
"""

from __future__ import annotations

import functools
import pathlib
import re
from dataclasses import dataclass, field
from typing import Iterator

from stackread.errors import FetchError, UsageError
from stackread.source.trees import SourceTree, open_tree


@functools.lru_cache(maxsize=16)  # the tree and the project of one command name the same libraries
def library_tree(spec: str, cache_dir: pathlib.Path | None = None) -> SourceTree:
    """A library named as a directory (a clone, an unpacked sdist), else as a release fetched into
    the cache like `stackread get` does (`neutron-lib==5.0.1`, or `neutron-lib`: the newest)."""
    where = pathlib.Path(spec).expanduser()
    if not where.is_dir():
        from stackread.source.fetch import fetch_release

        try:
            where = fetch_release(spec, cache_dir)
        except FetchError as exc:  # not on the index, or neither a path nor a release name
            raise UsageError(f"--library {spec}: {exc}") from None
    return open_tree(where)


def packages_of(tree: SourceTree) -> dict[str, str]:
    """The library's top-level packages and modules -> where they are in it (`src/` layouts too)."""
    found: dict[str, str] = {}
    for root in ("src", ""):
        prefix = f"{root}/" if root else ""
        if root and not tree.is_dir(root):
            continue
        for name in tree.list_dir(root):
            if not name.isidentifier() or name in ("tests", "test", "doc", "docs", "setup"):
                continue
            if tree.is_file(f"{prefix}{name}/__init__.py"):
                found.setdefault(name, f"{prefix}{name}")
            elif name.endswith(".py") and name[:-3].isidentifier() and name != "setup.py":
                found.setdefault(name[:-3], f"{prefix}{name}")
    return found


@dataclass
class WithLibraries:
    """The tree, with the packages of each library beside its own (a SourceTree itself)."""

    main: SourceTree
    libraries: tuple[SourceTree, ...]
    _where: dict[str, tuple[SourceTree, str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        own = set(self.main.list_dir(""))
        for library in self.libraries:
            for name, path in packages_of(library).items():
                top = path.rsplit("/", 1)[-1]
                if top not in own and top not in self._where:
                    self._where[top] = (library, path)

    @property
    def label(self) -> str:
        return self.main.label

    @property
    def revision(self) -> str | None:
        return self.main.revision

    @property
    def refused(self) -> dict[str, str]:
        return self.main.refused

    @property
    def library_labels(self) -> tuple[str, ...]:
        return tuple(library.label for library in self.libraries)

    def _split(self, path: str) -> tuple[SourceTree, str]:
        path = path.strip("/")
        top, _, rest = path.partition("/")
        if top in self._where:
            library, inside = self._where[top]
            return library, f"{inside}/{rest}" if rest else inside
        return self.main, path

    def read_bytes(self, path: str) -> bytes | None:
        tree, inside = self._split(path)
        return tree.read_bytes(inside)

    def content_key(self, path: str) -> str | None:
        from stackread.source.content import key_of

        tree, inside = self._split(path)
        return key_of(tree, inside)

    def is_file(self, path: str) -> bool:
        tree, inside = self._split(path)
        return tree.is_file(inside)

    def is_dir(self, path: str) -> bool:
        tree, inside = self._split(path)
        return tree.is_dir(inside)

    def list_dir(self, path: str) -> list[str]:
        if path.strip("/"):
            tree, inside = self._split(path)
            return tree.list_dir(inside)
        return sorted(set(self.main.list_dir("")) | set(self._where))

    def walk_files(self, top: str = "", suffix: str = "", skip_dirs: frozenset[str] = frozenset()) -> Iterator[str]:
        if top.strip("/"):
            tree, inside = self._split(top)
            start = inside[: len(inside) - len(top.strip("/"))] if tree is not self.main else ""
            for path in tree.walk_files(inside, suffix, skip_dirs):
                yield path[len(start):] if start and path.startswith(start) else path
            return
        yield from self.main.walk_files("", suffix, skip_dirs)
        for name in sorted(self._where):
            yield from self.walk_files(name, suffix, skip_dirs)


def with_libraries(tree: SourceTree, specs: tuple[str, ...], cache_dir: pathlib.Path | None = None) -> SourceTree:
    """The tree as it is when no library is asked for."""
    if not specs:
        return tree
    return WithLibraries(tree, tuple(library_tree(spec, cache_dir) for spec in specs))


def requirement_of(tree: SourceTree, package: str) -> str | None:
    """The line of the tree's requirements.txt that asks for the distribution an import name comes
    from (`neutron_lib` -> `neutron-lib>=5.0.0`), to name in a hint; None when it asks for none."""
    data = tree.read_bytes("requirements.txt") or b""
    wanted = _normal(package)
    for line in data.decode("utf-8", "replace").splitlines():
        text = line.split("#", 1)[0].strip()
        name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", text)
        if name and _normal(name.group(0)) == wanted:
            return text.split(";", 1)[0].strip()
    return None


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
