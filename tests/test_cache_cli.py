"""`stackread cache info` and `stackread cache clear`: what the cache holds, and emptying it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import write_tree
from test_flowdiff import MINI

from stackread.cli import cli
from stackread.index.cache import DB_NAME


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A cache holding what a trace and a call graph of a small tree computed, a release and a clone."""
    root = tmp_path / "cache"
    monkeypatch.setenv("STACKREAD_CACHE_DIR", str(root))
    monkeypatch.delenv("STACKREAD_CACHE_MAX_MB", raising=False)
    tree = write_tree(tmp_path / "nova", MINI)
    for command in (["trace", "create_server", "-C", str(tree)], ["callgraph", str(tree), "--json"]):
        assert CliRunner().invoke(cli, command).exit_code == 0
    write_tree(root / "releases" / "nova-1.0", {"setup.cfg": "[metadata]\nname = nova\n", "nova/__init__.py": ""})
    write_tree(root / "repos" / "nova", {"README": "a clone"})
    return root


def info(*args):
    result = CliRunner().invoke(cli, ["cache", "info", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_info_says_where_the_cache_is_what_it_holds_and_its_limit(cache):
    found = info()
    assert found["directory"] == str(cache)
    assert found["index"]["path"] == str(cache / "index" / DB_NAME) and found["index"]["bytes"] > 0
    entries = {kind: value["count"] for kind, value in found["index"]["entries"].items()}
    assert entries.pop("summaries") > 0  # one per distinct file content
    # the routes, entry points, policy rules, field defaults and the drivers options name, each with
    # the record of what they read (source/observed.py), and the flow as `trace` printed it
    assert entries == {"program": 1, "trace": 1, "routes": 1, "entrypoints": 1, "served": 1, "policies": 1,
                       "fields": 1, "drivers": 1, "seen": 5, "shown": 1}
    assert (found["limit_bytes"], found["limit_from"]) == (512 * 2**20, "default")
    assert found["releases"]["names"] == ["nova-1.0"] and found["releases"]["bytes"] > 0
    assert found["repos"]["names"] == ["nova"]

    text = CliRunner().invoke(cli, ["cache", "info"]).stdout
    for words in (str(cache / "index" / DB_NAME), "traced flow", "call graph", "file summaries",
                  "512.0 MiB limit (default)", "1 release,", "nova-1.0"):
        assert words in text


def test_info_names_a_limit_set_in_the_environment_and_warns_of_a_bad_one(cache, monkeypatch):
    monkeypatch.setenv("STACKREAD_CACHE_MAX_MB", "64")
    assert (info()["limit_bytes"], info()["limit_from"]) == (64 * 2**20, "STACKREAD_CACHE_MAX_MB")
    monkeypatch.setenv("STACKREAD_CACHE_MAX_MB", "lots")
    assert info()["limit_from"] == "default"
    assert "STACKREAD_CACHE_MAX_MB='lots' is not a positive number" in CliRunner().invoke(cli, ["cache", "info"]).stdout


def test_clear_removes_the_computed_results_and_keeps_the_downloads(cache, tmp_path):
    result = CliRunner().invoke(cli, ["cache", "clear"])
    assert result.exit_code == 0
    assert f"removed the computed results in {cache / 'index'}" in result.stdout
    assert "1 traced flow," in result.stdout and "1 call graph," in result.stdout
    assert "kept 1 release" in result.stdout and "--all removes the releases too" in result.stdout
    assert list((cache / "index").iterdir()) == []
    assert (cache / "releases" / "nova-1.0" / "setup.cfg").is_file() and (cache / "repos" / "nova").is_dir()
    assert info()["index"]["entries"] == {}
    # The next run works everything out again, and caches it again.
    assert CliRunner().invoke(cli, ["trace", "create_server", "-C", str(tmp_path / "nova")]).exit_code == 0
    assert info()["index"]["entries"]["trace"]["count"] == 1


def test_clear_all_removes_the_downloads_too_and_says_which(cache):
    result = CliRunner().invoke(cli, ["cache", "clear", "--all"])
    assert result.exit_code == 0
    assert "removed 1 release, " in result.stdout and ": nova-1.0" in result.stdout
    assert "removed 1 repository, " in result.stdout
    assert list((cache / "releases").iterdir()) == [] and list((cache / "repos").iterdir()) == []
    again = CliRunner().invoke(cli, ["cache", "clear", "--all"])
    assert again.exit_code == 0 and "no computed results" in again.stdout


def test_info_on_a_cache_that_is_not_there_creates_nothing(tmp_path):
    result = subprocess.run([sys.executable, "-m", "stackread", "cache", "info", "--cache-dir", str(tmp_path / "none")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "(empty)" in result.stdout and result.stderr == ""
    assert not (tmp_path / "none").exists()


def test_info_on_a_corrupt_database_says_so_and_changes_nothing(tmp_path):
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / DB_NAME).write_bytes(b"not a database" * 100)
    result = CliRunner().invoke(cli, ["cache", "info", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0 and "unreadable: file is not a database" in result.stdout
    assert (tmp_path / "index" / DB_NAME).read_bytes() == b"not a database" * 100


def test_help_says_what_each_command_removes():
    assert "--all" in CliRunner().invoke(cli, ["cache", "clear", "--help"]).stdout
    helped = CliRunner().invoke(cli, ["cache", "--help"]).stdout
    assert "info" in helped and "clear" in helped and "STACKREAD_CACHE_MAX_MB" in helped
    assert "cache" in CliRunner().invoke(cli, ["--help"]).stdout


def test_cache_dir_names_one_directory_for_analysis_info_and_clear(tmp_path, monkeypatch):
    """`trace --cache-dir X` then `cache info/clear --cache-dir X`: the same cache, as $STACKREAD_CACHE_DIR is."""
    monkeypatch.setenv("STACKREAD_CACHE_DIR", str(tmp_path / "elsewhere"))
    tree = write_tree(tmp_path / "nova", MINI)
    mine = tmp_path / "mine"
    assert CliRunner().invoke(cli, ["trace", "create_server", "-C", str(tree), "--cache-dir", str(mine)]).exit_code == 0
    assert (mine / "index" / DB_NAME).is_file() and not (tmp_path / "elsewhere").exists()
    assert info("--cache-dir", str(mine))["index"]["entries"]["trace"]["count"] == 1
    result = CliRunner().invoke(cli, ["cache", "clear", "--cache-dir", str(mine)])
    assert result.exit_code == 0 and "1 traced flow," in result.stdout
    assert info("--cache-dir", str(mine))["index"]["entries"] == {}
