"""The call-graph suite of issue 14 (tests/callgraph_suite): how many programs the engine gets exactly
right, and edge precision and recall over all programs' edges, per category and in total.

    python benchmarks/callgraph_suite.py [--category containers] [--json]
    python benchmarks/callgraph_suite.py --write-gaps    # KNOWN_GAPS rewritten from this engine

Precision = right edges / edges found, recall = right edges / edges expected, both summed over every
program of the category (not averaged per program), so a big program weighs by its edges.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from stackread.flows.callgraph import load_callgraph
from stackread.flows.reading import Reading

SUITE = Path(__file__).resolve().parent.parent / "tests" / "callgraph_suite"


def expected_edges(program: Path) -> set[tuple[str, str]]:
    data = json.loads((program / "callgraph.json").read_text())
    return {(caller, callee) for caller, callees in data.items() for callee in callees}


def actual_edges(program: Path) -> set[tuple[str, str]]:
    graph = load_callgraph(Reading(program, use_cache=False)).graph
    own = {node.name for node in graph.nodes()}
    return {(e.caller, e.callee) for e in graph.edges() if e.caller in own and e.callee in own}


def _short(edge: tuple[str, str]) -> str:
    return " -> ".join(n.partition(".")[2] or n for n in edge)  # without the module `main.`


def gap_note(want: set, got: set) -> str:
    """`missing a -> b; extra c -> d`, as KNOWN_GAPS says why a program is not right yet."""
    parts = []
    if want - got:
        parts.append("missing " + ", ".join(_short(e) for e in sorted(want - got)))
    if got - want:
        parts.append("extra " + ", ".join(_short(e) for e in sorted(got - want)))
    return "; ".join(parts)


def write_gaps(programs: list[Path]) -> int:
    gaps_file = SUITE / "KNOWN_GAPS"
    header = [line for line in gaps_file.read_text().splitlines() if line.startswith("#")]
    lines = []
    for program in programs:
        want, got = expected_edges(program), actual_edges(program)
        if want != got:
            lines.append(f"{program.relative_to(SUITE).as_posix()}  # {gap_note(want, got)}")
    gaps_file.write_text("\n".join(header + lines) + "\n")
    return len(lines)


def score(programs: list[Path]) -> dict:
    right = found = expected = exact = 0
    wrong = []
    for program in programs:
        want, got = expected_edges(program), actual_edges(program)
        right += len(want & got)
        found += len(got)
        expected += len(want)
        if want == got:
            exact += 1
        else:
            wrong.append(program.relative_to(SUITE).as_posix())
    return {"programs": len(programs), "exact": exact,
            "precision": round(right / found, 4) if found else 1.0,
            "recall": round(right / expected, 4) if expected else 1.0,
            "edges_expected": expected, "edges_found": found, "edges_right": right, "wrong": wrong}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--category", help="score one category only (a directory of tests/callgraph_suite)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--write-gaps", action="store_true",
                        help="rewrite KNOWN_GAPS with the programs this engine does not get right")
    args = parser.parse_args()
    categories = sorted(p.name for p in SUITE.iterdir() if p.is_dir())
    if args.category:
        if args.category not in categories:
            sys.exit(f"no category {args.category!r}; there are: {', '.join(categories)}")
        categories = [args.category]
    by_category = {c: sorted(p.parent for p in (SUITE / c).glob("*/callgraph.json")) for c in categories}
    if args.write_gaps:
        if args.category:
            sys.exit("--write-gaps rewrites the whole list: leave --category out")
        print(f"KNOWN_GAPS: {write_gaps([p for ps in by_category.values() for p in ps])} programs")
        return
    report = {c: score(ps) for c, ps in by_category.items()}
    report["total"] = score([p for ps in by_category.values() for p in ps])
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{'category':<22}{'programs':>9}{'exact':>7}{'precision':>11}{'recall':>8}")
    for name, r in report.items():
        print(f"{name:<22}{r['programs']:>9}{r['exact']:>7}{r['precision']:>11.3f}{r['recall']:>8.3f}")
    for name, r in report.items():
        if name != "total" and r["wrong"]:
            print(f"not exact in {name}: {', '.join(w.split('/', 1)[1] for w in r['wrong'])}")


if __name__ == "__main__":
    main()
