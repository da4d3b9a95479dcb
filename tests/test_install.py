"""Every third-party import in stackread is declared in pyproject.toml, or optional with a clear message.

A fresh virtual environment gets only what pyproject.toml declares; a module imported but not
declared works on a developer's machine and fails for a new user (libcst did exactly that).
"""

import ast
import pathlib
import re
import sys
import tomllib

import stackread

PACKAGE = pathlib.Path(stackread.__file__).parent
PYPROJECT = pathlib.Path(__file__).resolve().parent.parent / "pyproject.toml"  # the clone's, wherever stackread is installed

# Import name -> distribution name, where they differ.
DISTRIBUTION = {"git": "GitPython"}
# Optional at run time: imported inside `try`, with a message saying what to install.
OPTIONAL = {"cairosvg"}


def _declared() -> set[str]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    names = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        names += extra
    return {re.split(r"[<>=!~;\[ ]", name, maxsplit=1)[0].lower() for name in names}


def _third_party_imports() -> dict[str, str]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "stackread" and top not in sys.stdlib_module_names:
                    found.setdefault(top, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_every_third_party_import_is_declared():
    declared = _declared()
    missing = {
        name: where for name, where in _third_party_imports().items()
        if name not in OPTIONAL and DISTRIBUTION.get(name, name).lower() not in declared
    }
    assert missing == {}


def test_optional_imports_are_guarded():
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        guarded = {
            id(node) for handler in ast.walk(tree) if isinstance(handler, ast.Try)
            for stmt in handler.body for node in ast.walk(stmt)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] in OPTIONAL for a in node.names):
                assert id(node) in guarded, f"{path.relative_to(PACKAGE)}:{node.lineno} imports an optional module unguarded"


def test_the_license_pyproject_declares_is_shipped():
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert project["license"] == {"text": "Apache-2.0"}
    assert "License :: OSI Approved :: Apache Software License" in project["classifiers"]
    text = (PYPROJECT.parent / "LICENSE").read_text()
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_version_names_the_release():
    from click.testing import CliRunner

    from stackread.cli import cli

    version = tomllib.loads(PYPROJECT.read_text())["project"]["version"]
    assert stackread.__version__ == version  # one release, said the same by the package and its metadata
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output == f"stackread {version}\n"
