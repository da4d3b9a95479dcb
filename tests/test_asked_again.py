"""The same question asked again, in a new process, on an unchanged tree: the answer is read back
without reading the tree's files again (their content keys are kept by stat). The shortcut gives
way to an edit of a file."""

import os

from click.testing import CliRunner

from conftest import write_tree
from test_flowdiff import MINI

from stackread.cli import cli
from stackread.source import content
from stackread.source.trees import DirectoryTree


def _new_process(monkeypatch):
    """What a new command starts with: no content key remembered in memory."""
    monkeypatch.setattr(content, "_KEYS", {})


def _older_files(monkeypatch):
    # Files written a moment ago are "racily clean" (content.py) and never kept; the tree here is
    # as old as any checkout a user reads.
    monkeypatch.setattr(content, "RACY_SECONDS", -1.0)


def _trace(root, cache, *more):
    result = CliRunner().invoke(cli, ["trace", "create_server", "-C", str(root), "--cache-dir", str(cache), *more])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_new_process_reads_no_source_file_of_an_unchanged_tree_and_an_edit_is_read(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "nova", MINI)
    cache = tmp_path / "cache"
    _older_files(monkeypatch)
    first = _trace(root, cache)
    read = []
    reading = DirectoryTree.read_bytes
    monkeypatch.setattr(DirectoryTree, "read_bytes", lambda tree, path: read.append(path) or reading(tree, path))

    _new_process(monkeypatch)
    assert _trace(root, cache) == first
    assert [path for path in read if path.endswith(".py")] == []

    rpcapi = root / "nova/compute/rpcapi.py"
    rpcapi.write_text(rpcapi.read_text().replace("cctxt.cast(ctxt, 'build_and_run_instance'",
                                                 "return cctxt.call(ctxt, 'build_and_run_instance'"))
    _new_process(monkeypatch)
    edited = _trace(root, cache)
    assert "nova/compute/rpcapi.py" in read
    assert "=call=> nova-compute" in edited and "=call=> nova-compute" not in first


def test_a_damaged_record_of_content_keys_is_no_answer_and_no_failure(tmp_path, monkeypatch):
    from stackread.diagnostics import Diagnostics
    from stackread.flows.reading import open_cache

    root = write_tree(tmp_path / "nova", MINI)
    cache = tmp_path / "cache"
    _older_files(monkeypatch)
    first = _trace(root, cache)
    api = root / "nova/compute/manager.py"
    info = os.stat(api)
    stat = [info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino]
    damaged = [b"\xffnot json", b"[1, 2]", b'{"%s": %s}' % (str(api).encode(), str(stat + ["nothex"]).encode()),
               b'{"%s": %s}' % (str(api).encode(), str(stat[:3] + ["4", "0" * 40]).encode())]
    for payload in damaged:
        with open_cache(cache, True, Diagnostics()) as store:
            names = [row[0] for row in store._db.execute("SELECT key FROM blobs WHERE key LIKE 'content-keys:%'")]
            assert len(names) == 1
            store.put_blob(names[0], payload.replace(b"'", b'"'))
        _new_process(monkeypatch)
        assert _trace(root, cache) == first
        assert content._KEYS[str(api)][1] != "0" * 40
