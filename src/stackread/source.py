"""Where code comes from: a directory on disk, or a git revision read from the object store.

Everything downstream sees a tree of relative POSIX paths and their bytes, so a
revision is read without a checkout and analysis code never touches the filesystem.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
from dataclasses import dataclass, field
from typing import Iterator, Protocol

from stackread import gitsafe
from stackread.errors import UsageError

# Never the project's own source. Hidden directories (.git, .tox, .venv) are skipped too; a plain
# name such as `build` is not, because it may be a real package deep in the tree.
_SKIP_DIRS = frozenset({"__pycache__", "node_modules"})


def _skipped(name: str) -> bool:
    return name in _SKIP_DIRS or name.startswith(".") or name.endswith(".egg-info")


class SourceTree(Protocol):
    label: str  # the path, as shown to users
    revision: str | None

    def read_bytes(self, path: str) -> bytes | None: ...

    def is_file(self, path: str) -> bool: ...

    def is_dir(self, path: str) -> bool: ...

    def list_dir(self, path: str) -> list[str]: ...

    def walk_files(self, top: str = "", suffix: str = "", skip_dirs: frozenset[str] = frozenset()) -> Iterator[str]: ...


def _norm(path: str) -> str:
    return path.strip("/").replace("\\", "/")


@dataclass
class DirectoryTree:
    root: pathlib.Path
    label: str = ""
    revision: str | None = None

    def __post_init__(self) -> None:
        self.label = self.label or str(self.root)

    def _abs(self, path: str) -> pathlib.Path:
        return self.root / _norm(path) if _norm(path) else self.root

    def read_bytes(self, path: str) -> bytes | None:
        try:
            return self._abs(path).read_bytes()
        except OSError:
            return None

    def is_file(self, path: str) -> bool:
        return self._abs(path).is_file()

    def is_dir(self, path: str) -> bool:
        return self._abs(path).is_dir()

    def list_dir(self, path: str) -> list[str]:
        try:
            return sorted(os.listdir(self._abs(path)))
        except OSError:
            return []

    def walk_files(self, top: str = "", suffix: str = "", skip_dirs: frozenset[str] = frozenset()) -> Iterator[str]:
        base = self._abs(top)
        # followlinks=False: a symlink loop in the analysed tree must not hang us.
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not _skipped(d) and d not in skip_dirs)
            rel = pathlib.Path(dirpath).relative_to(self.root).as_posix()
            for name in sorted(filenames):
                if name.endswith(suffix):
                    yield name if rel == "." else f"{rel}/{name}"


@dataclass
class GitRevisionTree:
    """A commit of a git repository, read through `git ls-tree` and the object database."""

    repo_path: pathlib.Path
    rev: str
    label: str = ""
    revision: str | None = None
    _blobs: dict[str, str] = field(default_factory=dict, repr=False)
    _dirs: set[str] = field(default_factory=set, repr=False)
    _repo: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        import git  # GitPython costs ~0.07 s to import; only --rev needs it

        try:
            repo = git.Repo(self.repo_path)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise UsageError(f"{self.repo_path}: not a git repository (needed for --rev {self.rev})") from None
        safe = gitsafe.for_repository(["--git-dir", repo.git_dir])
        if safe is None:
            raise UsageError(f"{self.repo_path}: git cannot read its configuration (needed for --rev {self.rev})")
        # A bare mirror without a config file looks non-bare to GitPython, which then runs git in
        # the parent directory; naming the git dir on every command works for all layouts.
        safe.apply(repo.git, git_dir=repo.git_dir)
        try:
            commit = repo.commit(self.rev)
        except (git.BadName, ValueError, git.GitCommandError, BrokenPipeError):
            raise UsageError(f"{self.repo_path}: unknown revision {self.rev!r}") from None
        self._repo = repo
        listing = repo.git.ls_tree("-r", "-z", "--full-tree", commit.hexsha)
        for entry in listing.split("\0"):
            if not entry:
                continue
            meta, path = entry.split("\t", 1)
            _mode, kind, sha = meta.split()
            if kind == "blob":
                self._blobs[path] = sha
                parts = path.split("/")[:-1]
                for i in range(len(parts)):
                    self._dirs.add("/".join(parts[: i + 1]))
        self.label = str(self.repo_path)  # the revision is shown from `revision`
        self.revision = f"{self.rev} ({commit.hexsha[:12]})" if self.rev != commit.hexsha else commit.hexsha

    def read_bytes(self, path: str) -> bytes | None:
        sha = self._blobs.get(_norm(path))
        if sha is None:
            return None
        return self._repo.odb.stream(bytes.fromhex(sha)).read()

    def is_file(self, path: str) -> bool:
        return _norm(path) in self._blobs

    def is_dir(self, path: str) -> bool:
        return _norm(path) == "" or _norm(path) in self._dirs

    def list_dir(self, path: str) -> list[str]:
        prefix = _norm(path)
        prefix = f"{prefix}/" if prefix else ""
        names = {p[len(prefix):].split("/", 1)[0] for p in self._blobs if p.startswith(prefix)}
        return sorted(names)

    def walk_files(self, top: str = "", suffix: str = "", skip_dirs: frozenset[str] = frozenset()) -> Iterator[str]:
        prefix = _norm(top)
        prefix = f"{prefix}/" if prefix else ""
        for path in sorted(self._blobs):
            if path.startswith(prefix) and path.endswith(suffix):
                if not any(_skipped(part) or part in skip_dirs for part in path.split("/")[:-1]):
                    yield path


def open_tree(path: str | os.PathLike, rev: str | None = None) -> SourceTree:
    """The tree at PATH (a directory), or at revision REV of the git repository at PATH."""
    root = pathlib.Path(path).expanduser()
    if not root.exists():
        raise UsageError(f"{root}: no such directory")
    if not root.is_dir():
        raise UsageError(f"{root}: not a directory")
    if rev is not None:
        return GitRevisionTree(root.resolve(), rev)
    return DirectoryTree(root.resolve(), label=str(root), revision=_describe_checkout(root))


def _describe_checkout(root: pathlib.Path) -> str | None:
    """`git describe` of a checkout, without importing GitPython on the common path.

    Not `--dirty`: that refreshes the index, which runs the checkout's fsmonitor, filters and
    index hooks, looks into submodules with their own configuration, and rewrites the index of
    a tree stackread only reads. The tags and HEAD are in the object store and need none of it."""
    if not (root / ".git").exists():
        return None
    safe = gitsafe.for_directory(root)
    if safe is None:
        return None
    try:
        out = safe.run("-C", str(root), "describe", "--tags", "--always", timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None
