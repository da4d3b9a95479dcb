"""Only regular files inside the tree are read: FIFOs, links out of the tree and undecodable names
are skipped with a warning naming them, and every command still answers (issue 12).

Each command runs in a subprocess with a timeout, so a regression (a read that blocks on a FIFO)
fails the test instead of hanging the suite.
"""

import json
import os
import stat
import subprocess
import sys

import pytest

from conftest import write_tree
from test_flowdiff import MINI

from stackread.source.trees import DirectoryTree, open_tree

PYPROJECT = """
[project]
name = "nova"
[project.scripts]
nova-api = "nova.cmd.api:main"
nova-compute = "nova.cmd.compute:main"
nova-conductor = "nova.cmd.conductor:main"
"""

COMMANDS = {
    "entrypoints": ["entrypoints", "{root}"],
    "callgraph": ["callgraph", "{root}", "--json"],
    "rpc": ["rpc", "{root}"],
    "routes": ["routes", "{root}"],
    "trace": ["trace", "create_server", "-C", "{root}"],
    "graph": ["graph", "ComputeTaskAPI.build_instances", "-C", "{root}"],
    "breakpoints": ["breakpoints", "create_server", "-C", "{root}"],
}


def run(command: str, root, cache) -> subprocess.CompletedProcess:
    args = [a.replace("{root}", str(root)) for a in COMMANDS[command]]
    return subprocess.run([sys.executable, "-m", "stackread", *args], capture_output=True, timeout=120,
                          env={**os.environ, "STACKREAD_CACHE_DIR": str(cache)})


def decoded(result: subprocess.CompletedProcess) -> tuple[str, str]:
    return result.stdout.decode("utf-8"), result.stderr.decode("utf-8")


@pytest.mark.parametrize("command", ["entrypoints", "callgraph", "rpc", "routes", "trace"])
def test_a_fifo_named_like_a_module_is_skipped_with_a_warning(tmp_path, command):
    root = write_tree(tmp_path / "nova", MINI)
    os.mkfifo(root / "nova" / "x.py")
    os.mkfifo(root / "nova" / "compute" / "y.py")
    result = run(command, root, tmp_path / "cache")
    out, err = decoded(result)
    assert result.returncode == 0, err
    assert "warning: nova/x.py: not a regular file (a FIFO); skipped" in err
    assert "warning: nova/compute/y.py: not a regular file (a FIFO); skipped" in err
    if command == "trace":
        assert "nova-conductor =cast=> nova-compute  build_and_run_instance" in out


@pytest.mark.parametrize("command", ["entrypoints", "rpc", "routes", "trace"])  # callgraph reads no metadata
def test_a_fifo_named_setup_cfg_is_skipped_with_a_warning(tmp_path, command):
    root = write_tree(tmp_path / "nova", {**{k: v for k, v in MINI.items() if k != "setup.cfg"},
                                          "pyproject.toml": PYPROJECT})
    os.mkfifo(root / "setup.cfg")
    result = run(command, root, tmp_path / "cache")
    out, err = decoded(result)
    assert result.returncode == 0, err
    assert "setup.cfg: not a regular file (a FIFO); skipped" in err
    if command == "entrypoints":
        assert "nova-conductor" in out


def test_a_fifo_as_the_only_metadata_says_why_there_is_none(tmp_path):
    root = write_tree(tmp_path / "nova", {k: v for k, v in MINI.items() if k != "setup.cfg"})
    os.mkfifo(root / "setup.cfg")
    result = run("entrypoints", root, tmp_path / "cache")
    assert result.returncode == 2
    assert "setup.cfg: not a regular file (a FIFO)" in decoded(result)[1]


