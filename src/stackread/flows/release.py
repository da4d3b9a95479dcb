"""What a tree says it is: the project and version its packaging metadata names, and whether it is
a published release (an sdist, PKG-INFO beside the code), whose code is that of a tagged release.

Drawings link to the source at the release's tag and diff titles name `nova 15.1.5 -> 34.0.0` from
this; the gallery titles its pages with it. One mechanism for all, so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stackread.flows.reading import Reading


@dataclass(frozen=True)
class Release:
    """What the tree says it is: from its packaging metadata (PKG-INFO in an sdist)."""

    project: str | None
    version: str | None
    source: str  # the directory read
    published: bool  # an sdist (PKG-INFO beside the code): the code of a tagged release

    @property
    def known(self) -> bool:
        """A published release with a name and a version: something a reader can look up."""
        return bool(self.published and self.project and self.version)


def release_of(reading: Reading) -> Release:
    """The release the tree read is, from its metadata (read without running anything)."""
    metadata = reading.project.metadata
    prefix = f"{metadata.metadata_dir}/" if metadata.metadata_dir else ""
    return Release(metadata.name, metadata.version, str(reading.path),
                   reading.project.tree.read_bytes(prefix + "PKG-INFO") is not None)
