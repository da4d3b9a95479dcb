"""fetch: releases from a local package index, repositories from a local git repo.

Everything here is offline: the index is either HTML files under a file:// URL
or a JSON index served by http.server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import pathlib
import socket
import subprocess
import sys
import tarfile
import threading
import zipfile

import git
import pytest

import stackread
from stackread.errors import FetchError
from stackread.source.fetch import (
    clone_repository,
    default_cache_dir,
    fetch_release,
    looks_like_git_url,
    resolve_index_url,
)

DEMO_VERSIONS = ["1.0", "1.5", "1.9", "2.0rc1"]
YANKED = {"1.9"}


def sdist_bytes(top: str, members: dict[str, str] | None = None) -> bytes:
    """A .tar.gz holding `top`/setup.cfg and `top`/demo/__init__.py (or `members`)."""
    if members is None:
        version = top.rsplit("-", 1)[1]
        members = {
            f"{top}/setup.cfg": f"[metadata]\nname = demo\nversion = {version}\n",
            f"{top}/demo/__init__.py": "",
        }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def zip_bytes(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def write_files(folder: pathlib.Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def demo_files() -> dict[str, bytes]:
    files = {f"demo-{v}.tar.gz": sdist_bytes(f"demo-{v}") for v in DEMO_VERSIONS}
    # A newer version with only a wheel: never picked, and pinning it says why.
    files["demo-3.0-py3-none-any.whl"] = b"not an sdist"
    return files


def html_index(root: pathlib.Path, project: str, files: dict[str, bytes],
               yanked: set[str] = frozenset(), sha256: dict[str, str] | None = None) -> str:
    """PEP 503 pages under `root`/index, files under `root`/files; returns the index URL."""
    write_files(root / "files", files)
    anchors = []
    for name, data in files.items():
        digest = (sha256 or {}).get(name, hashlib.sha256(data).hexdigest())
        flag = ' data-yanked=""' if name in yanked else ""
        anchors.append(f'<a href="../../files/{name}#sha256={digest}"{flag}>{name}</a>')
    page = root / "index" / project
    page.mkdir(parents=True)
    (page / "index.html").write_text(
        "<!DOCTYPE html><html><body>\n" + "<br/>\n".join(anchors) + "\n</body></html>\n"
    )
    return (root / "index").as_uri()


class JsonIndex:
    """A PEP 691 index on 127.0.0.1 that records the paths it was asked for."""

    def __init__(self, project: str, files: dict[str, bytes], yanked: set[str]) -> None:
        self.requests: list[str] = []
        page = {
            "meta": {"api-version": "1.1"},
            "name": project,
            "files": [
                {
                    "filename": name,
                    "url": f"/files/{name}",
                    "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
                    "yanked": "broken build" if any(f"-{v}." in name for v in yanked) else False,
                    "size": len(data),
                }
                for name, data in files.items()
            ],
        }
        json_type = "application/vnd.pypi.simple.v1+json"
        routes = {f"/simple/{project}/": (json.dumps(page).encode(), json_type)}
        routes.update({f"/files/{n}": (d, "application/octet-stream") for n, d in files.items()})
        index = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                index.requests.append(self.path)
                if self.path not in routes:
                    self.send_error(404)
                    return
                body, content_type = routes[self.path]
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/simple/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()


@pytest.fixture
def html_demo(tmp_path: pathlib.Path) -> str:
    yanked = {f"demo-{v}.tar.gz" for v in YANKED}
    return html_index(tmp_path / "html", "demo", demo_files(), yanked=yanked)


@pytest.fixture
def json_demo():
    index = JsonIndex("demo", demo_files(), YANKED)
    yield index
    index.stop()


@pytest.fixture
def cache(tmp_path: pathlib.Path) -> pathlib.Path:
    return tmp_path / "cache"


def leftovers(cache: pathlib.Path) -> list[str]:
    """Temporary downloads or unpack folders left in the releases folder."""
    return sorted(p.name for p in (cache / "releases").glob(".*"))


# -- releases -------------------------------------------------------------------


def test_pinned_release_unpacks_the_sdist_folder_as_the_root(html_demo, cache):
    lines: list[str] = []
    root = fetch_release("demo==1.0", cache, index_url=html_demo, report=lines.append)

    assert root == cache / "releases" / "demo-1.0"
    assert "version = 1.0" in (root / "setup.cfg").read_text()
    assert (root / "demo" / "__init__.py").is_file()
    assert any(line.startswith("downloading demo-1.0.tar.gz (") for line in lines)
    assert leftovers(cache) == []


@pytest.mark.parametrize("index", ["html_demo", "json_demo"])
def test_unpinned_picks_newest_final_release_not_rc_not_yanked(index, cache, request):
    index_url = request.getfixturevalue(index)
    index_url = getattr(index_url, "url", index_url)

    root = fetch_release("demo", cache, index_url=index_url)

    assert root.name == "demo-1.5"
    assert "version = 1.5" in (root / "setup.cfg").read_text()


def test_json_index_serves_pinned_release_then_cache_needs_no_network(json_demo, cache):
    first = fetch_release("demo==1.0", cache, index_url=json_demo.url)
    assert "/files/demo-1.0.tar.gz" in json_demo.requests
    json_demo.stop()

    lines: list[str] = []
    again = fetch_release("demo==1.0", cache, index_url=json_demo.url, report=lines.append)

    assert again == first
    assert (again / "setup.cfg").is_file()
    assert lines == ["using cached demo-1.0"]


def test_pinning_a_prerelease_or_a_yanked_version_is_allowed(html_demo, cache):
    lines: list[str] = []
    assert fetch_release("demo==2.0rc1", cache, index_url=html_demo).name == "demo-2.0rc1"
    assert fetch_release("demo==1.9", cache, index_url=html_demo, report=lines.append).name == "demo-1.9"
    assert any("yanked" in line for line in lines)


def test_project_name_is_normalized_in_the_spec_and_the_file_names(tmp_path, cache):
    files = {"Demo_Pkg-1.0.tar.gz": sdist_bytes("Demo_Pkg-1.0")}
    index_url = html_index(tmp_path / "html", "demo-pkg", files)

    root = fetch_release("Demo.Pkg==1.0", cache, index_url=index_url)

    assert root == cache / "releases" / "demo-pkg-1.0"
    assert (root / "setup.cfg").is_file()


def test_index_url_comes_from_pip_index_url_when_not_given(html_demo, cache, monkeypatch):
    monkeypatch.setenv("PIP_INDEX_URL", html_demo)

    assert fetch_release("demo==1.5", cache).name == "demo-1.5"


@pytest.fixture
def planted_pip(tmp_path):
    """A directory holding a `pip` package that leaves a canary file when anything imports it."""
    folder = tmp_path / "planted"
    canary = tmp_path / "canary"
    (folder / "pip").mkdir(parents=True)
    (folder / "pip" / "__init__.py").write_text(f"open({str(canary)!r}, 'a').write('ran\\n')\n")
    (folder / "pip" / "__main__.py").write_text("print('https://planted.example/simple')\n")
    return folder, canary


def test_the_index_is_found_without_importing_pip_from_the_current_directory(
        planted_pip, html_demo, tmp_path, monkeypatch):
    folder, canary = planted_pip
    monkeypatch.chdir(folder)
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nindex-url = {html_demo}\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))

    assert resolve_index_url() == html_demo
    assert not canary.exists()


def test_stackread_get_run_from_a_directory_holding_pip_never_runs_it(planted_pip, html_demo, tmp_path):
    folder, canary = planted_pip
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nindex-url = {html_demo}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    # The source under test, by absolute path: a relative PYTHONPATH would mean the planted folder.
    env.update(PIP_CONFIG_FILE=str(config), PYTHONPATH=str(pathlib.Path(stackread.__file__).parents[1]))

    done = subprocess.run([sys.executable, "-m", "stackread", "get", "demo==1.5", "--cache-dir",
                           str(tmp_path / "cache")], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=120)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "cache" / "releases" / "demo-1.5")
    assert f"looking up demo on {html_demo}" in done.stderr
    assert not canary.exists()


def test_wrong_hash_is_refused_and_nothing_is_kept(tmp_path, cache):
    index_url = html_index(tmp_path / "html", "demo", {"demo-1.0.tar.gz": sdist_bytes("demo-1.0")},
                           sha256={"demo-1.0.tar.gz": "0" * 64})

    with pytest.raises(FetchError, match="sha256 mismatch for demo-1.0.tar.gz"):
        fetch_release("demo==1.0", cache, index_url=index_url)

    assert not (cache / "releases" / "demo-1.0").exists()
    assert leftovers(cache) == []


def test_unknown_version_lists_the_available_ones(html_demo, cache):
    with pytest.raises(FetchError) as caught:
        fetch_release("demo==1.3", cache, index_url=html_demo)

    message = str(caught.value)
    assert "no sdist for version 1.3" in message
    assert "1.0, 1.5, 1.9, 2.0rc1" in message
    assert "\n" not in message


def test_unknown_version_lists_only_the_five_nearest(tmp_path, cache):
    versions = [f"1.{minor}" for minor in range(10)]
    files = {f"demo-{v}.tar.gz": sdist_bytes(f"demo-{v}") for v in versions}
    index_url = html_index(tmp_path / "html", "demo", files)

    with pytest.raises(FetchError) as caught:
        fetch_release("demo==1.4.5", cache, index_url=index_url)

    assert str(caught.value).endswith("nearest available: 1.3, 1.4, 1.5, 1.6, 1.7")


def test_version_with_only_a_wheel_has_no_sdist(html_demo, cache):
    with pytest.raises(FetchError, match="no sdist for version 3.0"):
        fetch_release("demo==3.0", cache, index_url=html_demo)


@pytest.mark.parametrize("index", ["html_demo", "json_demo"])
def test_unknown_project_is_a_fetch_error(index, cache, request):
    index_url = request.getfixturevalue(index)
    index_url = getattr(index_url, "url", index_url)

    with pytest.raises(FetchError, match="unknown project 'nosuch'"):
        fetch_release("nosuch", cache, index_url=index_url)


def test_unreachable_index_names_the_project(cache):
    with socket.socket() as sock:  # a port that was free a moment ago refuses connections
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    with pytest.raises(FetchError, match="cannot reach the index for 'demo'"):
        fetch_release("demo", cache, index_url=f"http://127.0.0.1:{port}/simple/")


@pytest.mark.parametrize("spec", ["demo>=1.0", "demo==not a version", ""])
def test_unreadable_spec_is_a_fetch_error(spec, cache):
    with pytest.raises(FetchError, match="cannot read release"):
        fetch_release(spec, cache, index_url="file:///nonexistent")


@pytest.mark.parametrize(
    "filename, archive",
    [
        ("demo-1.0.tar.gz", sdist_bytes("demo-1.0", {"demo-1.0/setup.cfg": "", "../evil": "pwned"})),
        ("demo-1.0.zip", zip_bytes({"demo-1.0/setup.cfg": "", "../evil": "pwned"})),
        ("demo-1.0.tar.gz", sdist_bytes("demo-1.0", {"/tmp/evil": "pwned"})),
    ],
)
def test_archive_member_outside_the_folder_is_refused(tmp_path, cache, filename, archive):
    index_url = html_index(tmp_path / "html", "demo", {filename: archive})

    with pytest.raises(FetchError, match="unsafe member"):
        fetch_release("demo==1.0", cache, index_url=index_url)

    assert [p for p in tmp_path.rglob("evil")] == []
    assert not (cache / "releases" / "demo-1.0").exists()
    assert leftovers(cache) == []


def test_archive_link_pointing_outside_is_refused(tmp_path, cache):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        cfg = tarfile.TarInfo("demo-1.0/setup.cfg")
        tar.addfile(cfg, io.BytesIO(b""))
        link = tarfile.TarInfo("demo-1.0/evil")
        link.type = tarfile.SYMTYPE
        link.linkname = str(tmp_path / "outside")
        tar.addfile(link)
    index_url = html_index(tmp_path / "html", "demo", {"demo-1.0.tar.gz": buffer.getvalue()})

    with pytest.raises(FetchError, match="refusing to unpack demo-1.0.tar.gz"):
        fetch_release("demo==1.0", cache, index_url=index_url)

    assert not (cache / "releases" / "demo-1.0").exists()
    assert leftovers(cache) == []


def test_another_process_finishing_first_wins_and_ours_is_discarded(html_demo, cache):
    winner = cache / "releases" / "demo-1.0"

    def report(line: str) -> None:
        # While we unpack, a concurrent stackread publishes its own complete copy.
        if line.startswith("unpacking"):
            winner.mkdir(parents=True)
            (winner / "setup.cfg").write_text("from the other process")

    root = fetch_release("demo==1.0", cache, index_url=html_demo, report=report)

    assert root == winner
    assert (root / "setup.cfg").read_text() == "from the other process"
    assert not (root / "demo").exists()
    assert leftovers(cache) == []


# -- repositories ---------------------------------------------------------------


def commit(repo: git.Repo, name: str, text: str) -> None:
    (pathlib.Path(repo.working_tree_dir) / name).write_text(text)
    repo.index.add([name])
    actor = git.Actor("Test", "test@example.invalid")
    repo.index.commit(f"add {name}", author=actor, committer=actor)


def test_clone_repository_clones_then_fetches_updates(tmp_path, cache):
    origin = git.Repo.init(tmp_path / "origin")
    commit(origin, "setup.cfg", "[metadata]\nname = demo\n")
    url = (tmp_path / "origin").as_uri()

    lines: list[str] = []
    clone = clone_repository(url, cache, report=lines.append)

    assert clone.parent == cache / "repos"
    assert (clone / "setup.cfg").read_text() == "[metadata]\nname = demo\n"
    assert lines == [f"cloning {url}"]

    commit(origin, "later.py", "x = 1\n")
    lines.clear()
    again = clone_repository(url, cache, report=lines.append)

    assert again == clone
    assert lines == [f"fetching updates for {url}"]
    assert (clone / "later.py").read_text() == "x = 1\n"
    assert sorted(p.name for p in (cache / "repos").iterdir()) == [clone.name]


def test_clone_of_a_missing_repository_is_a_fetch_error(tmp_path, cache):
    url = (tmp_path / "nothing-here").as_uri()

    # git's own reason, on one line, not GitPython's command line and quoting around it.
    with pytest.raises(FetchError, match=r"cannot clone or update .*: fatal: .*does not appear to be a git repository$"):
        clone_repository(url, cache)

    assert list((cache / "repos").iterdir()) == []


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("https://opendev.org/openstack/nova", True),
        ("git@example.com:openstack/nova.git", True),
        ("file:///srv/git/nova", True),
        ("ssh://git@example.com/openstack/nova", True),
        ("nova", False),
        ("nova==15.1.5", False),
        ("python-novaclient", False),
    ],
)
def test_looks_like_git_url(spec, expected):
    assert looks_like_git_url(spec) is expected


# -- cache location -------------------------------------------------------------


def test_default_cache_dir_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("STACKREAD_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "stackread"

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "stackread"

    monkeypatch.setenv("STACKREAD_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