def test_breakpoints_remove_passes_a_fifo_by(tmp_path):
    root = write_tree(tmp_path / "nova", MINI)
    os.mkfifo(root / "nova" / "x.py")
    result = subprocess.run([sys.executable, "-m", "stackread", "breakpoints", "--remove", "-C", str(root)],
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_a_device_is_never_opened(tmp_path):
    # /dev/null, not /dev/zero: a regression must fail here, not read forever.
    tree = DirectoryTree(tmp_path.resolve())
    os.symlink("/dev/null", tmp_path / "null.py")
    assert tree.read_bytes("null.py") is None and not tree.is_file("null.py")
    try:
        os.mknod(tmp_path / "dev.py", stat.S_IFCHR | 0o600, os.makedev(1, 3))  # a null device in the tree
    except PermissionError:
        pytest.skip("making a device needs root")
    assert tree.read_bytes("dev.py") is None and not tree.is_file("dev.py")
    assert tree.refused == {"null.py": "a link to outside the tree",
                            "dev.py": "not a regular file (a character device)"}


# -- links --------------------------------------------------------------------------------------------


def test_a_module_linked_to_a_file_outside_the_tree_is_not_project_code(tmp_path):
    outside = write_tree(tmp_path / "elsewhere", {"secret.py": "def leaked():\n    pass\n", "pkg/m.py": "def far():\n    pass\n"})
    root = write_tree(tmp_path / "nova", MINI)
    os.symlink(outside / "secret.py", root / "nova" / "evil.py")
    os.symlink(outside / "pkg", root / "nova" / "farpkg")
    os.symlink("compute/rpcapi.py", root / "nova" / "alias.py")  # inside the tree: read as usual
    result = run("callgraph", root, tmp_path / "cache")
    out, err = decoded(result)
    assert result.returncode == 0, err
    nodes = {node["name"] for node in json.loads(out)["nodes"]}
    assert "nova.alias.ComputeAPI.build_and_run_instance" in nodes
    assert not any("leaked" in n or "far" in n for n in nodes)
    assert "nova/evil.py: a link to outside the tree; skipped" in err
    assert "nova/farpkg: a link to a directory outside the tree; skipped" in err


def test_a_setup_cfg_linked_outside_is_not_read(tmp_path):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:SECRET-FIRST-LINE\n")
    root = write_tree(tmp_path / "nova", {**{k: v for k, v in MINI.items() if k != "setup.cfg"},
                                          "pyproject.toml": PYPROJECT})
    os.symlink(secret, root / "setup.cfg")
    result = run("entrypoints", root, tmp_path / "cache")
    out, err = decoded(result)
    assert result.returncode == 0, err
    assert "SECRET" not in out + err
    assert "setup.cfg: a link to outside the tree; skipped" in err
    # As the only metadata: no answer, and the reason, but still not a byte of the file.
    (root / "pyproject.toml").unlink()
    result = run("entrypoints", root, tmp_path / "cache")
    out, err = decoded(result)
    assert result.returncode == 2 and "SECRET" not in out + err
    assert "setup.cfg: a link to outside the tree" in err


def test_a_git_revision_follows_links_inside_and_refuses_links_out(tmp_path):
    root = write_tree(tmp_path / "repo", {"pkg/__init__.py": "", "pkg/real.py": "def f():\n    pass\n"})
    os.symlink("real.py", root / "pkg" / "alias.py")
    os.symlink("/etc/passwd", root / "pkg" / "evil.py")
    os.symlink("../../outside.py", root / "pkg" / "up.py")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "links"], check=True)
    tree = open_tree(root, "HEAD")
    assert tree.read_bytes("pkg/alias.py") == b"def f():\n    pass\n"
    assert tree.read_bytes("pkg/evil.py") is None and tree.read_bytes("pkg/up.py") is None
    assert tree.refused == {"pkg/evil.py": "a link to outside the tree", "pkg/up.py": "a link to outside the tree"}


# -- names that are not UTF-8 -------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["callgraph", "graph", "trace", "breakpoints"])
def test_a_file_name_that_is_not_utf8_is_skipped_with_a_warning(tmp_path, command):
    root = write_tree(tmp_path / "nova", MINI)
    base = os.fsencode(root)
    with open(base + b"/nova/zz_\xff\xfe.py", "wb") as f:
        f.write(b"def odd():\n    pass\n")
    os.mkdir(base + b"/nova/d\xff")
    with open(base + b"/nova/d\xff/m.py", "wb") as f:
        f.write(b"x = 1\n")
    result = run(command, root, tmp_path / "cache")
    out, err = decoded(result)
    assert result.returncode == 0, err
    assert "nova/zz_\\xff\\xfe.py: the name is not valid UTF-8; skipped" in err
    assert "nova/d\\xff: the name is not valid UTF-8; skipped" in err
    if command == "trace":
        assert "nova-conductor =cast=> nova-compute  build_and_run_instance" in out
    # Asked again, the answer comes back from the cache, and the warnings, said in full the first
    # time, as a count.
    again = run(command, root, tmp_path / "cache")
    assert again.returncode == 0 and decoded(again)[0] == out
    assert "2 warnings as before" in decoded(again)[1] and "not valid UTF-8" not in decoded(again)[1]


def test_a_git_revision_skips_names_that_are_not_utf8(tmp_path):
    root = write_tree(tmp_path / "repo", {"pkg/__init__.py": "", "pkg/real.py": "def f():\n    pass\n"})
    with open(os.fsencode(root) + b"/pkg/zz_\xff.py", "wb") as f:
        f.write(b"def g():\n    pass\n")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "odd name"], check=True)
    result = subprocess.run([sys.executable, "-m", "stackread", "callgraph", str(root), "--rev", "HEAD", "--json"],
                            capture_output=True, timeout=120, env={**os.environ, "STACKREAD_CACHE_DIR": str(tmp_path / "c")})
    out, err = decoded(result)
    assert result.returncode == 0, err
    assert "pkg/zz_\\xff.py: the name is not valid UTF-8; skipped" in err
    assert "pkg.real.f" in {node["name"] for node in json.loads(out)["nodes"]}
