"""Where code comes from: a directory on disk, or a git revision read from the object store.

Everything downstream sees a tree of relative POSIX paths and their bytes, so a
revision is read without a checkout and analysis code never touches the filesystem.

Only regular files whose real path lies inside the tree are read: a FIFO named `x.py` would
block the first read forever, a device may do anything on open, and a link to `/etc/passwd`
is not the project's code. What a tree refuses to read it records, with why, in `refused`,
and the command that read it reports each one as a warning (`report_refused`).
"""

from __future__ import annotations

import os
import pathlib
import posixpath
import stat
from dataclasses import dataclass, field
from typing import Iterator, Protocol

from stackread.errors import UsageError

# Never the project's own source. Hidden directories (.git, .tox, .venv) are skipped too; a plain
# name such as `build` is not, because it may be a real package deep in the tree.
_SKIP_DIRS = frozenset({"__pycache__", "node_modules"})


def _skipped(name: str) -> bool:
    return name in _SKIP_DIRS or name.startswith(".") or name.endswith(".egg-info")


class SourceTree(Protocol):
    label: str  # the path, as shown to users
    revision: str | None
    refused: dict[str, str]  # entries not read (a FIFO, a link out of the tree), each with why

    def read_bytes(self, path: str) -> bytes | None: ...

    def is_file(self, path: str) -> bool: ...

    def is_dir(self, path: str) -> bool: ...

    def list_dir(self, path: str) -> list[str]: ...

    def walk_files(self, top: str = "", suffix: str = "", skip_dirs: frozenset[str] = frozenset()) -> Iterator[str]: ...


def _norm(path: str) -> str:
    return path.strip("/").replace("\\", "/")


class NotReadable(Exception):
    """A tree entry stackread does not read; the message says why ("not a regular file (a FIFO)")."""


