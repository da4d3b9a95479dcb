"""How often the engine's memo (program.depth.Guard) keeps an answer that depends on what was asked first.

    python benchmarks/memo_cycles.py [--graphs 5000]

The Guard memoises every value-flow question; a question that meets itself gets an empty provisional
answer, and what was worked out on the way is memoised at once, the provisional hole with it. On
random graphs of sets (each node: its own set and the union of its successors', as a parameter
holds what its callers pass), asked in random orders through a Guard, it prints how many memoised
answers differ when that one is forgotten and asked again (it depended on the order), and how many
fall short of the least fixed point (a value left out; more than it is never given). Seconds to run,
where benchmarks/resolution_order.py takes a release: a loop for trying a memo. A memo that gets the
first figure to 0 must also be tried on real releases: the two of stop 37 that did (answers kept
aside until their cycle is done, then dropped, or worked out again in rounds) took Neutron 12.1.1's
resolution from 1.6 CPU-s to more than 120. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import time

from stackread.diagnostics import Diagnostics
from stackread.program.depth import Guard


def graph(seed: int) -> tuple[dict, dict, list]:
    rnd = random.Random(seed)
    n = rnd.randint(2, 9)
    successors = {i: [rnd.randrange(n) for _ in range(rnd.randint(0, 3))] for i in range(n)}
    own = {i: frozenset({i}) if rnd.random() < 0.5 else frozenset() for i in range(n)}
    order = list(range(n))
    rnd.shuffle(order)
    return successors, own, order


def least_fixed_point(successors: dict, own: dict) -> dict:
    value = dict(own)
    changed = True
    while changed:
        changed = False
        for node, nexts in successors.items():
            grown = value[node].union(*(value[n] for n in nexts))
            if grown != value[node]:
                value[node], changed = grown, True
    return value


def asker(successors: dict, own: dict, memo: dict):
    guard = Guard(Diagnostics())

    def ask(node):
        return guard.cached(memo, node, lambda: own[node].union(*(ask(n) for n in successors[node])))
    return ask


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", type=int, default=5000)
    graphs = parser.parse_args().graphs
    start = time.process_time()
    answers = order_dependent = short = 0
    for seed in range(graphs):
        successors, own, order = graph(seed)
        exact = least_fixed_point(successors, own)
        memo: dict = {}
        ask = asker(successors, own, memo)
        for node in order:
            ask(node)
        for node, answer in memo.items():
            answers += 1
            short += answer != exact[node]
            again = {k: v for k, v in memo.items() if k != node}
            order_dependent += asker(successors, own, again)(node) != answer
    print(f"{graphs} graphs, {answers} answers memoised: {order_dependent} differ when asked again, "
          f"{short} short of the least fixed point; {time.process_time() - start:.2f} CPU-s")


if __name__ == "__main__":
    main()
