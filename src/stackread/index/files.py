"""Which files make up a program, and the content key that identifies each one."""

from __future__ import annotations

from stackread.source.content import content_key  # noqa: F401 (where the index names it)
from stackread.source.trees import SourceTree

TEST_DIRS = frozenset({"tests", "test"})


def list_sources(tree: SourceTree, include_tests: bool) -> list[str]:
    """Every .py file of the tree; test directories only when asked for (and then never walked)."""
    return list(tree.walk_files("", ".py", skip_dirs=frozenset() if include_tests else TEST_DIRS))


def module_name(path: str) -> tuple[str, bool]:
    """`nova/compute/api.py` -> nova.compute.api; a package's __init__.py names the package."""
    rel = path[:-3] if path.endswith(".py") else path
    if rel == "__init__" or rel.endswith("/__init__"):
        return rel[: -len("__init__")].rstrip("/").replace("/", "."), True
    return rel.replace("/", "."), False


