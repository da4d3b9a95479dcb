"""What a pecan hook puts on the request, as the controllers read it.

pecan runs each hook's `before(state)` ahead of the controller, and the controller then reads what
the hook set on `state.request` through pecan's thread-local `pecan.request` (Ironic's
`api.request` is the same object: `request = pecan.request` in ironic/api/__init__.py):

    class RPCHook(hooks.PecanHook):
        def before(self, state):
            state.request.rpcapi = rpcapi.ConductorAPI()
    ...
    api.request.rpcapi.do_node_deploy(...)

So an attribute a hook's `before`/`on_route` assigns on its state's request is what
`pecan.request.<attr>` holds anywhere in the project. A hook is a class deriving (through the
project's classes) from pecan's `PecanHook`: pecan calls only hooks given to `make_app(hooks=...)`,
and those are PecanHook subclasses.
"""

from __future__ import annotations

from stackread.program.facts import Scope

REQUEST = "pecan.request"
_HOOK_BASES = frozenset({"pecan.hooks.PecanHook"})
_BEFORE = ("before", "on_route")  # the hook methods pecan runs before the controller


def request_attributes(program) -> dict[str, list[tuple[Scope, list]]]:
    """attribute -> [(scope, expr)] for every `state.request.<attribute> = expr` in a hook's `before`."""
    found: dict[str, list[tuple[Scope, list]]] = {}
    for module in program.modules.values():
        for scope, base, attr, expr, _line in module.attr_assigns:
            owner, _, method = scope.rpartition(".")
            definition = module.defs.get(scope)
            if method not in _BEFORE or definition is None or len(definition.params) < 2 \
                    or base != f"{definition.params[1]}.request":
                continue
            owner_def = module.defs.get(owner)
            if owner_def is None or owner_def.kind != "class" or not _is_hook(program, owner_def.full):
                continue
            found.setdefault(attr, []).append((Scope(module, scope), expr))
    return found


def _is_hook(program, class_full: str) -> bool:
    """Whether the class derives from pecan's PecanHook, through the project's classes."""
    for cls in program.mro(class_full):
        definition = program.defs.get(cls)
        if definition is None:
            continue
        scope = Scope(program.modules[definition.module], definition.qualname.rpartition(".")[0])
        for base in definition.bases:
            if any(v[0] == "ext" and v[1] in _HOOK_BASES for v in program.resolve(base, scope)):
                return True
    return False