_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def read_regular(root: pathlib.Path, path: str, real_dirs: dict[str, str] | None = None) -> bytes:
    """The bytes of the regular file at `path` under `root` (a resolved directory), whose real path
    lies inside `root`; raises NotReadable otherwise, and for any error reading it. `real_dirs`
    keeps the real path of each directory read from, so a tree resolves each directory once.

    The file is looked at before it is opened, so a device is never opened, and opened without
    blocking and looked at again through the open descriptor, so a FIFO swapped in between can
    still not block the read."""
    parent, _, name = path.rpartition("/")
    real_dir = real_dirs.get(parent) if real_dirs is not None else None
    if real_dir is None:
        real_dir = os.path.realpath(os.path.join(root, parent))
        if real_dirs is not None:
            real_dirs[parent] = real_dir
    real = os.path.join(real_dir, name)
    try:
        info = os.lstat(real)
        if stat.S_ISLNK(info.st_mode):
            real = os.path.realpath(real)
            info = os.stat(real)
    except OSError as exc:
        raise NotReadable(f"cannot read: {exc.strerror}") from None
    if not _inside(real, str(root)):
        raise NotReadable("a link to outside the tree")
    if not stat.S_ISREG(info.st_mode):
        raise NotReadable(f"not a regular file ({_kind(info.st_mode)})")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(real, flags | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise NotReadable(f"cannot read: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotReadable(f"not a regular file ({_kind(mode)})")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise NotReadable(f"cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)


def shown_path(path: str) -> str:
    """A path as text anyone can print and store: an undecodable byte of a file name (held as a
    surrogate by `os.fsdecode`) is written `\\xff`."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _decodable(name: str) -> bool:
    """A name that is valid UTF-8. A file name with other bytes cannot be a Python module (no import
    statement can spell it), and as text it breaks every encoder downstream: such files are skipped."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def report_refused(tree: "SourceTree", diagnostics) -> None:
    """A warning for each entry the tree would not read: `nova/x.py: not a regular file (a FIFO); skipped`."""
    for path, reason in getattr(tree, "refused", {}).items():
        diagnostics.warning(path, None, f"{reason}; skipped")


@dataclass
class DirectoryTree:
    """A directory on disk. `walk_files` names every file entry; `read_bytes` and `is_file` take only
    regular files inside the tree, recording in `refused` what they would not read, and why."""

    root: pathlib.Path  # resolved
    label: str = ""
    revision: str | None = None
    refused: dict[str, str] = field(default_factory=dict, repr=False)  # path -> why it was not read
    _real_dirs: dict[str, str] = field(default_factory=dict, repr=False)  # for read_regular

    def __post_init__(self) -> None:
        self.label = self.label or str(self.root)
        self._root_text = str(self.root)

    def _abs(self, path: str) -> pathlib.Path:
        return self.root / _norm(path) if _norm(path) else self.root

    def _refuse(self, path: str, reason: str) -> None:
        self.refused.setdefault(shown_path(_norm(path)), reason)

    def read_bytes(self, path: str) -> bytes | None:
        try:
            return read_regular(self.root, _norm(path), self._real_dirs)
        except NotReadable as exc:
            if os.path.lexists(self._abs(path)):  # a file that is not there is no news
                self._refuse(path, str(exc))
            return None

    def content_key(self, path: str) -> str | None:
        from stackread.source.content import remembered_key

        # Asked of every file by every command: a string join, not a pathlib.Path each time.
        norm = _norm(path)
        full = os.path.join(self._root_text, norm) if norm else self._root_text
        return remembered_key(full, lambda: self.read_bytes(path))

    def is_file(self, path: str) -> bool:
        full = self._abs(path)
        try:
            mode = os.stat(full).st_mode
        except OSError:
            return False
        if stat.S_ISDIR(mode):
            return False
        if not _inside(os.path.realpath(full), str(self.root)):
            self._refuse(path, "a link to outside the tree")
            return False
        if not stat.S_ISREG(mode):
            self._refuse(path, f"not a regular file ({_kind(mode)})")
            return False
        return True

    def is_dir(self, path: str) -> bool:
        full = self._abs(path)
        if not full.is_dir():
            return False
        if not _inside(os.path.realpath(full), str(self.root)):
            self._refuse(path, "a link to a directory outside the tree")
            return False
        return True

    def list_dir(self, path: str) -> list[str]:
        if not self.is_dir(path):
            return []
        try:
            names = sorted(os.listdir(self._abs(path)))
        except OSError:
            return []
        prefix = f"{_norm(path)}/" if _norm(path) else ""
        for name in names:
            if not _decodable(name):
                self._refuse(prefix + name, "the name is not valid UTF-8")
        return [name for name in names if _decodable(name)]

    def walk_files(self, top: str = "", suffix: str = "", skip_dirs: frozenset[str] = frozenset()) -> Iterator[str]:
        if not self.is_dir(top):
            return
        # A symlink loop in the analysed tree must not hang us: a link to a directory is not
        # walked (inside the tree, its files are found where they really are). os.scandir, as
        # os.walk does, but its entries say which are links without another stat each.
        yield from self._walk(str(self._abs(top)), f"{_norm(top)}/" if _norm(top) else "", suffix, skip_dirs)

    def _walk(self, directory: str, prefix: str, suffix: str, skip_dirs: frozenset[str]) -> Iterator[str]:
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            return
        dirs = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            name = entry.name
            if not is_dir:
                if name.endswith(suffix):
                    if _decodable(name):
                        yield prefix + name
                    else:
                        self._refuse(prefix + name, "the name is not valid UTF-8")
            elif _skipped(name) or name in skip_dirs:
                continue
            elif not _decodable(name):
                self._refuse(prefix + name, "the name is not valid UTF-8")
            elif entry.is_symlink():
                self.is_dir(prefix + name)  # records a link to outside the tree
            else:
                dirs.append(entry)
        for entry in dirs:
            yield from self._walk(entry.path, f"{prefix}{entry.name}/", suffix, skip_dirs)


@dataclass
class GitRevisionTree:
    """A commit of a git repository, read through `git ls-tree` and the object database."""

    repo_path: pathlib.Path
    rev: str
    label: str = ""
    revision: str | None = None
    refused: dict[str, str] = field(default_factory=dict, repr=False)  # path -> why it is not read
    _blobs: dict[str, str] = field(default_factory=dict, repr=False)
    _dirs: set[str] = field(default_factory=set, repr=False)
    _repo: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        import git  # GitPython costs ~0.07 s to import; only --rev needs it

        from stackread.source import gitsafe

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
        links: dict[str, str] = {}
        for entry in listing.split("\0"):
            if not entry:
                continue
            meta, path = entry.split("\t", 1)
            mode, kind, sha = meta.split()
            if kind != "blob":
                continue
            if not _decodable(path):
                self.refused[shown_path(path)] = "the name is not valid UTF-8"
                continue
            if mode == "120000":  # a symbolic link: its blob is the target's name, not the file
                links[path] = sha
                continue
            self._blobs[path] = sha
            parts = path.split("/")[:-1]
            for i in range(len(parts)):
                self._dirs.add("/".join(parts[: i + 1]))
        self._follow_links(links)
        self.label = str(self.repo_path)  # the revision is shown from `revision`
        self.revision = f"{self.rev} ({commit.hexsha[:12]})" if self.rev != commit.hexsha else commit.hexsha

    def _follow_links(self, links: dict[str, str]) -> None:
        """A link to a file of the same revision reads as that file; any other is refused."""
        targets = {path: self._repo.odb.stream(bytes.fromhex(sha)).read().decode("utf-8", "surrogateescape")
                   for path, sha in links.items()}
        for path, target in targets.items():
            where = path
            for _ in range(40):  # a chain of links, as the kernel follows them (and no further)
                where = posixpath.normpath(posixpath.join(posixpath.dirname(where), target))
                if where not in targets:
                    break
                target = targets[where]
            if where.startswith("/") or where == ".." or where.startswith("../"):
                self.refused[shown_path(path)] = "a link to outside the tree"
            elif where in self._blobs:
                self._blobs[path] = self._blobs[where]
            # else: a link to a directory or to nothing, which a revision's listing never walks into

    def content_key(self, path: str) -> str | None:
        return self._blobs.get(_norm(path))  # git's blob id is the content key

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
    import subprocess  # only a checkout needs them: an answer read back from the cache does not

    from stackread.source import gitsafe

    safe = gitsafe.for_directory(root)
    if safe is None:
        return None
    try:
        out = safe.run("-C", str(root), "describe", "--tags", "--always", timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None
