"""Layers import one way: cli -> render -> flows -> program -> index -> source (docs/architecture)."""

import ast
import pathlib

import stackread

PACKAGE = pathlib.Path(stackread.__file__).parent

# Lower number = lower layer; a module may import only its own layer or lower ones.
LAYERS = {
    "errors": 0, "diagnostics": 0, "perf": 0, "cachedir": 0, "writes": 0, "gitsafe": 0, "datacodec": 0,
    "source": 1, "fetch": 1, "parsing": 1, "route": 1, "pipconfig": 1,
    "metadata": 2, "modules": 2, "index": 2, "edits": 2, "manifest": 2, "cacheadmin": 2,
    "evaluate": 3, "config_opts": 3, "services": 3, "program": 3,
    "entrypoints": 4, "callgraph": 4, "option_settings": 4, "drivers": 4, "treekey": 4,
    "rpc": 5, "rest": 5, "operations": 5, "trace": 5, "flowdiff": 5, "cuts": 5,
    "breakpoints": 5, "breakpoint_edits": 5,
    "render": 6,
    "cli": 7, "__main__": 7, "__init__": 0,
}


def layer_of(module: str) -> int:
    return LAYERS[module.split(".")[0]]


def test_every_module_has_a_layer_and_imports_only_downwards():
    problems = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        own = layer_of(rel)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("stackread."):
                target = node.module.removeprefix("stackread.")
                if layer_of(target) > own:
                    problems.append(f"{rel} (layer {own}) imports {target} (layer {layer_of(target)})")
    assert problems == []


def test_analysis_never_imports_rich_or_click():
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(("render/", "cli.py")):
            continue
        source = path.read_text()
        assert "import rich" not in source and "from rich" not in source, rel
        assert "import click" not in source, rel
