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


# -- sizes: modules a reader can hold in mind, a command line that only wires -----------------------

MAX_MODULE_LINES = 650
MAX_CLI_LINES = 450
MAX_PARAMETERS = 5


def _lines(path: pathlib.Path) -> int:
    return len(path.read_text().splitlines())


def _modules(*packages: str) -> list[pathlib.Path]:
    return sorted(p for package in packages for p in (PACKAGE / package).rglob("*.py"))


def test_no_module_is_over_650_lines():
    big = {p.relative_to(PACKAGE).as_posix(): _lines(p) for p in PACKAGE.rglob("*.py")}
    assert {name: n for name, n in big.items() if n > MAX_MODULE_LINES} == {}


def _help_text_lines(path: pathlib.Path) -> int:
    """Lines of docstrings: what `--help` prints to the user, documentation rather than code."""
    lines = 0
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node) is not None:
            lines += node.body[0].end_lineno - node.body[0].lineno + 1
    return lines


def test_the_cli_is_thin():
    # Click commands parse options, build one request, call one flow and hand the answer to render:
    # what to draw, which view, how a diff or a diagnostic prints lives in render, decisions in flows.
    # Help texts are left out of the count: a new command must not cost another one's --help.
    assert sum(_lines(p) - _help_text_lines(p) for p in _modules("cli")) < MAX_CLI_LINES


def _is_click_command(node: ast.AST) -> bool:
    """A click callback takes one parameter per option by click's design: it is the command line
    itself, and builds the request objects (Reading, Question, TraceOutput) from them at once."""
    for decorator in getattr(node, "decorator_list", []):
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in ("command", "group"):
            return True
    return False


def _parameters(node) -> list[str]:
    args = node.args
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    return names[1:] if names[:1] in (["self"], ["cls"]) else names


def test_no_helper_of_flows_or_cli_takes_more_than_five_parameters():
    # The values a flow question is made of travel together (flows/question.py Question, flows/
    # reading.py Reading), never as ten loose ones; keyword-only options count as parameters too.
    many = []
    for path in _modules("flows", "cli"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and not _is_click_command(node):
                if len(_parameters(node)) > MAX_PARAMETERS:
                    many.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {getattr(node, 'name', 'lambda')}"
                                f"({', '.join(_parameters(node))})")
    assert many == []


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
