"""Layers import one way: cli -> render -> flows -> frameworks -> program -> index -> source (ARCHITECTURE.md)."""

import ast
import pathlib

import stackread

PACKAGE = pathlib.Path(stackread.__file__).parent

# Lower number = lower layer; a module may import only its own layer or lower ones. The loose
# modules at the top are what every layer shares: errors, diagnostics and timing.
LAYERS = {
    "errors": 0, "diagnostics": 0, "perf": 0, "__init__": 0,
    "source": 1, "index": 2, "program": 3, "frameworks": 4, "flows": 5, "render": 6,
    "cli": 7, "__main__": 7,
}


def layer_of(module: str) -> int:
    return LAYERS[module.split(".")[0]]


def _imports(path: pathlib.Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "stackread":
                yield from (f"{alias.name}" for alias in node.names if alias.name != "__version__")
            elif node.module.startswith("stackread."):
                yield node.module.removeprefix("stackread.")
        elif isinstance(node, ast.Import):
            yield from (a.name.removeprefix("stackread.") for a in node.names if a.name.startswith("stackread."))


def test_every_module_has_a_layer_and_imports_only_downwards():
    problems = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        own = layer_of(rel)
        for target in _imports(path):
            if layer_of(target) > own:
                problems.append(f"{rel} (layer {own}) imports {target} (layer {layer_of(target)})")
    assert problems == []


def test_no_loose_modules_but_the_shared_ones():
    loose = {p.stem for p in PACKAGE.glob("*.py")}
    assert loose <= {"errors", "diagnostics", "perf", "__init__", "__main__"}


def test_every_package_says_what_it_knows_and_may_import():
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and len(doc.split()) >= 12, f"{init.relative_to(PACKAGE)} has no docstring worth the name"


def test_analysis_never_imports_rich_or_click():
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(("render/", "cli/")):
            continue
        source = path.read_text()
        assert "import rich" not in source and "from rich" not in source, rel
        assert "import click" not in source, rel


def test_program_modules_and_classes_stay_small():
    """The engine is split by concern (issue 13): no module of program/ over 650 lines, no class
    over 400 (Program itself was once one class of 700)."""
    for path in (PACKAGE / "program").rglob("*.py"):
        source = path.read_text()
        rel = path.relative_to(PACKAGE).as_posix()
        assert len(source.splitlines()) <= 650, f"{rel} has {len(source.splitlines())} lines"
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 400, f"{rel}:{node.lineno}: class {node.name} has {length} lines"
