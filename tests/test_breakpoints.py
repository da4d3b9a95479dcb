"""Breakpoint statements in and out of source files: placed where pdb should stop, removed byte for byte."""

import ast
import pathlib
import subprocess
import textwrap

import pytest

from stackread import breakpoints as bp
from stackread.edits import (MARKER, WorkingTree, carries_marker, first_line, insert_breakpoints, is_docstring,
                             remove_breakpoints, statements_in_order)
from stackread.errors import UsageError

SOURCE = textwrap.dedent('''\
    """Module docstring."""
    import os


    class Manager(object):
        """A manager."""

        def build(self, ctxt, instance):
            """Build it.

            More words.
            """
            # Comments stay where they are.
            name = instance.name

            @decorate(name)
            def _locked(*args):
                return os.path.join(*args)
            if ctxt:  # a comment on the if
                return self.client.cast(ctxt, 'build',
                                        name=name)
            return _locked()

        def one_liner(self): return 1

        def no_docstring(self, x):
            x += 1; return x
    ''')


def numbered(source: bytes):
    stmts = statements_in_order(ast.parse(source))
    return {(type(s).__name__, getattr(s, "name", None), s.lineno): n for n, s in enumerate(stmts)}, stmts


def test_insert_puts_the_statement_after_the_docstring_and_before_the_sending_statement():
    data = SOURCE.encode()
    numbers, stmts = numbered(data)
    build = numbers[("FunctionDef", "build", 8)]
    no_doc = numbers[("FunctionDef", "no_docstring", 26)]
    cast = numbers[("Return", None, 20)]
    result = insert_breakpoints(data, {build, no_doc}, {cast})
    assert (result.inserted, result.present, result.unplaced) == (3, 0, [])
    text = result.data.decode()
    assert text.count(f"import pdb; pdb.set_trace()  # {MARKER}") == 3
    assert ('        """\n'
            "        import pdb; pdb.set_trace()  # stackread-breakpoint\n"
            "        # Comments stay where they are.\n"
            "        name = instance.name\n") in text
    assert ("    if ctxt:  # a comment on the if\n"
            "            import pdb; pdb.set_trace()  # stackread-breakpoint\n"
            "            return self.client.cast(ctxt, 'build',\n") in text
    assert "def no_docstring(self, x):\n        import pdb; pdb.set_trace()  # stackread-breakpoint\n        x += 1" in text
    ast.parse(result.data)
    assert remove_breakpoints(result.data) == (data, 3)


def test_insert_twice_inserts_once_and_a_one_line_body_is_left_alone():
    data = SOURCE.encode()
    numbers, _ = numbered(data)
    build, one = numbers[("FunctionDef", "build", 8)], numbers[("FunctionDef", "one_liner", 24)]
    once = insert_breakpoints(data, {build, one}, set())
    assert once.inserted == 1
    # Numbers of the edited file: the inserted line is two statements (import; call).
    numbers, _ = numbered(once.data)
    again = insert_breakpoints(once.data, {numbers[("FunctionDef", "build", 8)]}, set(), "breakpoint()")
    assert (again.inserted, again.present, again.data) == (0, 1, once.data)


def test_first_line_skips_docstring_and_markers_and_starts_a_decorated_def_at_its_decorator():
    data = SOURCE.encode()
    _, stmts = numbered(data)
    build = next(s for s in stmts if getattr(s, "name", None) == "build")
    assert is_docstring(build.body[0]) and build.body[1].lineno == 14
    locked = next(s for s in stmts if getattr(s, "name", None) == "_locked")
    assert (locked.lineno, first_line(locked)) == (17, 16)
    inserted = insert_breakpoints(data, {stmts.index(build)}, set()).data
    lines = inserted.split(b"\n")
    new_build = next(s for s in statements_in_order(ast.parse(inserted)) if getattr(s, "name", None) == "build")
    assert carries_marker(lines, new_build.body[1]) and not carries_marker(lines, new_build.body[3])


