"""A traced flow is kept in the cache: asked again it is read back, and never outlives an edit."""

import pytest

from conftest import write_tree
from test_flowdiff import MINI

import stackread.flows.trace as trace_module
from stackread.flows.question import Question
from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation


def hops(trace):
    return [(h.source, h.kind, h.target, h.method) for h in trace.hops]


def test_asked_again_the_flow_is_read_back_and_an_edit_is_seen(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "nova", MINI)
    cache = tmp_path / "cache"
    first = trace_operation(Reading(root, cache_dir=cache), "create_server")
    assert hops(first) == [("nova-api", "cast", "nova-conductor", "build_instances"),
                           ("nova-conductor", "cast", "nova-compute", "build_and_run_instance")]

    def not_again(*args, **kwargs):
        raise AssertionError("worked out again")

    with monkeypatch.context() as patch:
        patch.setattr(trace_module, "_trace", not_again)
        again = trace_operation(Reading(root, cache_dir=cache), "create_server")
    assert hops(again) == hops(first) and again.root.function == first.root.function
    # Another question is another answer: a setting is part of the key.
    with monkeypatch.context() as patch:
        patch.setattr(trace_module, "_trace", not_again)
        with pytest.raises(AssertionError):
            trace_operation(Reading(root, cache_dir=cache), Question("create_server", settings={"cells.enable": True}))

    rpcapi = root / "nova/compute/rpcapi.py"
    rpcapi.write_text(rpcapi.read_text().replace("cctxt.cast(ctxt, 'build_and_run_instance'",
                                                 "return cctxt.call(ctxt, 'build_and_run_instance'"))
    edited = trace_operation(Reading(root, cache_dir=cache), "create_server")
    assert ("nova-conductor", "call", "nova-compute", "build_and_run_instance") in hops(edited)


# -- what the cache holds is data: nothing in it runs, whatever someone wrote there ----------------

import json  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import pickle  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from stackread.index import datacodec  # noqa: E402

from stackread.flows import treekey
from stackread.flows.callgraph import open_cache  # noqa: E402
from stackread.cli import cli  # noqa: E402
from stackread.diagnostics import Diagnostics  # noqa: E402
from stackread.source.trees import open_tree  # noqa: E402
from stackread.flows.flow import Trace  # noqa: E402


