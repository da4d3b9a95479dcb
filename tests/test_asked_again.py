"""The same question asked again, in a new process, on an unchanged tree: the answer is read back
(a trace, the rpc report, the entry points with their servers) without reading the tree's files
again (their content keys are kept by stat); a trace is printed without drawing it again (the text
is kept beside the answer), and without importing what draws or reads code. Each shortcut gives
way to an edit of a file or another way of showing the answer."""

import os
import subprocess
import sys
import textwrap

from click.testing import CliRunner

from conftest import write_tree
from test_flowdiff import MINI

import stackread.render.trace as text_view
import stackread.render.trace_output as trace_output
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


def test_the_text_of_an_answer_is_kept_for_the_way_it_is_shown(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "nova", MINI)
    cache = tmp_path / "cache"
    text, as_json = _trace(root, cache), _trace(root, cache, "--json")
    mermaid = _trace(root, cache, "--format", "mermaid")

    def not_drawn(*args, **kwargs):
        raise AssertionError("drawn again")

    with monkeypatch.context() as patch:
        patch.setattr(trace_output, "answer_text", not_drawn)
        assert (_trace(root, cache), _trace(root, cache, "--json")) == (text, as_json)
        assert _trace(root, cache, "--format", "mermaid") == mermaid
    # Another width is another text: drawn again, and folded to fit.
    drawn = []
    rendering = text_view.render
    monkeypatch.setattr(text_view, "render", lambda *args: drawn.append(1) or rendering(*args))
    monkeypatch.setenv("COLUMNS", "40")
    narrow = _trace(root, cache)
    assert drawn and narrow != text
    assert max(map(len, narrow.splitlines())) <= 40 < max(map(len, text.splitlines()))


def test_an_answer_read_back_imports_neither_rich_nor_the_readers_of_code(tmp_path):
    root = write_tree(tmp_path / "nova", MINI)
    cache = tmp_path / "cache"
    script = textwrap.dedent(f"""
        import sys
        from stackread.cli import cli
        try:
            cli.main(["trace", "create_server", "-C", {str(root)!r}, "--cache-dir", {str(cache)!r}],
                     standalone_mode=False)
        except SystemExit:
            pass
        shown = sorted(m for m in sys.modules if m == "rich" or m.startswith(("rich.", "stackread.program",
                                                                              "stackread.frameworks.oslo")))
        print("MODULES", *shown)
    """)

    def run():
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env={**os.environ, "COLUMNS": "100"})
        assert done.returncode == 0, done.stderr
        answer, _, modules = done.stdout.partition("MODULES")
        return answer, modules.split()

    first, worked_out_with = run()
    assert "rich" in worked_out_with and "stackread.program.evaluate" in worked_out_with
    again, read_back_with = run()
    assert again == first and "nova-conductor" in again
    assert read_back_with == []


def test_rpc_and_entrypoints_asked_again_are_read_back_and_an_edit_is_seen(tmp_path, monkeypatch):
    import stackread.flows.entrypoints as entrypoints_module
    import stackread.flows.rpc as rpc_module

    root = write_tree(tmp_path / "nova", MINI)
    monkeypatch.setenv("STACKREAD_CACHE_DIR", str(tmp_path / "cache"))  # entrypoints' cache, and rpc's

    def ask(*command):
        result = CliRunner().invoke(cli, [*command, str(root), "--json"])
        assert result.exit_code == 0, result.output
        return result.stdout

    rpc, entrypoints = ask("rpc"), ask("entrypoints")

    def not_again(*args, **kwargs):
        raise AssertionError("worked out again")

    with monkeypatch.context() as patch:
        patch.setattr(rpc_module, "_find_rpc", not_again)
        patch.setattr(entrypoints_module, "entrypoints_of_project", not_again)
        assert (ask("rpc"), ask("entrypoints")) == (rpc, entrypoints)

    rpcapi = root / "nova/compute/rpcapi.py"
    rpcapi.write_text(rpcapi.read_text().replace("cctxt.cast(ctxt, 'build_and_run_instance'",
                                                 "return cctxt.call(ctxt, 'build_and_run_instance'"))
    setup = root / "setup.cfg"
    setup.write_text(setup.read_text().replace("    nova-conductor = nova.cmd.conductor:main\n", ""))
    edited_rpc, edited_entrypoints = ask("rpc"), ask("entrypoints")
    assert '"call"' in edited_rpc and '"call"' not in rpc
    assert "nova-conductor" in entrypoints and "nova-conductor" not in edited_entrypoints


def test_the_routes_asked_again_are_printed_as_kept_and_an_edit_of_a_route_draws_them_again(tmp_path, monkeypatch):
    import stackread.flows.routes as routes_flow
    import stackread.render.routes as routes_view

    root = write_tree(tmp_path / "nova", MINI)
    monkeypatch.setenv("STACKREAD_CACHE_DIR", str(tmp_path / "cache"))

    def ask(*more):
        result = CliRunner().invoke(cli, ["routes", str(root), *more])
        assert result.exit_code == 0, result.output
        return result.stdout

    text, as_json = ask(), ask("--json")
    assert "/servers" in text and '"/servers"' in as_json

    def not_again(*args, **kwargs):
        raise AssertionError("worked out or drawn again")

    with monkeypatch.context() as patch:
        patch.setattr(routes_flow, "routes_of_project", not_again)
        patch.setattr(routes_view, "render", not_again)
        patch.setattr(routes_view, "to_json", not_again)
        assert (ask(), ask("--json")) == (text, as_json)
    routes = root / "nova/api/openstack/compute/routes.py"
    routes.write_text(routes.read_text().replace("('/servers', {", "('/instances', {"))
    edited = ask()
    assert "/instances" in edited and "/instances" not in text
