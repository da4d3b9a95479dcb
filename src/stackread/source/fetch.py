"""Bring OpenStack releases and git repositories into the local cache.

A release is an sdist from a package index, and it is only ever unpacked, never
built: pip prepares an sdist's metadata by running its setup.py or build
backend, and stackread must never run the code it reads. So this module speaks
the simple repository API itself (PEP 691 JSON, falling back to PEP 503 HTML)
with urllib, and reads only pip's configuration files, to find the configured index.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html.parser
import json
import os
import pathlib
import re
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, BinaryIO

from packaging.version import InvalidVersion, Version

from stackread.source import gitsafe

from stackread.source import pipconfig
from stackread.source.cachedir import default_cache_dir  # noqa: F401 - part of fetch's API
from stackread.errors import FetchError

if TYPE_CHECKING:
    import git

__all__ = [
    "Distribution",
    "clone_repository",
    "default_cache_dir",
    "fetch_release",
    "fetch_source",
    "looks_like_git_url",
]

TIMEOUT = 60  # seconds, for every network call
SDIST_SUFFIXES = (".tar.gz", ".zip")  # in order of preference when a version has both
NEAREST_COUNT = 5
_CHUNK = 1 << 16
_ACCEPT = (
    "application/vnd.pypi.simple.v1+json, "
    "application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
)
_GIT_SCHEMES = ("http://", "https://", "ssh://", "git://", "file://")
_SCP_LIKE_GIT = re.compile(r"^[\w.-]+@[\w.-]+:(?!//)")  # git@host:org/repo.git

Report = Callable[[str], None]


@dataclasses.dataclass(frozen=True)
class Distribution:
    """One sdist file of a project, as the index lists it."""

    filename: str
    url: str
    version: Version
    sha256: str | None
    yanked: bool
    size: int | None = None


# -- where things go -------------------------------------------------------------


def looks_like_git_url(spec: str) -> bool:
    spec = spec.strip()
    return spec.lower().startswith(_GIT_SCHEMES) or bool(_SCP_LIKE_GIT.match(spec))


def fetch_source(spec: str, cache_dir: pathlib.Path | None = None, *, index_url: str | None = None,
                 report: Report | None = None) -> pathlib.Path:
    """`stackread get SPEC`: a git URL is cloned (or updated), anything else names a release whose
    sdist is unpacked; the directory it is in."""
    if looks_like_git_url(spec):
        return clone_repository(spec, cache_dir, report=report)
    return fetch_release(spec, cache_dir, index_url=index_url, report=report)


# -- releases --------------------------------------------------------------------


def fetch_release(
    spec: str,
    cache_dir: pathlib.Path | None = None,
    *,
    index_url: str | None = None,
    report: Report | None = None,
) -> pathlib.Path:
    report = report or _silent
    releases = (cache_dir or default_cache_dir()) / "releases"
    # A release named as `get` stores it (`nova-34.0.0`, `python-glanceclient-4.13.0`): that copy.
    if "==" not in spec and "/" not in spec and spec not in (".", "..") and (releases / spec).is_dir():
        report(f"using cached {spec}")
        return releases / spec
    project, wanted = parse_spec(spec)

    # A pinned release never changes on the index, so a cached copy is final.
    if wanted is not None and (cached := releases / f"{project}-{wanted}").is_dir():
        report(f"using cached {cached.name}")
        return cached

    index = resolve_index_url(index_url, report)
    report(f"looking up {project} on {index}")
    dist = choose_distribution(list_distributions(index, project), project, wanted)
    final = releases / f"{project}-{dist.version}"
    if final.is_dir():
        report(f"using cached {final.name}")
        return final
    if dist.yanked:
        report(f"note: {dist.filename} is yanked on the index")
    try:
        releases.mkdir(parents=True, exist_ok=True)
        return _download_and_unpack(dist, project, final, report)
    except OSError as exc:
        raise FetchError(f"cannot store {dist.filename} in {releases}: {exc}") from exc


def parse_spec(spec: str) -> tuple[str, Version | None]:
    """'nova==15.1.5' -> ('nova', Version('15.1.5')); 'nova' -> ('nova', None)."""
    name, sep, version = spec.partition("==")
    name = name.strip()
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", name):
        raise FetchError(f"cannot read release {spec!r}: expected NAME or NAME==VERSION")
    if not sep:
        return normalize_name(name), None
    try:
        return normalize_name(name), Version(version.strip())
    except InvalidVersion as exc:
        raise FetchError(f"cannot read release {spec!r}: {version.strip()!r} is not a version") from exc


def normalize_name(name: str) -> str:
    """PEP 503: runs of '-', '_', '.' are one '-', case does not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def resolve_index_url(index_url: str | None = None, report: Report | None = None) -> str:
    """The index pip would use: argument, $PIP_INDEX_URL, pip's config files, PyPI.

    pip is neither run nor imported: either would import a `pip` package from the current
    directory, and stackread runs nothing it finds lying around."""
    if index_url:
        return index_url
    return pipconfig.index_url(lambda line: (report or _silent)(f"warning: {line}"))