class _MakesADirectory:
    """Unpickled, this runs os.mkdir(marker): what a crafted cache entry could do to its reader."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def _trace_key(root, operation="create_server"):
    return Question(operation).key(treekey.tree_key(open_tree(root)))


def _overwrite(cache, key, payload):
    with open_cache(cache, True, Diagnostics()) as store:
        assert store.get_blob(key) is not None  # the real key: the entry was there to replace
        store.put_blob(key, payload)


def test_a_crafted_entry_runs_nothing_and_the_flow_is_worked_out_again(tmp_path):
    root = write_tree(tmp_path / "nova", MINI)
    cache = tmp_path / "cache"
    computed = trace_operation(Reading(root, cache_dir=cache), "create_server")
    marker = tmp_path / "ran"
    schema = json.loads(datacodec.encode(computed))["schema"]
    crafted = [
        pickle.dumps(_MakesADirectory(marker)),
        json.dumps({"format": 1, "type": "os.system", "schema": schema, "data": ["touch " + str(marker)]}).encode(),
        json.dumps({"format": 1, "type": "Trace", "schema": schema,
                    "data": {"__class__": "subprocess.Popen", "args": ["touch", str(marker)]}}).encode(),
        json.dumps({"format": 1, "type": "Trace", "schema": schema, "data": [["os", "system"]] * 9}).encode(),
        b"\x80\x04not even json",
    ]
    for payload in crafted:
        _overwrite(cache, _trace_key(root), payload)
        again = trace_operation(Reading(root, cache_dir=cache), "create_server")
        assert not marker.exists()
        assert again == computed
    # Worked out again, the answer is stored again as data.
    with open_cache(cache, True, Diagnostics()) as store:
        assert datacodec.decode(Trace, store.get_blob(_trace_key(root))) == computed


def test_no_module_of_stackread_unpickles():
    package = pathlib.Path(trace_module.__file__).parent
    assert [p.name for p in package.rglob("*.py") if "pickle" in p.read_text()] == []


def test_read_back_the_flow_is_the_one_worked_out_in_text_and_json(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "nova", MINI)
    assert_cold_and_warm_print_the_same(root, tmp_path / "cache", monkeypatch)


def assert_cold_and_warm_print_the_same(root, cache, monkeypatch, operation="create_server"):
    """`trace` worked out (cold) and read back from the cache (warm) prints the same, text and JSON."""

    def not_again(*args, **kwargs):
        raise AssertionError("worked out again")

    import stackread.render.trace_output as trace_output

    command = ["trace", operation, "-C", str(root)] + (["--cache-dir", str(cache)] if cache else [])
    for form in ([], ["--json"], ["--errors"]):
        with monkeypatch.context() as patch:
            patch.setattr(trace_module, "load", lambda *args: None)  # cold, whatever the cache holds
            # ... and its text not kept, so that the warm run draws the flow it reads back
            patch.setattr(trace_module, "shown_text", lambda cache, key, result, showing: showing.text(result))
            cold = CliRunner().invoke(cli, command + form)
        with monkeypatch.context() as patch:
            patch.setattr(trace_module, "_trace", not_again)
            warm = CliRunner().invoke(cli, command + form)
        with monkeypatch.context() as patch:  # and then its text is read back as it was drawn
            patch.setattr(trace_module, "_trace", not_again)
            patch.setattr(trace_output, "answer_text", not_again)
            kept = CliRunner().invoke(cli, command + form)
        assert cold.exit_code == warm.exit_code == kept.exit_code == 0, (cold.output, warm.output, kept.output)
        assert kept.stdout == warm.stdout == cold.stdout and warm.stdout.strip()


# -- the key names every input an answer depends on ----------------------------------------------

_SCRIPTS = {"nova-api": "nova.cmd.api:main", "nova-compute": "nova.cmd.compute:main",
            "nova-conductor": "nova.cmd.conductor:main"}
_INI = "[console_scripts]\n" + "".join(f"{name} = {target}\n" for name, target in _SCRIPTS.items())
_NO_CONDUCTOR = _INI.replace("nova-conductor = nova.cmd.conductor:main\n", "")
_TOML = "[project]\nname = 'nova'\n[project.scripts]\n" + "".join(f"{n} = '{t}'\n" for n, t in _SCRIPTS.items())
_PKG_INFO = "Metadata-Version: 2.1\nName: nova\nVersion: 1.0\n"
_SOURCES = {path: text for path, text in MINI.items() if path != "setup.cfg"}
BOTH = [("nova-api", "cast", "nova-conductor", "build_instances"),
        ("nova-conductor", "cast", "nova-compute", "build_and_run_instance")]
RENAMED = [("nova2-api", *hop[1:]) if hop[0] == "nova-api" else hop for hop in BOTH]

# (the project's metadata files, the file edited, its new text, the hops after the edit)
INPUTS = {
    "setup.cfg": ({"setup.cfg": MINI["setup.cfg"]}, "setup.cfg",
                  MINI["setup.cfg"].replace("    nova-conductor = nova.cmd.conductor:main\n", ""), []),
    "pyproject.toml": ({"pyproject.toml": _TOML}, "pyproject.toml", _TOML.replace("nova-conductor", "# nova-cond"), []),
    "egg-info entry_points.txt": ({"setup.cfg": "[metadata]\nname = nova\n", "nova.egg-info/entry_points.txt": _INI},
                                  "nova.egg-info/entry_points.txt", _NO_CONDUCTOR, []),
    "egg-info PKG-INFO": ({"setup.cfg": "[metadata]\n", "nova.egg-info/entry_points.txt": _INI,
                           "nova.egg-info/PKG-INFO": _PKG_INFO},
                          "nova.egg-info/PKG-INFO", _PKG_INFO.replace("nova", "nova2"), RENAMED),
    "sdist PKG-INFO": ({"setup.cfg": "[metadata]\n", "PKG-INFO": _PKG_INFO, "nova.egg-info/entry_points.txt": _INI},
                       "PKG-INFO", _PKG_INFO.replace("nova", "nova2"), RENAMED),
    "dist-info entry_points.txt": ({"nova-1.0.dist-info/entry_points.txt": _INI,
                                    "nova-1.0.dist-info/METADATA": _PKG_INFO},
                                   "nova-1.0.dist-info/entry_points.txt", _NO_CONDUCTOR, []),
    "dist-info METADATA": ({"nova-1.0.dist-info/entry_points.txt": _INI, "nova-1.0.dist-info/METADATA": _PKG_INFO},
                           "nova-1.0.dist-info/METADATA", _PKG_INFO.replace("nova", "nova2"), RENAMED),
    "a new egg-info": ({"setup.cfg": "[metadata]\nname = nova\n", "zz.egg-info/entry_points.txt": _INI},
                       "nova.egg-info/entry_points.txt", _NO_CONDUCTOR, []),
}


@pytest.mark.parametrize("kind", INPUTS)
def test_an_edit_of_any_metadata_input_is_a_new_answer(tmp_path, kind):
    metadata, edited, text, after = INPUTS[kind]
    root = write_tree(tmp_path / "nova", {**_SOURCES, **metadata})
    cache = tmp_path / "cache"
    assert hops(trace_operation(Reading(root, cache_dir=cache), "create_server")) == BOTH
    (root / edited).parent.mkdir(exist_ok=True)
    (root / edited).write_text(text)
    assert hops(trace_operation(Reading(root, use_cache=False), "create_server")) == after  # what the edit means
    assert hops(trace_operation(Reading(root, cache_dir=cache), "create_server")) == after


@pytest.mark.parametrize("kind", INPUTS)
def test_the_key_names_every_file_the_metadata_is_read_from(tmp_path, monkeypatch, kind):
    from stackread.flows.entrypoints import entrypoints_of_project, open_project
    from stackread.source.trees import DirectoryTree

    metadata, _edited, _text, _after = INPUTS[kind]
    root = write_tree(tmp_path / "nova", {**_SOURCES, **metadata})
    read: list[str] = []
    original = DirectoryTree.read_bytes

    def recording(self, path):
        read.append(path)
        return original(self, path)

    monkeypatch.setattr(DirectoryTree, "read_bytes", recording)
    entrypoints_of_project(open_project(root))
    keyed = set(treekey.metadata_inputs(open_tree(root)))
    assert {p for p in read if not p.endswith(".py")} - keyed == set()


def test_trace_on_a_cache_of_another_layout_warns_once_and_reads_back_from_its_second_run(tmp_path, monkeypatch):
    import sqlite3

    from stackread.index.cache import DB_NAME

    root = write_tree(tmp_path / "nova", MINI)
    cache = tmp_path / "cache"
    (cache / "index").mkdir(parents=True)
    with sqlite3.connect(cache / "index" / DB_NAME) as raw:
        raw.execute("CREATE TABLE blobs (key TEXT PRIMARY KEY, value BLOB)")
    raw.close()
    first = trace_operation(Reading(root, cache_dir=cache), "create_server")
    with monkeypatch.context() as patch:
        patch.setattr(trace_module, "_trace", lambda *args: pytest.fail("worked out again"))
        second = trace_operation(Reading(root, cache_dir=cache), "create_server")
    told = [d.message for d in first.diagnostics + second.diagnostics]
    assert len(told) == 1 and "another layout" in told[0] and hops(second) == hops(first) == BOTH


def test_a_new_question_says_each_stage_of_the_work_to_a_progress_display(tmp_path):
    """After the parsing bar, a cold trace still resolves, matches RPC and walks: each is said."""
    root = write_tree(tmp_path / "nova", MINI)
    stages = []

    def progress(done, total):
        stages.append("parsing")

    progress.stage = stages.append
    trace_operation(Reading(root, cache_dir=tmp_path / "cache"), "create_server", progress)
    said = [s for i, s in enumerate(stages) if i == 0 or stages[i - 1] != s]  # parsing once, not per file
    assert said == ["reading the REST routes", "parsing", "reading the whole program",
                    "matching RPC casts and calls to their endpoints", "following create_server"]
    # Asked again, the answer is read back: no stage to say.
    stages.clear()
    trace_operation(Reading(root, cache_dir=tmp_path / "cache"), "create_server", progress)
    assert stages == []
