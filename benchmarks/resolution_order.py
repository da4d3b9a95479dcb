"""Whether the whole-program call graph depends on the order its modules are resolved in.

    python benchmarks/resolution_order.py [--release nova==34.0.0]

Builds the program once, then resolves every module's calls (program/callgraph.py's loop) in name
order, in reverse name order, and in two forked halves (as two cores would), and prints how many
edges each run has that the name-order run has not, and the other way round, and each run's CPU
seconds. An engine whose answers are order-independent prints zeros; a lazy or parallel resolution
is only safe then. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import time

from stackread.diagnostics import Diagnostics
from stackread.flows.callgraph import build_program
from stackread.index import cache as summary_cache
from stackread.program import callgraph as resolution
from stackread.program.graph import CallGraph, Node
from stackread.program.implicit import defined_dunders
from stackread.source.fetch import fetch_release
from stackread.source.trees import open_tree


def edges_of(program, modules) -> tuple[set, float]:
    """The edges of these modules' calls, resolved in this order, and the CPU seconds it took."""
    start = time.process_time()
    graph = CallGraph()
    for module in program.modules.values():
        graph.add_node(Node(module.name, "module", module.path, 1))
        for definition in module.defs.values():
            graph.add_node(Node(definition.full, resolution._node_kind(module, definition), module.path,
                                definition.line))
    dunders = defined_dunders(program)
    properties = frozenset(d.qualname.rpartition(".")[2] for d in program.defs.values() if d.kind == "property")
    program.calls.declarations = False
    stats = resolution.Stats()
    for module in modules:
        resolution._module_edges(program, graph, module, stats, dunders, properties)
        program.values.forget_local()
    return {(e.caller, e.callee, e.line) for e in graph.edges()}, time.process_time() - start


def forked(program, modules) -> tuple[set, float]:
    """edges_of in a child process, so that this process's memo stays as it was."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        with os.fdopen(write, "wb") as out:
            out.write(pickle.dumps(edges_of(program, modules)))
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as got:
        result = pickle.loads(got.read())
    os.waitpid(pid, 0)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", default="nova==34.0.0")
    release = parser.parse_args().release
    gc.disable()
    tree = open_tree(fetch_release(release))
    cache = summary_cache.SummaryCache(None, stackread_version="bench", warn=print)
    program, _indexed = build_program(tree, cache, Diagnostics(), False)
    modules = sorted(program.modules.values(), key=lambda m: m.name)
    base, cpu = forked(program, modules)
    print(f"{release}: {len(base)} edges in name order, {cpu:.2f} CPU-s")
    reverse, cpu = forked(program, modules[::-1])
    print(f"reverse order: {len(base - reverse)} fewer, {len(reverse - base)} others, {cpu:.2f} CPU-s")
    weights = [len(m.calls()) + 1 for m in modules]
    half = next(i for i in range(len(modules)) if sum(weights[:i + 1]) * 2 >= sum(weights))
    first, cpu1 = forked(program, modules[:half + 1])
    second, cpu2 = forked(program, modules[half + 1:])
    both = first | second
    print(f"two halves: {len(base - both)} fewer, {len(both - base)} others, {cpu1:.2f} + {cpu2:.2f} CPU-s")


if __name__ == "__main__":
    main()
