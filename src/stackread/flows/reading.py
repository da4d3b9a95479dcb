"""The project a command reads: which tree, at which revision, and the cache its answers go to.

Built once per command from `-C PATH --rev REV --cache-dir DIR --no-cache` and handed to each
question asked of it (`trace`, `breakpoints`, `rpc`, `callgraph`; `--diff` reads two). What it
opens, it opens once: the tree (whose contents make the cache key), the project (its metadata,
modules and options) and the entry points, shared by every question asked of it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pathlib
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable, ContextManager, Iterator

from stackread import __version__
from stackread.index import cache as summary_cache

if TYPE_CHECKING:
    from stackread.diagnostics import Diagnostics
    from stackread.flows.entrypoints import EntrypointReport, Project
    from stackread.index.cache import SummaryCache
    from stackread.source.trees import SourceTree

Progress = Callable[[int, int], None]  # (files parsed, files to parse), for a progress bar


def stage(progress: Progress | None, text: str) -> None:
    """Says which stage the work is in (after parsing: resolving, matching RPC, walking), where the
    progress display can show it: a callable with a `stage` attribute. Silent anywhere else."""
    tell = getattr(progress, "stage", None)
    if tell is not None:
        tell(text)


@dataclass(frozen=True)
class Reading:
    path: str | os.PathLike = "."  # as the user wrote it: messages name it so
    rev: str | None = None  # a git revision, read from the object store without a checkout
    cache_dir: str | os.PathLike | None = None  # the cache root, as $STACKREAD_CACHE_DIR; the index is its index/
    use_cache: bool = True  # False: neither read nor write the cache (--no-cache)
    libraries: tuple[str, ...] = ()  # read beside the tree (-L neutron-lib==5.0.1, -L PATH): source/libraries.py

    @classmethod
    def of(cls, where: Reading | str | os.PathLike) -> Reading:
        """A Reading as it is, or the working tree at a path with the default cache."""
        return where if isinstance(where, Reading) else cls(where)

    @property
    def label(self) -> str:
        return f"{self.path} @ {self.rev}" if self.rev else str(self.path)

    def other(self, other: str) -> Reading:
        """`--diff OTHER`: another directory is another source tree; anything else a revision of
        the same one. Read with the same cache."""
        if pathlib.Path(other).is_dir():
            return Reading(other, None, self.cache_dir, self.use_cache, self.libraries)
        return Reading(self.path, other, self.cache_dir, self.use_cache, self.libraries)

    @cached_property
    def tree(self) -> SourceTree:
        """The tree at PATH itself, as the cache key reads it (`project` may sit above an installed
        *.dist-info named as PATH)."""
        from stackread.source.libraries import with_libraries
        from stackread.source.trees import open_tree

        return with_libraries(open_tree(self.path, self.rev), self.libraries)

    @cached_property
    def project(self) -> Project:
        from stackread.flows.entrypoints import open_project

        return open_project(self.path, self.rev, self.libraries)

    @cached_property
    def entrypoints(self) -> EntrypointReport:
        from stackread.flows.entrypoints import entrypoints_of_project

        return entrypoints_of_project(self.project)

    def open_cache(self, diagnostics: Diagnostics) -> ContextManager[SummaryCache]:
        """The index cache (a context manager), telling `diagnostics` what it has to say (a rebuilt
        file). The content keys of the tree's files go in and out with it (source/content.py)."""
        return _keeping_content_keys(open_cache(self.cache_dir, self.use_cache, diagnostics),
                                     getattr(self.tree, "root", None))


def open_cache(cache_dir: str | pathlib.Path | None, use_cache: bool, diagnostics: Diagnostics):
    directory = None
    if use_cache:
        # --cache-dir names the same directory as $STACKREAD_CACHE_DIR, `get` and `cache clear` do.
        directory = pathlib.Path(cache_dir) / "index" if cache_dir else summary_cache.default_cache_dir()
    return summary_cache.SummaryCache(directory, stackread_version=__version__,
                                      warn=lambda message: diagnostics.warning(None, None, message))


@contextlib.contextmanager
def _keeping_content_keys(cache: SummaryCache, root: pathlib.Path | None) -> Iterator[SummaryCache]:
    """The cache, with the content keys it kept of the files under `root` (a directory tree's)
    taken in before the command asks for any, and those it has learned kept for the next one."""
    from stackread.source import content

    with cache:
        if root is None:
            yield cache
            return
        name = "content-keys:" + hashlib.sha1(str(root).encode()).hexdigest()
        try:
            kept = json.loads(cache.get_blob(name) or b"{}")
        except ValueError:
            kept = {}
        content.learn(kept)
        yield cache
        now = content.learned(str(root))
        if now != kept:
            cache.put_blob(name, json.dumps(now, separators=(",", ":")).encode())
