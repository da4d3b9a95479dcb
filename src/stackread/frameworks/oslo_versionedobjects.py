"""The fields of a project's versioned objects (oslo.versionedobjects) and the defaults they declare.

`'disable_terminate': fields.BooleanField(default=False)` in Nova's Instance, `'use_quota':
fields.BooleanField(default=True, nullable=False)` in Cinder's Volume and Snapshot: an object made
the plain way holds them, so the default scenario reads `instance.disable_terminate` as False.
Read from the class bodies' literal `fields = {...}` of the modules of the project's own `objects`
package (`nova.objects`, not the notifications' payloads), never by importing them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from stackread.program.modules import ModuleIndex

_LITERALS = (bool, int, str, type(None))


@dataclass(frozen=True)
class FieldDefault:
    name: str
    value: bool | int | str | None
    owner: str  # the class declaring it: Instance
    where: str  # path:line of the declaration


@dataclass(frozen=True)
class FieldDefaults:
    """Field name -> every literal default declared for it: what field_defaults reads, as the cache keeps it."""

    fields: dict[str, list[FieldDefault]]


def field_defaults(index: ModuleIndex, packages: list[str]) -> FieldDefaults:
    """Every literal default declared for a field in the packages' objects, by field name."""
    found: dict[str, list[FieldDefault]] = {}
    for path in index.python_files(packages):
        name = index.module_name(path)
        parts = name.split(".")
        if len(parts) < 2 or parts[0] not in packages or parts[1] != "objects":  # nova.objects.*, not payloads
            continue
        module = index.get(name)
        for node in module.tree.body if module is not None else ():
            if isinstance(node, ast.ClassDef):
                for default in _declared(node, module.path):
                    found.setdefault(default.name, []).append(default)
    return FieldDefaults(found)


def _declared(cls: ast.ClassDef, path: str):
    for statement in cls.body:
        if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Dict)
                and any(isinstance(t, ast.Name) and t.id == "fields" for t in statement.targets)):
            continue
        for key, value in zip(statement.value.keys, statement.value.values):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str) and isinstance(value, ast.Call)):
                continue
            default = next((k.value for k in value.keywords if k.arg == "default"), None)
            if isinstance(default, ast.Constant) and isinstance(default.value, _LITERALS):
                yield FieldDefault(key.value, default.value, cls.name, f"{path}:{value.lineno}")
