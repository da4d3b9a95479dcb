"""A traced flow is kept in the cache: asked again it is read back, and never outlives an edit."""

import pytest

from conftest import write_tree
from test_flowdiff import MINI

import stackread.trace as trace_module
from stackread.trace import trace_operation


def hops(trace):
    return [(h.source, h.kind, h.target, h.method) for h in trace.hops]


def test_asked_again_the_flow_is_read_back_and_an_edit_is_seen(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "nova", MINI)
    cache = tmp_path / "cache"
    first = trace_operation(root, "create_server", cache_dir=cache)
    assert hops(first) == [("nova-api", "cast", "nova-conductor", "build_instances"),
                           ("nova-conductor", "cast", "nova-compute", "build_and_run_instance")]

    def not_again(*args, **kwargs):
        raise AssertionError("worked out again")

    with monkeypatch.context() as patch:
        patch.setattr(trace_module, "_trace", not_again)
        again = trace_operation(root, "create_server", cache_dir=cache)
    assert hops(again) == hops(first) and again.root.function == first.root.function
    # Another question is another answer: a setting is part of the key.
    with monkeypatch.context() as patch:
        patch.setattr(trace_module, "_trace", not_again)
        with pytest.raises(AssertionError):
            trace_operation(root, "create_server", cache_dir=cache, settings={"cells.enable": True})

    rpcapi = root / "nova/compute/rpcapi.py"
    rpcapi.write_text(rpcapi.read_text().replace("cctxt.cast(ctxt, 'build_and_run_instance'",
                                                 "return cctxt.call(ctxt, 'build_and_run_instance'"))
    edited = trace_operation(root, "create_server", cache_dir=cache)
    assert ("nova-conductor", "call", "nova-compute", "build_and_run_instance") in hops(edited)