def test_remove_keeps_user_lines_and_crlf_files_round_trip():
    crlf = SOURCE.replace("\n", "\r\n").encode()
    numbers, _ = numbered(crlf)
    result = insert_breakpoints(crlf, {numbers[("FunctionDef", "build", 8)]}, set(), "breakpoint()")
    assert b"breakpoint()  # stackread-breakpoint\r\n" in result.data
    assert remove_breakpoints(result.data) == (crlf, 1)
    # A user's own pdb line, or the marker word inside another comment, is not ours to remove.
    own = SOURCE.replace("name = instance.name", "import pdb; pdb.set_trace()  # stackread-breakpoint!").encode()
    assert remove_breakpoints(own) == (own, 0)


def test_stmt_must_be_one_line_of_simple_statements():
    from stackread.edits import check_statement

    check_statement("breakpoint()")
    check_statement("import remote_pdb; remote_pdb.set_trace('127.0.0.1', 4444)")
    for bad in ("if x:\n  pass", "for i in x: pass", "x = (", "pdb.set_trace()  # mine"):
        with pytest.raises(UsageError):
            check_statement(bad)


def git(root: pathlib.Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=root,
                          check=True, capture_output=True, text=True).stdout


def small_plan(root: pathlib.Path, files: dict[str, str]) -> bp.Plan:
    """A plan with the first def of each file as the place, as plan_breakpoints would name it."""
    places = []
    for rel, source in files.items():
        stmts = statements_in_order(ast.parse(source))
        number = next(n for n, s in enumerate(stmts) if isinstance(s, ast.FunctionDef))
        places.append(bp.Place("svc", rel, stmts[number].body[0].lineno, f"m.{stmts[number].name}", "entry",
                               "entry", number, True))
    return bp.Plan("op", "POST /x", root, None, ["svc"], places, {})


def test_insert_refuses_changed_files_unless_forced_and_never_edits_outside_the_repository(tmp_path):
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    files = {"pkg/a.py": "def f():\n    return 1\n", "pkg/b.py": "def g():\n    return 2\n"}
    for rel, source in files.items():
        (repo / rel).write_text(source)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    plan = small_plan(repo, files)

    (repo / "pkg/b.py").write_text(files["pkg/b.py"] + "# mine\n")
    with pytest.raises(UsageError, match=r"uncommitted changes .*\n  pkg/b.py"):
        bp.insert(plan)
    assert (repo / "pkg/a.py").read_text() == files["pkg/a.py"]  # refused before editing anything

    changes = bp.insert(plan, force=True)
    assert [p.name for p in changes.files] == ["a.py", "b.py"]
    assert git(repo, "diff", "--numstat").split() == ["1", "0", "pkg/a.py", "2", "0", "pkg/b.py"]
    # Our own breakpoints are no change of the user's: inserting again is allowed and adds nothing.
    (repo / "pkg/b.py").write_text(files["pkg/b.py"])
    assert bp.insert(small_plan(repo, files)).inserted == 1  # b.py got it back, a.py had it
    removed = bp.remove(repo)
    assert removed.removed == 2 and git(repo, "status", "--porcelain") == ""

    # A file that is a link to outside the repository is never edited.
    outside = tmp_path / "outside.py"
    outside.write_text(files["pkg/a.py"])
    (repo / "pkg/a.py").unlink()
    (repo / "pkg/a.py").symlink_to(outside)
    with pytest.raises(UsageError, match="outside"):
        bp.insert(plan, force=True)
    assert outside.read_text() == files["pkg/a.py"]


def test_outside_git_insert_needs_force(tmp_path):
    files = {"pkg/a.py": "def f():\n    return 1\n"}
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/a.py").write_text(files["pkg/a.py"])
    assert WorkingTree.open(tmp_path).repo is None
    with pytest.raises(UsageError, match="not in a git repository.*--force"):
        bp.insert(small_plan(tmp_path, files))
    assert bp.insert(small_plan(tmp_path, files), force=True).inserted == 1
    assert bp.remove(tmp_path).removed == 1 and (tmp_path / "pkg/a.py").read_text() == files["pkg/a.py"]