def sdist_version(filename: str, project: str) -> Version | None:
    """Version of an sdist of `project` named `filename`, None for anything else."""
    suffix = next((s for s in SDIST_SUFFIXES if filename.lower().endswith(s)), None)
    if suffix is None:
        return None
    parts = filename[: -len(suffix)].split("-")
    # Old sdists keep '-' inside the name (python-novaclient-1.0), so try every split.
    for cut in range(1, len(parts)):
        if normalize_name("-".join(parts[:cut])) == project:
            try:
                return Version("-".join(parts[cut:]))
            except InvalidVersion:
                return None
    return None


def list_distributions(index_url: str, project: str) -> list[Distribution]:
    """The sdists of `project` on the index; wheels and other files are left out."""
    page_url = index_url.rstrip("/") + f"/{project}/"
    body, content_type, base_url = _read_index_page(page_url, project)
    if "json" in content_type:
        files = _files_from_json(body, base_url, project)
    else:
        files = _files_from_html(body.decode(_charset(content_type), "replace"), base_url, project)
    return [dist for dist in files if dist is not None]


def _sdist(
    project: str, filename: str, url: str, sha256: str | None, yanked: bool, size: int | None = None
) -> Distribution | None:
    version = sdist_version(filename, project)
    return None if version is None else Distribution(filename, url, version, sha256, yanked, size)


def _read_index_page(page_url: str, project: str) -> tuple[bytes, str, str]:
    """Body, content type and the URL relative links resolve against."""
    url = _file_index_html(page_url)
    request = urllib.request.Request(url, headers={"Accept": _ACCEPT})
    unknown = f"unknown project {project!r}: the index has no {page_url}"
    failed = f"cannot reach the index for {project!r} ({page_url})"
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.read(), response.headers.get("Content-Type", ""), response.geturl()
    except urllib.error.HTTPError as exc:
        status = f"{failed}: HTTP {exc.code} {exc.reason}"
        raise FetchError(unknown if exc.code == 404 else status) from exc
    except urllib.error.URLError as exc:
        # urllib reports a missing file:// page this way; over http it is a 404.
        missing = isinstance(exc.reason, FileNotFoundError)
        raise FetchError(unknown if missing else f"{failed}: {exc.reason}") from exc
    except (TimeoutError, OSError) as exc:
        raise FetchError(f"{failed}: {exc}") from exc


