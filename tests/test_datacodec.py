"""The cache's codec: stackread's dataclasses to JSON and back, refusing anything else."""

import json
from dataclasses import dataclass, field

import pytest

from stackread.index import datacodec
from stackread.diagnostics import Diagnostic, Severity
from stackread.flows.entrypoints import EntryPoint, EntrypointReport
from stackread.frameworks.rest.route import Route, RouteReport
from stackread.frameworks.services import ApiInfo, ServiceInfo


@dataclass
class Node:
    name: str
    weight: float | None = None
    children: list["Node"] = field(default_factory=list)


def report():
    service = ServiceInfo("nova-compute", "compute", "nova.compute.manager.ComputeManager", "m.py", 3,
                          ("compute-alt",), "cmd.py", 9, None, None)
    eps = (EntryPoint("nova-compute", "console_scripts", "nova.cmd.compute:main", "service", "cmd.py", 5, False,
                      "setup.cfg", 7, service=service),
           EntryPoint("api", "wsgi_application", "nova.wsgi:application", "wsgi", "wsgi.py", 2, False, None, None,
                      api=ApiInfo(("osapi_compute",), "wsgi.py", 2)))
    return EntrypointReport("nova", "34.0.0", None, "/src/nova", eps,
                            (Diagnostic(Severity.WARNING, "x.py", 3, "skipped"),))


def test_what_the_cache_stores_comes_back_equal_with_its_own_types():
    entrypoints = report()
    back = datacodec.decode(EntrypointReport, datacodec.encode(entrypoints))
    assert back == entrypoints
    assert type(back.entrypoints) is tuple and back.diagnostics[0].severity is Severity.WARNING
    routes = RouteReport("/src/nova", "34.0.0 (abc)", [Route("POST", "/servers", None, "c.create", "c.py", 1, "2.1",
                                                             None, "r.py", 4)], [])
    assert datacodec.decode(RouteReport, datacodec.encode(routes)) == routes
    tree = Node("root", 1.5, [Node("a", None, [Node("b", 2)]), Node("c")])
    assert datacodec.decode(Node, datacodec.encode(tree)) == tree


def envelope_of(value, data):
    envelope = json.loads(datacodec.encode(value))
    envelope["data"] = data
    return json.dumps(envelope).encode()


@pytest.mark.parametrize("data", [
    {"__class__": "os.system"},  # a dict is no dataclass
    ["root", 1.5],  # too few fields
    ["root", "heavy", []],  # a string for a float
    ["root", None, [["a", None, "not a list"]]],  # deep inside
    ["root", True, []],  # a bool is no number here
])
def test_another_shape_is_refused(data):
    with pytest.raises(datacodec.DecodeError):
        datacodec.decode(Node, envelope_of(Node("x"), data))


def test_other_types_layouts_and_bytes_are_refused():
    stored = datacodec.encode(report())
    with pytest.raises(datacodec.DecodeError):  # asked for another type than stored
        datacodec.decode(RouteReport, stored)
    envelope = json.loads(stored)
    for change in ({"schema": "0" * 16}, {"format": 0}, {"type": "Popen"}):
        with pytest.raises(datacodec.DecodeError):
            datacodec.decode(EntrypointReport, json.dumps({**envelope, **change}).encode())
    bad_severity = stored.replace(b'"warning"', b'"fatal"')
    for payload in (bad_severity, b"\x80\x04\x95", b"[" * 100_000, stored[:-1]):
        with pytest.raises(datacodec.DecodeError):
            datacodec.decode(EntrypointReport, payload)


def test_a_type_the_codec_cannot_tell_apart_is_a_programming_error():
    @dataclass
    class Either:
        value: Node | Route

    with pytest.raises(TypeError):
        datacodec.encode(Either(Node("x")))


def test_annotations_are_read_as_typing_reads_them():
    import typing

    from stackread.flows import trace

    for cls in (trace.Trace, trace.Step, trace.Hop, EntrypointReport, EntryPoint, RouteReport, Route, ServiceInfo,
                ApiInfo, Diagnostic, Node):
        assert datacodec._field_types(cls) == typing.get_type_hints(cls), cls


@dataclass(frozen=True)
class Shapes:
    pair: tuple[str, int]
    names: frozenset[str]
    table: dict[str, tuple[int, ...]]


def test_fixed_tuples_sets_and_tables_come_back_as_they_were():
    value = Shapes(("nova-api", 3), frozenset({"b", "a"}), {"x": (1, 2)})
    assert datacodec.decode(Shapes, datacodec.encode(value)) == value
    with pytest.raises(datacodec.DecodeError):
        datacodec.decode(Shapes, envelope_of(value, [["nova-api"], ["a"], {}]))
