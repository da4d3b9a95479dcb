"""Breakpoint statements in and out of source files: placed where pdb should stop, removed byte for byte."""

import ast
import errno
import os
import pathlib
import shutil
import subprocess
import textwrap

import pytest

from stackread.flows import breakpoints as bp
from stackread.source.edits import (MARKER, WorkingTree, carries_marker, first_line, insert_breakpoints, is_docstring,
                             remove_breakpoints, statements_in_order)
from stackread.errors import AnalysisError, UsageError

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
    # Numbers of the edited file: the inserted line is two statements (import; call). Which lines are
    # stackread's comes from its record (here: the lines the first insert added), not from the marker.
    numbers, _ = numbered(once.data)
    from stackread.flows.breakpoint_manifest import added_lines

    ours = frozenset(added_lines(data, once.data))
    assert len(ours) == 1
    again = insert_breakpoints(once.data, {numbers[("FunctionDef", "build", 8)]}, set(), "breakpoint()", ours)
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
    from stackread.source.edits import check_statement

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


def test_outside_git_insert_needs_force_and_records_its_lines_in_the_cache_directory(tmp_path, monkeypatch):
    from stackread.flows import breakpoint_manifest as manifest

    monkeypatch.setenv("STACKREAD_CACHE_DIR", str(tmp_path / "cache"))
    tree = tmp_path / "tree"
    files = {"pkg/a.py": "def f():\n    return 1\n"}
    (tree / "pkg").mkdir(parents=True)
    (tree / "pkg/a.py").write_text(files["pkg/a.py"])
    assert WorkingTree.open(tree).repo is None
    with pytest.raises(UsageError, match="not in a git repository.*--force"):
        bp.insert(small_plan(tree, files))
    assert bp.insert(small_plan(tree, files), force=True).inserted == 1
    record = manifest.location(WorkingTree.open(tree))
    assert record.parent == tmp_path / "cache" / "edits" and record.is_file()
    assert sorted(p.name for p in tree.rglob("*")) == ["a.py", "pkg"]  # nothing added to the user's tree
    assert bp.remove(tree).removed == 1 and (tree / "pkg/a.py").read_text() == files["pkg/a.py"]
    assert not record.exists()


# -- only what the user asked, all or nothing (issue 12) -------------------------------------------

def committed_repo(root: pathlib.Path, files: dict[str, str]) -> pathlib.Path:
    for rel, source in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(source)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


FIVE = {f"pkg/{name}.py": f"def {name}():\n    return {i}\n" for i, name in enumerate("abcde")}


