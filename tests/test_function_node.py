"""The walk reads a function's own AST from its own lines (ModuleIndex.function_node), not from
its module parsed whole: the same nodes, lines and columns, or None where those lines do not
hold the function (and the module is parsed as before)."""

import ast

from conftest import FIXTURES, write_tree

from stackread.diagnostics import Diagnostics
from stackread.index.summary import summarize
from stackread.program.modules import ModuleIndex
from stackread.source.parsing import ParseProblem, parse_source, rename_keyword_identifiers
from stackread.source.trees import open_tree


def _functions(tree: ast.AST):
    """(qualname, node) of every function of a module, nested ones too."""
    todo = [("", tree)]
    while todo:
        prefix, node = todo.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    yield name, child
                todo.append((f"{name}.", child))
            else:
                todo.append((prefix, child))


def _shape(node: ast.AST) -> str:
    """Its parameters and body with every line and column (its decorators are its caller's business)."""
    return ast.dump(node.args, include_attributes=True) + ast.dump(ast.Module(body=node.body, type_ignores=[]),
                                                                   include_attributes=True)


def _check_every_function(tree, paths) -> tuple[int, int]:
    """(functions checked, modules whose lines need renaming to parse)."""
    checked = skipped = 0
    for path in paths:
        try:
            whole, text = parse_source(tree.read_bytes(path), path)
        except ParseProblem:
            continue  # Python 2: no function of it is read
        renamed = rename_keyword_identifiers(text) != text  # `async` as a name: old code
        index = ModuleIndex(tree, Diagnostics())
        module = index.module_name(path)
        for qualname, node in _functions(whole):
            own = index.function_node(module, node.name, node.lineno, node.end_lineno)
            if own is None and renamed:
                continue  # its lines do not parse as they are: the module is parsed whole, renamed
            assert own is not None, (path, qualname)
            assert (own.lineno, own.col_offset, own.end_lineno) == (node.lineno, node.col_offset, node.end_lineno)
            assert _shape(own) == _shape(node), (path, qualname)
            checked += 1
        assert index._modules == {}  # nothing was parsed whole
        skipped += renamed
    return checked, skipped


def test_every_function_of_the_fixture_trees_is_the_node_its_module_has():
    counts = [_check_every_function(tree, list(tree.walk_files("", ".py")))
              for tree in (open_tree(p) for p in sorted(FIXTURES.iterdir()) if p.is_dir())]
    assert sum(c for c, _ in counts) > 200 and sum(s for _, s in counts) < 5


def test_every_function_of_novas_largest_modules_is_the_node_its_module_has(real_release):
    tree = open_tree(real_release("nova-current"))
    paths = ["nova/compute/manager.py", "nova/compute/api.py", "nova/virt/libvirt/driver.py",
             "nova/conductor/manager.py", "nova/api/openstack/compute/servers.py", "nova/objects/instance.py"]
    checked, skipped = _check_every_function(tree, paths)
    assert checked > 1200 and skipped == 0


def test_lines_that_do_not_hold_the_function_give_none(tmp_path):
    source = ('def first():\n    """A docstring\nat column 0, then code."""\n    return 1\n\n\n'
              'class Host:\n\tdef tabbed(self):\n\t\treturn "\\f"\n\n'
              'if True:\n    def chosen():\n        pass\n')
    root = write_tree(tmp_path / "t", {"pkg/__init__.py": "", "pkg/mod.py": source})
    index = ModuleIndex(open_tree(root), Diagnostics())
    summary = {d[0]: d for d in summarize(ast.parse(source), source)["defs"]}
    for qualname in ("first", "Host.tabbed", "chosen"):
        d = summary[qualname]
        assert index.function_node("pkg.mod", qualname.rpartition(".")[2], d[2], d[3]) is not None, qualname
    assert index.function_node("pkg.mod", "first", 1, 2) is None  # cut inside its docstring
    assert index.function_node("pkg.mod", "other", 1, 4) is None  # another function's lines
    assert index.function_node("pkg.mod", "first", 2, 4) is None  # no def at that line
    assert index.function_node("pkg.absent", "first", 1, 4) is None
    index.get("pkg.mod")
    assert index.function_node("pkg.mod", "first", 1, 4) is None  # parsed whole: its own node is at hand
