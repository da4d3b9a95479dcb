"""The project a command reads: which tree, at which revision, and the cache its answers go to.

Built once per command from `-C PATH --rev REV --cache-dir DIR --no-cache` and handed to each
question asked of it (`trace`, `breakpoints`, `rpc`, `callgraph`; `--diff` reads two). What it
opens, it opens once: the tree (whose contents make the cache key), the project (its metadata,
modules and options) and the entry points, shared by every question asked of it.
"""

from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable

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

    def open_cache(self, diagnostics: Diagnostics) -> SummaryCache:
        """The index cache (a context manager), telling `diagnostics` what it has to say (a rebuilt file)."""
        from stackread.flows.callgraph import open_cache

        return open_cache(self.cache_dir, self.use_cache, diagnostics)
