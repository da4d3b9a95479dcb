"""Nothing a repository's own git configuration names ever runs, and every command still works."""

from __future__ import annotations

import pathlib
import stat
import subprocess

import git
import pytest
from click.testing import CliRunner

from conftest import write_tree
from test_flowdiff import MINI

from stackread.source import gitsafe
from stackread.cli import cli
from stackread.source.fetch import clone_repository

HOOKS = ("pre-commit", "pre-merge-commit", "prepare-commit-msg", "commit-msg", "post-commit", "pre-rebase",
         "post-checkout", "post-merge", "pre-push", "pre-receive", "update", "proc-receive", "post-receive",
         "post-update", "reference-transaction", "push-to-checkout", "pre-auto-gc", "post-rewrite",
         "fsmonitor-watchman", "post-index-change")


def run_git(root: pathlib.Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=root,
                          check=True, capture_output=True, text=True, timeout=60).stdout


def plant_canaries(repo: pathlib.Path, canary: pathlib.Path) -> None:
    """Point every command-valued setting of repo's own configuration at a script that leaves `canary`."""
    script = repo.parent / f"{repo.name}-canary.sh"
    # A filter must pass the content through, so the script copies stdin to stdout.
    script.write_text(f"#!/bin/sh\necho \"$0 $*\" >> {canary}\ncat\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    hooks = repo.parent / f"{repo.name}-hooks"
    for folder in (hooks, repo / ".git" / "hooks"):
        folder.mkdir(exist_ok=True)
        for hook in HOOKS:
            (folder / hook).write_text(f"#!/bin/sh\necho hook {hook} >> {canary}\n")
            (folder / hook).chmod(0o755)
    included = repo.parent / f"{repo.name}-included.gitconfig"
    included.write_text(f"[credential]\n\thelper = {script} credential\n[core]\n\taskPass = {script} askpass\n")
    settings = {
        "core.fsmonitor": f"{script} fsmonitor",
        "core.hooksPath": str(hooks),
        "core.pager": f"{script} pager",
        "pager.status": f"{script} pager-status",
        "core.sshCommand": f"{script} ssh",
        "diff.external": f"{script} diff-external",
        "filter.x.clean": f"{script} clean",
        "filter.x.smudge": f"{script} smudge",
        "filter.x.required": "true",
        "filter.proc.process": f"{script} process",
        "diff.y.textconv": f"{script} textconv",
        "diff.y.command": f"{script} diff-command",
        "gpg.program": f"{script} gpg",
        "log.showSignature": "true",
        "merge.verifySignatures": "true",
        "include.path": str(included),
    }
    for key, value in settings.items():
        run_git(repo, "config", key, value)
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "attributes").write_text("*.py filter=x diff=y\n*.cfg filter=proc\n")


@pytest.fixture
def hostile(tmp_path):
    """MINI committed and tagged v1, then given canaries, with one file edited after the commit."""
    root = write_tree(tmp_path / "nova", MINI)
    run_git(root, "init", "-q")
    run_git(root, "add", "-A")
    run_git(root, "commit", "-qm", "one")
    run_git(root, "tag", "v1")
    canary = tmp_path / "canary"
    plant_canaries(root, canary)
    # An edited file makes git hash it again (through the filter) when it refreshes the index.
    with (root / "nova" / "__init__.py").open("a") as out:
        out.write("# edited\n")
    return root, canary


@pytest.mark.parametrize("args, shows", [
    (["entrypoints", "{root}"], "@ v1"),
    (["entrypoints", "{root}", "--rev", "v1"], "@ v1 ("),
    (["callgraph", "{root}"], "20 modules"),
    (["callgraph", "{root}", "--rev", "v1"], "@ v1 ("),
    (["trace", "create_server", "-C", "{root}", "--no-cache"], "nova-conductor =cast=> nova-compute"),
    (["trace", "create_server", "-C", "{root}", "--rev", "v1", "--no-cache"], "@ v1 ("),
])
def test_reading_commands_run_nothing_the_repository_names(hostile, args, shows):
    root, canary = hostile

    result = CliRunner().invoke(cli, [a.format(root=root) for a in args])

    assert result.exit_code == 0, result.output
    assert shows in result.output
    assert not canary.exists(), canary.read_text()


def test_breakpoints_insert_and_remove_run_nothing_the_repository_names(hostile):
    root, canary = hostile
    runner = CliRunner()

    inserted = runner.invoke(cli, ["breakpoints", "create_server", "-C", str(root), "--insert"])
    assert inserted.exit_code == 0, inserted.output
    assert "inserted 5 breakpoints in 5 files" in inserted.output
    removed = runner.invoke(cli, ["breakpoints", "--remove", "-C", str(root)])
    assert removed.exit_code == 0, removed.output
    assert "removed 5 breakpoints" in removed.output
    assert (root / "nova/conductor/manager.py").read_text() == write_tree(root.parent / "again", MINI).joinpath(
        "nova/conductor/manager.py").read_text()
    assert not canary.exists(), canary.read_text()


def test_updating_a_cached_clone_runs_nothing_its_configuration_names(tmp_path):
    origin = write_tree(tmp_path / "origin", {"setup.cfg": "[metadata]\nname = demo\n", ".gitattributes": "*.py filter=x\n"})
    run_git(origin, "init", "-q")
    run_git(origin, "add", "-A")
    run_git(origin, "commit", "-qm", "one")
    url = origin.as_uri()
    clone = clone_repository(url, tmp_path / "cache")
    canary = tmp_path / "canary"
    plant_canaries(clone, canary)
    write_tree(origin, {"demo/__init__.py": "x = 1\n"})
    run_git(origin, "add", "-A")
    run_git(origin, "commit", "-qm", "two")

    assert clone_repository(url, tmp_path / "cache") == clone

    assert (clone / "demo" / "__init__.py").read_text() == "x = 1\n"  # fetched and fast-forwarded
    assert git.Repo(clone).head.commit.message.strip() == "two"
    assert not canary.exists(), canary.read_text()


def test_the_users_own_commands_stay_and_the_repositorys_are_undone():
    entries = [
        ("system", "credential.helper", "cache"),
        ("global", "core.sshcommand", "ssh -i ~/.ssh/work"),
        ("local", "credential.helper", "!evil"),
        ("local", "core.sshcommand", "evil"),
        ("local", "filter.Lfs.Like.clean", "evil"),
        ("local", "remote.origin.uploadpack", "evil"),
        ("local", "core.gitproxy", "evil for example.org"),
        ("local", "remote.origin.url", "https://example.org/x"),
        ("command", "diff.external", "mine"),
    ]

    settings, env = gitsafe.overrides(entries)

    assert settings == ["credential.helper=", "credential.helper=cache", "core.sshcommand=ssh -i ~/.ssh/work",
                        "filter.Lfs.Like.clean=", "remote.origin.uploadpack=git-upload-pack"]
    assert env == {"GIT_PROXY_COMMAND": ""}


def test_a_configuration_git_cannot_read_means_no_git_at_all(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    run_git(root, "init", "-q")
    (root / ".git" / "config").write_text("[core\nbroken")

    assert gitsafe.for_directory(root) is None
