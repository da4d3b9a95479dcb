"""What an answer about a tree depends on, as one cache key: every input it is read from.

`trace` keeps its flows (and the routes and entry points every new question needs) under this
key, so an edit of anything the answer comes from must change it: the .py files (the program's
key), the packaging metadata that says which programs the project installs and what it is called
(`nova-api` is the project's name), and stackread's own code.
"""

from __future__ import annotations

import hashlib

from stackread.flows.callgraph import code_fingerprint, program_key
from stackread.frameworks.rest.paste import paste_files
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
