"""The call-graph suite of issue 14: each small program's graph against its hand-checked callgraph.json.

A program the engine does not get right yet is listed in callgraph_suite/KNOWN_GAPS and is an
xfail(strict=True): fixing it fails the test until the entry is removed, so the list only shrinks.
"""

import json
import pathlib

import pytest

from stackread.flows.callgraph import load_callgraph
from stackread.flows.reading import Reading

SUITE = pathlib.Path(__file__).parent / "callgraph_suite"


def suite_programs() -> list[str]:
    return sorted(p.parent.relative_to(SUITE).as_posix() for p in SUITE.glob("*/*/callgraph.json"))


def known_gaps() -> dict[str, str]:
    gaps = {}
    for line in (SUITE / "KNOWN_GAPS").read_text().splitlines():
        entry, _, why = line.partition("#")
        if entry.strip():
            gaps[entry.strip()] = why.strip()
    return gaps


def expected_edges(program: str) -> set[tuple[str, str]]:
    data = json.loads((SUITE / program / "callgraph.json").read_text())
    return {(caller, callee) for caller, callees in data.items() for callee in callees}


def actual_edges(program: str) -> set[tuple[str, str]]:
    graph = load_callgraph(Reading(SUITE / program, use_cache=False)).graph
    own = {node.name for node in graph.nodes()}
    # Calls out of the program (builtins, libraries) are not edges of the graph; keep only its own.
    return {(e.caller, e.callee) for e in graph.edges() if e.caller in own and e.callee in own}


def _param(program: str, gaps: dict[str, str]):
    if program in gaps:
        return pytest.param(program, id=program,
                            marks=pytest.mark.xfail(strict=True, reason=gaps[program] or "known gap"))
    return pytest.param(program, id=program)


@pytest.mark.parametrize("program", [_param(p, known_gaps()) for p in suite_programs()])
def test_program_call_graph(program):
    expected, actual = expected_edges(program), actual_edges(program)
    missing = sorted(expected - actual)
    extra = sorted(actual - expected)
    assert not missing and not extra, (
        f"{program}:\n  missing: " + "".join(f"\n    {a} -> {b}" for a, b in missing)
        + "\n  extra: " + "".join(f"\n    {a} -> {b}" for a, b in extra))


def test_the_suite_is_well_formed():
    programs = suite_programs()
    assert len(programs) >= 110
    assert set(known_gaps()) <= set(programs), "KNOWN_GAPS names a program that does not exist"
    for program in programs:
        data = json.loads((SUITE / program / "callgraph.json").read_text())
        assert list(data) == sorted(data) and all(v == sorted(set(v)) and v for v in data.values()), program
        assert (SUITE / program / "main.py").is_file(), program