def contents(root: pathlib.Path) -> dict[str, bytes]:
    """Every file of the tree outside .git, so a stray temporary file shows too."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


def test_insert_refuses_files_with_other_hard_links_unless_forced_and_then_writes_through_them(tmp_path):
    repo = committed_repo(tmp_path / "repo", FIVE)
    elsewhere = tmp_path / "elsewhere.py"
    os.link(repo / "pkg/c.py", elsewhere)  # a name outside the repository for the same file
    before = contents(repo)
    with pytest.raises(UsageError, match=r"other hard links.*--force.*\n  pkg/c.py \(2 links\)"):
        bp.insert(small_plan(repo, FIVE))
    assert contents(repo) == before and elsewhere.read_bytes() == before["pkg/c.py"]

    # Forced: every name of the linked file sees the breakpoint (that is what --force asks), and the
    # link survives insert and remove; the other files are replaced, keeping their mode.
    (repo / "pkg/a.py").chmod(0o640)
    inode = os.stat(repo / "pkg/c.py").st_ino
    changes = bp.insert(small_plan(repo, FIVE), force=True)
    assert changes.inserted == 5 and any("pkg/c.py: written through all its 2 hard links" in n for n in changes.notes)
    assert elsewhere.read_bytes() == (repo / "pkg/c.py").read_bytes() != before["pkg/c.py"]
    assert os.stat(repo / "pkg/a.py").st_mode & 0o777 == 0o640
    assert sorted(git(repo, "status", "--porcelain").splitlines()) == [f" M pkg/{n}.py" for n in "abcde"]
    assert bp.remove(repo).removed == 5
    assert contents(repo) == before and elsewhere.read_bytes() == before["pkg/c.py"]
    assert os.stat(repo / "pkg/c.py").st_ino == inode and os.stat(elsewhere).st_nlink == 2


def failing_on(monkeypatch, nth: int):
    """Make the nth file write (counting from 1) fail as an immutable file does, also for root."""
    from stackread.source import writes

    put, calls = writes._put, []

    def flaky(path, data, in_place):
        calls.append(path)
        if len(calls) == nth:
            raise PermissionError(errno.EPERM, "Operation not permitted", str(path))
        return put(path, data, in_place)

    monkeypatch.setattr(writes, "_put", flaky)
    return calls


def test_insert_and_remove_write_every_file_or_none(tmp_path, monkeypatch):
    from stackread.flows import breakpoint_manifest as manifest
    from stackread.source.writes import WriteFailed

    repo = committed_repo(tmp_path / "repo", FIVE)
    before = contents(repo)
    record = manifest.location(WorkingTree.open(repo))
    calls = failing_on(monkeypatch, 3)
    with pytest.raises(WriteFailed, match=r"could not write pkg/c.py: Operation not permitted; put back 2 files "
                                          r"already changed, byte for byte: nothing was edited"):
        bp.insert(small_plan(repo, FIVE))
    assert len(calls) == 5  # a, b, c (failed), then b and a put back
    assert contents(repo) == before and not record.exists() and git(repo, "status", "--porcelain") == ""

    monkeypatch.undo()
    bp.insert(small_plan(repo, FIVE))
    inserted = contents(repo)
    saved = record.read_bytes()
    failing_on(monkeypatch, 4)
    with pytest.raises(WriteFailed, match=r"could not write pkg/d.py: .*put back 3 files"):
        bp.remove(repo)
    assert contents(repo) == inserted and record.read_bytes() == saved
    failing_on(monkeypatch, 6)  # the record itself, written last
    with pytest.raises(WriteFailed, match=r"could not write .*breakpoints.json: .*put back 5 files"):
        bp.remove(repo)
    assert contents(repo) == inserted and record.read_bytes() == saved
    monkeypatch.undo()
    assert bp.remove(repo).removed == 5 and contents(repo) == before and not record.exists()


def test_write_all_puts_back_every_file_when_a_real_write_fails(tmp_path):
    from stackread.source.writes import Write, WriteFailed, write_all

    (tmp_path / "a.py").write_bytes(b"a\n")
    (tmp_path / "b.py").write_bytes(b"b\r\n")
    (tmp_path / "dir.py").mkdir()  # replacing a directory by a file fails, for root too
    plan = [Write(tmp_path / "a.py", b"a\n", b"A\n"), Write(tmp_path / "b.py", b"b\r\n", b"B\n", in_place=True),
            Write(tmp_path / "dir.py", b"", b"x\n")]
    with pytest.raises(WriteFailed, match=r"could not write dir.py: Is a directory; put back 2 files"):
        write_all(plan, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py", "b.py", "dir.py"]  # no temporary file left
    assert (tmp_path / "a.py").read_bytes() == b"a\n" and (tmp_path / "b.py").read_bytes() == b"b\r\n"


def test_an_immutable_file_is_refused_before_anything_is_written(tmp_path):
    repo = committed_repo(tmp_path / "repo", FIVE)
    before = contents(repo)
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(repo / "pkg/c.py")],
                                                        capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not possible here")
    try:
        with pytest.raises(AnalysisError, match=r"cannot write 1 file; nothing was edited:\n"
                                                r"  pkg/c.py \(the file is read-only or immutable\)"):
            bp.insert(small_plan(repo, FIVE))
    finally:
        subprocess.run(["chattr", "-i", str(repo / "pkg/c.py")], check=True)
    assert contents(repo) == before


USERS_OWN = {"pkg/a.py": "def f():\n    x = 1  # stackread-breakpoint\n    return x\n\n\ndef g():\n    return 2\n"}


def test_remove_takes_out_only_lines_stackread_inserted_and_keeps_a_users_marked_line(tmp_path):
    repo = committed_repo(tmp_path / "repo", USERS_OWN)
    plan = small_plan(repo, USERS_OWN)
    plan.places.append(bp.Place("svc", "pkg/a.py", 7, "m.g", "entry", "entry", 3, True))
    changes = bp.insert(plan)
    # The user's marked line is no breakpoint of ours: f gets one too.
    assert (changes.inserted, changes.present) == (2, 0)
    text = (repo / "pkg/a.py").read_text()
    assert text.startswith("def f():\n    import pdb; pdb.set_trace()  # stackread-breakpoint\n    x = 1  # stackr")
    again = bp.insert(small_plan(repo, {"pkg/a.py": text}))  # numbered in the edited file, as a new plan is
    assert (again.inserted, again.present) == (0, 1)  # f's own breakpoint is found by the record
    removed = bp.remove(repo)
    assert removed.removed == 2 and (repo / "pkg/a.py").read_text() == USERS_OWN["pkg/a.py"]
    assert any("left alone 1 line" in n and "pkg/a.py:2" in n for n in removed.notes)
    assert git(repo, "status", "--porcelain") == ""
    # --remove --force takes out every marked line, the user's too: what it says.
    forced = bp.remove(repo, force=True)
    assert forced.removed == 1 and "x = 1  #" not in (repo / "pkg/a.py").read_text()


def test_remove_in_a_file_changed_since_takes_out_only_recorded_lines_still_there(tmp_path):
    files = {"pkg/a.py": "def f():\n    return 1\n\n\ndef g():\n    return 2\n"}
    repo = committed_repo(tmp_path / "repo", files)
    plan = small_plan(repo, files)
    plan.places.append(bp.Place("svc", "pkg/a.py", 6, "m.g", "entry", "entry", 2, True))
    bp.insert(plan)
    path = repo / "pkg/a.py"
    edited = "import os\n\n\n" + path.read_text().replace("return 2", "return os.sep")
    path.write_text(edited)
    removed = bp.remove(repo)
    assert removed.removed == 2 and removed.problems == []
    assert any("changed since --insert" in n for n in removed.notes)
    assert path.read_text() == "import os\n\n\n" + files["pkg/a.py"].replace("return 2", "return os.sep")

    # A recorded line the user took out is reported; the other still goes.
    path.write_text(files["pkg/a.py"])
    bp.insert(plan)
    path.write_text(path.read_text().replace("    import pdb; pdb.set_trace()  # stackread-breakpoint\n    return 2",
                                             "    return 2"))
    removed = bp.remove(repo)
    assert removed.removed == 1 and path.read_text() == files["pkg/a.py"]
    assert len(removed.problems) == 1 and "1 line stackread inserted cannot be found" in removed.problems[0]
    assert "line 7: import pdb; pdb.set_trace()" in removed.problems[0]

    # On the command line: a warning on stderr, and exit status 1 once the rest is done.
    from click.testing import CliRunner

    from stackread.cli import cli

    bp.insert(plan)
    path.write_text(path.read_text().replace("    import pdb; pdb.set_trace()  # stackread-breakpoint\n    return 2",
                                             "    return 2"))
    result = CliRunner().invoke(cli, ["breakpoints", "--remove", "-C", str(repo)])
    assert result.exit_code == 1 and "removed 1 breakpoint in 1 file" in result.output
    assert "warning: pkg/a.py: changed since --insert" in result.output and path.read_text() == files["pkg/a.py"]


@pytest.mark.parametrize("path, text", [
    ("../outside.py", None),
    ("/OUTSIDE", None),
    ("pkg/link.py", None),  # a link in the repository to the file outside
    (".git/config", None),
    ("pkg/a.py", "    return 1"),  # a line of the user's
    ("pkg/a.py", "    return 1  # stackread-breakpoint\n    x"),
    ("pkg/a.py", "    if x: y()  # stackread-breakpoint"),
])
def test_a_crafted_record_is_refused_and_nothing_is_edited(tmp_path, path, text):
    import json

    from stackread.flows import breakpoint_manifest as manifest

    files = {"pkg/a.py": "def f():\n    return 1\n"}
    repo = committed_repo(tmp_path / "repo", files)
    outside = tmp_path / "outside.py"
    outside.write_text("def f():\n    import pdb; pdb.set_trace()  # stackread-breakpoint\n    return 1\n")
    (repo / "pkg/link.py").symlink_to(outside)
    path = path.replace("/OUTSIDE", str(outside))
    line = {"line": 2, "text": text or "    import pdb; pdb.set_trace()  # stackread-breakpoint"}
    where = manifest.location(WorkingTree.open(repo))
    where.parent.mkdir()
    where.write_text(json.dumps({"format": "stackread-breakpoints", "version": 1, "root": str(repo),
                                 "files": [{"path": path, "sha256": manifest.sha256(outside.read_bytes()),
                                            "lines": [line]}]}))
    before = outside.read_bytes(), (repo / "pkg/a.py").read_bytes()
    with pytest.raises(manifest.ManifestError, match="not a record of breakpoints stackread inserted"):
        bp.remove(repo)
    with pytest.raises(manifest.ManifestError):
        bp.insert(small_plan(repo, files))
    assert (outside.read_bytes(), (repo / "pkg/a.py").read_bytes()) == before


def test_links_and_dot_dot_never_lead_an_edit_outside_the_repository(tmp_path):
    files = {"pkg/a.py": "def f():\n    return 1\n"}
    repo = committed_repo(tmp_path / "repo", files)
    away = tmp_path / "away"
    away.mkdir()
    (away / "a.py").write_text(files["pkg/a.py"])
    for plan_path in ("../away/a.py", "lib/a.py"):
        (repo / "lib").unlink(missing_ok=True)
        (repo / "lib").symlink_to(away, target_is_directory=True)  # a linked directory
        plan = small_plan(repo, files)
        plan.places[0] = bp.Place(**{**plan.places[0].__dict__, "path": plan_path})
        with pytest.raises(UsageError, match="outside"):
            bp.insert(plan, force=True)
    assert (away / "a.py").read_text() == files["pkg/a.py"]
    # A link to a file inside the repository edits that file, recorded under its real path.
    (repo / "pkg/alias.py").symlink_to(repo / "pkg/a.py")
    plan = small_plan(repo, files)
    plan.places[0] = bp.Place(**{**plan.places[0].__dict__, "path": "pkg/alias.py"})
    assert bp.insert(plan, force=True).files == [(repo / "pkg/a.py").resolve()]
    assert (repo / "pkg/alias.py").is_symlink() and bp.remove(repo).removed == 1
    assert (repo / "pkg/a.py").read_text() == files["pkg/a.py"]