def _file_index_html(url: str) -> str:
    """A file:// index is a tree of folders, and urllib cannot open a folder."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "file" and pathlib.Path(urllib.request.url2pathname(parts.path)).is_dir():
        return urllib.parse.urljoin(url.rstrip("/") + "/", "index.html")
    return url


def _charset(content_type: str) -> str:
    match = re.search(r"charset=([\w.-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else "utf-8"


def _files_from_json(body: bytes, base_url: str, project: str) -> list[Distribution | None]:
    try:
        return [
            _sdist(
                project,
                entry["filename"],
                urllib.parse.urljoin(base_url, entry["url"]),
                entry.get("hashes", {}).get("sha256"),
                # PEP 691: false, true, or a string giving the reason (even an empty one).
                entry.get("yanked") is True or isinstance(entry.get("yanked"), str),
                entry.get("size"),
            )
            for entry in json.loads(body)["files"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FetchError(f"the index page of {project!r} is not simple-API JSON: {exc!r}") from exc


class _AnchorParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.anchors.append(dict(attrs))


def _files_from_html(text: str, base_url: str, project: str) -> list[Distribution | None]:
    parser = _AnchorParser()
    parser.feed(text)
    parser.close()
    return [_html_sdist(anchor, base_url, project) for anchor in parser.anchors if anchor.get("href")]


def _html_sdist(anchor: dict[str, str | None], base_url: str, project: str) -> Distribution | None:
    url, fragment = urllib.parse.urldefrag(urllib.parse.urljoin(base_url, anchor["href"] or ""))
    hashes = urllib.parse.parse_qs(fragment)
    return _sdist(
        project,
        urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]),
        url,
        hashes["sha256"][0] if "sha256" in hashes else None,
        # PEP 503: the attribute's presence marks a yanked file, whatever its value.
        "data-yanked" in anchor,
    )


def choose_distribution(
    dists: list[Distribution], project: str, wanted: Version | None
) -> Distribution:
    if wanted is None:
        finals = [d for d in dists if not d.yanked and not d.version.is_prerelease]
        if not finals:
            raise FetchError(
                f"{project} has no final, non-yanked release with an sdist; "
                f"pin one of: {_listing(d.version for d in dists)}"
            )
        newest = max(d.version for d in finals)
        return _preferred([d for d in finals if d.version == newest])
    # An exact pin may select a yanked file (PEP 592), so yanked ones stay in.
    matching = [d for d in dists if d.version == wanted]
    if not matching:
        nearest = nearest_versions({d.version for d in dists}, wanted)
        raise FetchError(
            f"{project} has no sdist for version {wanted}; nearest available: {_listing(nearest)}"
        )
    return _preferred(matching)


def _preferred(same_version: list[Distribution]) -> Distribution:
    return min(same_version, key=lambda d: (d.yanked, _suffix_rank(d.filename)))


def _suffix_rank(filename: str) -> int:
    return next(i for i, s in enumerate(SDIST_SUFFIXES) if filename.lower().endswith(s))


def nearest_versions(
    available: Iterable[Version], wanted: Version, count: int = NEAREST_COUNT
) -> list[Version]:
    """The `count` versions around where `wanted` would sort, in order."""
    ordered = sorted(set(available))
    position = sum(v < wanted for v in ordered)
    start = max(0, min(position - count // 2, len(ordered) - count))
    return ordered[start : start + count]


def _listing(versions: Iterable[Version]) -> str:
    shown = ", ".join(str(v) for v in sorted(set(versions)))
    return shown or "(none)"


def _download_and_unpack(
    dist: Distribution, project: str, final: pathlib.Path, report: Report
) -> pathlib.Path:
    releases = final.parent
    archive = _download(dist, project, releases, report)
    try:
        report(f"unpacking {dist.filename}")
        # Unpack beside the final folder, under a name no lookup ever takes for a
        # release, so a crash leaves only a stray temp folder, never a half release.
        staging = pathlib.Path(tempfile.mkdtemp(prefix=".unpack-", dir=releases))
        try:
            _extract(archive, dist.filename, staging)
            if not _publish(_archive_root(staging), final):
                report(f"using {final.name} unpacked meanwhile by another stackread")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        archive.unlink(missing_ok=True)
    return final


def _download(dist: Distribution, project: str, folder: pathlib.Path, report: Report) -> pathlib.Path:
    """Download into a temp file in `folder` and check its sha256; the caller deletes it."""
    handle = tempfile.NamedTemporaryFile(prefix=".download-", dir=folder, delete=False)
    path = pathlib.Path(handle.name)
    try:
        with handle:
            digest = _stream(dist, project, handle, report)
        if dist.sha256 and digest != dist.sha256.lower():
            raise FetchError(
                f"sha256 mismatch for {dist.filename}: the index says {dist.sha256}, "
                f"the download is {digest}"
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if not dist.sha256:
        report(f"note: the index gives no sha256 for {dist.filename}; not verified")
    return path


def _stream(dist: Distribution, project: str, out: BinaryIO, report: Report) -> str:
    """Copy the file at dist.url into `out`; returns its sha256."""
    digest = hashlib.sha256()
    failed = f"cannot download {dist.filename} of {project!r}"
    try:
        with urllib.request.urlopen(dist.url, timeout=TIMEOUT) as response:
            size = dist.size or _int_or_none(response.headers.get("Content-Length"))
            report(f"downloading {dist.filename}" + (f" ({_human_size(size)})" if size else ""))
            while chunk := response.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{failed}: HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise FetchError(f"{failed}: {exc.reason}") from exc
    except (TimeoutError, OSError) as exc:
        raise FetchError(f"{failed}: {exc}") from exc
    return digest.hexdigest()


def _int_or_none(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.1f} kB"
    return f"{size} bytes"


def _extract(archive: pathlib.Path, filename: str, dest: pathlib.Path) -> None:
    if not hasattr(tarfile, "data_filter"):
        raise FetchError("unpacking safely needs Python 3.11.4 or newer (tarfile extraction filters)")
    try:
        if filename.lower().endswith(".zip"):
            _extract_zip(archive, filename, dest)
        else:
            _extract_tar(archive, filename, dest)
    except tarfile.FilterError as exc:  # a link or special file reaching outside
        raise FetchError(f"refusing to unpack {filename}: {exc}") from exc
    except (tarfile.TarError, zipfile.BadZipFile, EOFError) as exc:
        raise FetchError(f"cannot unpack {filename}: {exc}") from exc


def _extract_tar(archive: pathlib.Path, filename: str, dest: pathlib.Path) -> None:
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        # Checked before anything is written: the data filter alone would stop
        # at the first bad member, after writing the ones before it.
        for member in members:
            _check_member_name(member.name, filename)
        tar.extractall(dest, members=members, filter="data")


def _extract_zip(archive: pathlib.Path, filename: str, dest: pathlib.Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        for name in zf.namelist():
            _check_member_name(name, filename)
        zf.extractall(dest)


def _check_member_name(name: str, filename: str) -> None:
    # Both separators: a member made on Windows may use '\' and still climb out there.
    parts = re.split(r"[\\/]", name)
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        raise FetchError(f"refusing to unpack {filename}: unsafe member {name!r}")


def _archive_root(staging: pathlib.Path) -> pathlib.Path:
    """An sdist holds one folder, name-version/; its contents are the release."""
    entries = list(staging.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return staging


def _publish(ready: pathlib.Path, final: pathlib.Path) -> bool:
    """Move a complete folder into place; False if another process did first."""
    try:
        os.replace(ready, final)
    except OSError:
        # A rename never replaces a non-empty folder, so the winner's copy stays whole.
        if final.is_dir():
            return False
        raise
    return True


# -- git repositories ------------------------------------------------------------


def clone_repository(
    url: str,
    cache_dir: pathlib.Path | None = None,
    *,
    report: Report | None = None,
) -> pathlib.Path:
    report = report or _silent
    url = url.strip()
    # Imported here: GitPython refuses to import without a git executable, and
    # fetching releases must keep working on such a machine.
    try:
        import git
    except ImportError as exc:
        raise FetchError(f"cannot clone {url}: GitPython or git is not available ({exc})") from exc

    repos = (cache_dir or default_cache_dir()) / "repos"
    final = repos / repository_dir_name(url)
    try:
        if final.is_dir():
            _update(_opened(git.Repo(final)), url, report)
            return final
        repos.mkdir(parents=True, exist_ok=True)
        report(f"cloning {url}")
        staging = pathlib.Path(tempfile.mkdtemp(prefix=".clone-", dir=repos))
        try:
            # In the cache's own folder, with no hooks, fsmonitor or ext:: transport; '--' so
            # that a URL can never be read as an option.
            cloner = git.Git(str(repos))
            gitsafe.for_new_clone().apply(cloner)
            cloner.clone("--quiet", "--", url, str(staging))
            if not _publish(staging, final):
                report(f"using {final.name} cloned meanwhile by another stackread")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return final
    except git.exc.GitCommandError as exc:
        raise FetchError(f"cannot clone or update {url}: {_git_reason(exc.stderr) or exc}") from exc
    except git.exc.GitError as exc:
        raise FetchError(f"cannot use {final} for {url}: {type(exc).__name__} {exc}") from exc
    except OSError as exc:
        raise FetchError(f"cannot store {url} in {repos}: {exc}") from exc


def repository_dir_name(url: str) -> str:
    """A folder name that says which repository it is and cannot collide or escape."""
    tail = re.split(r"[/:]", url.rstrip("/"))[-1].removesuffix(".git")
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", tail).strip(".-") or "repository"
    return f"{readable}-{hashlib.sha256(url.encode()).hexdigest()[:10]}"


def _opened(repo: git.Repo) -> git.Repo:
    """The cached clone, run with none of the commands its own configuration may name."""
    safe = gitsafe.for_repository(["--git-dir", repo.git_dir])
    if safe is None:
        raise FetchError(f"cannot use {repo.working_dir}: git cannot read its configuration")
    safe.apply(repo.git)
    return repo


def _update(repo: git.Repo, url: str, report: Report) -> None:
    from git.exc import GitCommandError

    report(f"fetching updates for {url}")
    repo.remotes.origin.fetch()
    upstream = None if repo.head.is_detached else repo.active_branch.tracking_branch()
    if upstream is None:
        return
    # Only a fast-forward: anything else would throw away local work in the cache copy.
    try:
        repo.git.merge("--ff-only", upstream.name)
    except GitCommandError as exc:
        reason = _git_reason(exc.stderr)
        report(f"kept the local checkout: it cannot fast-forward to {upstream.name} ({reason})")


def _git_reason(text: str | None) -> str:
    """git's own reason from GitPython's `stderr: '...'`: its first fatal or error line, else the last."""
    body = (text or "").strip().removeprefix("stderr:").strip().removeprefix("'").removesuffix("'")
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    failures = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (failures or lines or [""])[0 if failures else -1]


def _silent(_line: str) -> None:
    pass
