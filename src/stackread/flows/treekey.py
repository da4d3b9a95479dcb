"""What an answer about a tree depends on, as one cache key: every input it is read from.

`trace` keeps its flows (and the routes and entry points every new question needs) under this
key, so an edit of anything the answer comes from must change it: the .py files (the program's
key), the packaging metadata that says which programs the project installs and what it is called
(`nova-api` is the project's name), and stackread's own code.
"""

from __future__ import annotations

import functools
import hashlib
import pathlib

from stackread import __version__
from stackread.index.files import content_key, list_sources
from stackread.index.summary import FORMAT
from stackread.source.content import key_of
from stackread.frameworks.rest.paste_files import paste_files
from stackread.source.trees import SourceTree

# What `metadata.read_metadata` and `entrypoints._installed_metadata_dir` may read, besides .py
# files: a project's own files where it stands (a source tree, an sdist), and in each *.egg-info /
# *.dist-info there (an sdist's, or a site-packages directory's, read as the project) the same and
# the generated ones. tests/test_trace_cache.py checks that the readers read nothing else.
PROJECT_FILES = ("setup.cfg", "pyproject.toml", "PKG-INFO")
GENERATED_FILES = (*PROJECT_FILES, "entry_points.txt", "METADATA")


def tree_key(tree: SourceTree) -> str | None:
    """The key of the tree's answers; None when it has no Python files (nothing to cache)."""
    program = program_key(tree, False)
    if program is None:
        return None
    # api-paste.ini says which router is mounted where (frameworks/rest/paste.py): routes depend on it.
    inputs = metadata_inputs(tree) + paste_files(tree)
    # Which metadata files exist (the first *.egg-info is the one read) and whether src/ is a root
    # of modules decide as much as what the files say.
    layout = (tree.is_dir("src"), inputs)
    digest = hashlib.sha1(repr((code_fingerprint(), str(tree.label), tree.revision, program, layout)).encode())
    for name in inputs:
        data = tree.read_bytes(name) if tree.is_file(name) else None
        digest.update(name.encode() + (b"\1" + data if data is not None else b"\0"))
    return digest.hexdigest()


def answer_key(kind: str, tree: SourceTree) -> str | None:
    """The key of a command's whole answer about the tree (`rpc`'s report, `entrypoints`' with its
    servers): the tree's key, and the libraries read beside it."""
    key = tree_key(tree)
    libraries = getattr(tree, "library_labels", ())
    return f"{kind}:" + hashlib.sha1(repr((key, libraries)).encode()).hexdigest() if key else None


def kept_key(kind: str, tree: SourceTree) -> str:
    """The key of what a tree says that is kept by what it read (flows/question.kept_by_reads):
    the routes, entry points, policy rules and the like, one record for every command."""
    return f"{kind}:{reads_key(tree)}"


def reads_key(tree: SourceTree) -> str:
    """The key of the answers kept by what they read of the tree (flows/question.kept_by_reads):
    which tree it is and stackread's own code, never its content, which the observations check."""
    libraries = getattr(tree, "library_labels", ())
    return hashlib.sha1(repr((code_fingerprint(), str(tree.label), tree.revision, libraries)).encode()).hexdigest()


def metadata_inputs(tree: SourceTree) -> list[str]:
    """Every file the metadata of the project at the tree's root may be read from."""
    inputs = list(PROJECT_FILES)
    for name in tree.list_dir(""):
        if name.endswith((".egg-info", ".dist-info")):
            inputs += [f"{name}/{file}" for file in GENERATED_FILES]
    return inputs


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """stackread's own source: a changed reader never returns an answer the old one cached."""
    digest = hashlib.sha1()
    package = pathlib.Path(__file__).resolve().parents[1]  # the stackread package, not flows/
    for file in sorted(package.rglob("*.py")):
        digest.update(file.read_bytes())
    return digest.hexdigest()


def program_key(tree: SourceTree, include_tests: bool) -> str | None:
    # stackread's own code too: an engine change moves edges without a new FORMAT, and a blob built
    # by other code must never be served (a suite run once read a graph older code had stored).
    digest = hashlib.sha1(f"{__version__}:{FORMAT}:{include_tests}:{code_fingerprint()}".encode())
    paths = list_sources(tree, include_tests)
    if not paths:
        return None
    for path in paths:
        digest.update(f"{path}\0{key_of(tree, path) or content_key(b'')}\n".encode())
    # The entry points a stevedore manager loads are edges too (program.libraries._driver_manager).
    dists = [f"{name}/entry_points.txt" for name in tree.list_dir("")
             if name.endswith((".dist-info", ".egg-info"))]
    for path in ("setup.cfg", "pyproject.toml", *dists):
        data = tree.read_bytes(path) if tree.is_file(path) else None
        digest.update(f"{path}\0{content_key(data) if data is not None else '-'}\n".encode())
    return "program:" + digest.hexdigest()
