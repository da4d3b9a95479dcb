"""Shell completion of OPERATION (`stackread trace cre<TAB>`): the names of the operations of the
tree that `-C PATH` names earlier on the line.

A shell asks on every <TAB>, so this reads the routes from the index cache when it is warm (as
`trace` keeps them) and only the route files otherwise, never the whole program. Whatever goes
wrong (no such tree, a broken file, a cache it cannot open) completes nothing and says nothing:
a traceback or a warning in the middle of a command line would only get in the way.
"""

from __future__ import annotations

import contextlib
import io
import warnings

from stackread.flows.reading import Reading


def operation_names(reading: Reading | None, incomplete: str) -> list[str]:
    """The names that find an operation of the tree (those `routes --find` suggests), which start
    with `incomplete`; none without a tree."""
    if reading is None:
        return []
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            return _names(reading, incomplete)
    except Exception:  # noqa: BLE001 (completion must never fail the shell; see the docstring)
        return []


def _names(reading: Reading, incomplete: str) -> list[str]:
    from stackread.flows.operations import pasteable_names

    wanted = incomplete.lower()
    # A name with a blank would need quoting at the prompt: those are left to `routes --find`.
    return sorted(name for name in pasteable_names(_routes(reading))
                  if name.lower().startswith(wanted) and " " not in name)


def _routes(reading: Reading) -> list:
    from stackread.diagnostics import Diagnostics

    return routes_of(reading, Diagnostics())


def routes_of(reading: Reading, diagnostics) -> list:
    """The routes of a tree, from the cache `trace` keeps when warm."""
    from stackread.flows.question import cached
    from stackread.flows.treekey import tree_key
    from stackread.frameworks.rest.routes_mapper import routes_of_project

    with reading.open_cache(diagnostics) as cache:
        key = tree_key(reading.tree) if reading.use_cache else None
        return cached(cache, key and f"routes:{key}", lambda: routes_of_project(reading.project)).routes


def every_operation(reading: Reading) -> tuple[list[str], list]:
    """`trace --list`: one name per operation, each one `trace` finds, and what was wrong in the tree;
    the routes come from the cache when a command has read the tree."""
    from stackread.diagnostics import Diagnostics
    from stackread.flows.operations import pasteable_names

    diagnostics = Diagnostics()
    return sorted(pasteable_names(routes_of(reading, diagnostics))), diagnostics.items
