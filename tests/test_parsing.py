"""Old and new grammars both parse, with every line and column where the source has it."""

import ast

import pytest

from stackread.source.parsing import ParseProblem, parse_source

OCATA_LIVE_MIGRATE = b'''\
class API(object):
    def live_migrate(self, context, instance, block_migration,
                     disk_over_commit, host_name, force=None, async=False):
        self.compute_task_api.live_migrate_instance(context, instance,
                                                    host_name, async=async)
        if async:
            return None
'''


def test_async_as_identifier_parses_with_positions_kept():
    tree, text = parse_source(OCATA_LIVE_MIGRATE, "nova/compute/api.py")
    func = tree.body[0].body[0]
    assert func.name == "live_migrate"
    assert func.lineno == 2
    call = func.body[0].value
    assert call.lineno == 4
    condition = func.body[1].test
    # The condition's source text comes from the original file, so readers see `async`.
    assert ast.get_source_segment(text, condition) == "async"


def test_real_async_keyword_is_left_alone():
    src = b"async def f(x):\n    async with x as y:\n        await y.async_()\n    return await g(async_=1)\n"
    tree, _ = parse_source(src, "m.py")
    assert isinstance(tree.body[0], ast.AsyncFunctionDef)


def test_walrus_and_async_names_in_one_tree():
    src = b"def f(a, async=1):\n    if (n := a):\n        return n\n"
    tree, _ = parse_source(src, "m.py")
    assert [a.arg for a in tree.body[0].args.args] == ["a", "asyn_"]


def test_async_name_at_the_end_of_a_line_before_def_for_or_with():
    # The `def`, `for` or `with` that follows on the next line is not the async keyword's.
    for after in ("def g():\n    pass\n", "for i in x:\n    pass\n", "with x:\n    pass\n"):
        tree, _ = parse_source(("def f(async):\n    return async\n" + after).encode(), "m.py")
        assert [a.arg for a in tree.body[0].args.args] == ["asyn_"] and len(tree.body) == 2


@pytest.mark.parametrize("src", [
    "x = async",  # at the end of the file, no newline
    "x = async  # a comment\ndef g():\n    pass\n",
    "f(a, async\n  )\nfor i in y:\n    pass\n",  # inside parentheses, across lines
    "y = [x for x in async\n     for z in x]\n",  # the next clause's `for` on the next line
    "def f(await):\n    return await\ndef g():\n    pass\n",
])
def test_async_and_await_names_next_to_line_ends(src):
    tree, text = parse_source(src.encode(), "m.py")
    dump = ast.dump(tree)
    assert text == src and ("asyn_" in dump or "awai_" in dump)


def test_real_async_keywords_stay_where_a_name_is_renamed():
    src = ("async def f(x):\n    async with x as y:\n        pass\n    async for i in y:\n        pass\n"
           "    return [a async\n            for a in b]\n"
           "def g(async):\n    return async\n")
    tree, _ = parse_source(src.encode(), "m.py")
    f, g = tree.body
    assert isinstance(f, ast.AsyncFunctionDef) and [type(s).__name__ for s in f.body] == ["AsyncWith", "AsyncFor",
                                                                                          "Return"]
    assert f.body[2].value.generators[0].is_async and (g.args.args[0].arg, g.args.args[0].col_offset) == ("asyn_", 6)


def test_utf8_bom_is_accepted():
    tree, text = parse_source("\ufeff# -*- coding: utf-8 -*-\nX = 'é'\n".encode("utf-8"), "host_mapper.py")
    assert tree.body[0].targets[0].id == "X"
    assert not text.startswith("\ufeff")


@pytest.mark.parametrize("src, hint", [
    (b'print "hello"\n', "Python 2"),
    (b"try:\n    pass\nexcept Exception, e:\n    pass\n", "Python 2"),
    (b"def f(:\n", "does not parse"),
    (b"x = 1\x00\n", "does not parse"),
    (b"x = 1\ny = '\xff'\n", "not valid utf-8"),
])
def test_bad_files_give_one_line_reasons(src, hint):
    with pytest.raises(ParseProblem) as info:
        parse_source(src, "bad.py")
    message = str(info.value)
    assert message.startswith("bad.py")
    assert hint in message
    assert "\n" not in message


def test_deeply_nested_expression_is_a_problem_not_a_crash():
    src = ("x = " + "(" * 3000 + "1" + ")" * 3000 + "\n").encode()
    with pytest.raises(ParseProblem):
        parse_source(src, "deep.py")


def test_huge_generated_file_is_skipped():
    with pytest.raises(ParseProblem, match="too large"):
        parse_source(b"x = 1\n" * 1_000_000, "gen.py")
