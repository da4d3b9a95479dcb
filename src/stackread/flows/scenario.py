"""The default scenario: what a reader assumes of a request when the code branches on it.

Options are decided on their defaults (conditions.py). Other branches depend on the request, and a
reader decides them the same way every time, so they are written down here once:

1. The microversion: the newest the API supports (`_MAX_API_VERSION` of the tree's
   `api_version_request` module), or `--microversion 2.25`. `api_version_request.is_supported(req,
   '2.34')`, `req.is_supported(min_version=...)`, `req.ver_obj.matches('2.25', '2.29')` and the
   like are decided by it.
2. Policy defaults: `context.can(RULE, fatal=False)` is decided where the rule's default
   (frameworks/oslo_policy.py) lets nobody or everybody through, or `--set-policy NAME=RULE`.
3. What the request carries, in OpenStack terms (`ASSUMED`, the plain scenario): an image-backed
   instance, in the vm_state the operation's API method asks for (ACTIVE when it allows it), a move
   within the instance's cell while cross-cell resize is refused by policy; an object's field holds
   the default its versioned object declares (`instance.disable_terminate` False, Cinder's
   `volume.use_quota` True). `--assume NAME=VALUE` changes one.
4. A value the caller passed that is an attribute of a loaded object (`host=instance.host`) is set
   (`SET`): truthy and not None, its value unknown.

Each value decided here carries the label of what it assumed, so the flow can say why a branch is
the default one and the closing note lists the scenario.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from stackread.errors import UsageError
from stackread.flows.question import version
from stackread.frameworks.oslo_policy import PolicyIndex, policy_name
from stackread.frameworks.oslo_versionedobjects import field_defaults
from stackread.program.evaluate import UNKNOWN, Scope


class _Set:
    """A value that is set, not known: `instance.host` of a loaded instance."""

    def __repr__(self) -> str:
        return "<set>"


SET: Any = _Set()


class _Body:
    """The request's body in the plain request: a key the controller indexes is there (`body['snapshot']`
    is a body too), one it reads with `.get('force')` is absent (None, or the default given)."""

    def __repr__(self) -> str:
        return "<request body>"


BODY: Any = _Body()
# The parameter a WSGI controller action takes the request's decoded JSON in (nova, cinder, manila).
BODY_PARAMETER = "body"
BODY_ABSENT = "absent from the request body"  # the label of a key the plain request leaves out


def from_body(value: Any) -> bool:
    """Whether a path's value is the body or was decided by a key it leaves out. Such a value decides
    the controller's own branches only, never a callee's: a callee may need one key of several
    (`if not cgsnapshot_id and not source_cgid: raise`), which no plain request leaves out."""
    return isinstance(value, Assumed) and (value.value is BODY or any(
        label.endswith(BODY_ABSENT) for label in value.labels))


@dataclass(frozen=True)
class VmState:
    """`vm_states.ACTIVE` (or `task_states.DELETING`), by its constant's name: compared, never read as text."""

    name: str


@dataclass(frozen=True)
class Assumed:
    """A value the scenario gives (not a literal of the code): decides the default path, never drops a branch."""

    value: Any
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Assumption:
    name: str  # the predicate or attribute as the code reads it (its last name)
    value: Any
    says: str  # in OpenStack terms
    unless_policy: str | None = None  # holds while this policy lets nobody through


# The plain scenario of a compute request, per project (the top package). Each entry is general: a
# predicate or an attribute the code of any operation reads, never a branch of one operation.
NOVA = (
    Assumption("is_volume_backed_instance", False, "the instance boots from an image, not from a volume"),
    Assumption("cross_cell_move", False, "a move stays within the instance's cell",
               "compute:servers:resize:cross_cell"),
    Assumption("_is_selected_host_in_source_cell", True, "the scheduler picks a host in the instance's cell",
               "compute:servers:resize:cross_cell"),
    Assumption("instance.host", SET, "the instance runs on a compute host"),
    Assumption("flavor", SET, "the request's flavor, or the instance's own"),
    Assumption("instance.task_state", None, "no task is under way on the instance"),
    Assumption("service_is_up", True, "the compute service the instance is on is up"),
    Assumption("reboot_type", "SOFT", "a soft reboot, as the clients ask by default"),
)
# Every project's: its services all run the release read, so an RPC client can send the newest
# version of a message (`if self.client.can_send_version('2.4'):` takes the newer way).
EVERY_PROJECT = (
    Assumption("can_send_version", True, "every service runs this release: a client sends the newest version"),
)
CINDER = (
    Assumption("volume.host", SET, "the volume is on the backend the scheduler placed it on"),
)
ASSUMED = {"nova": NOVA, "cinder": CINDER}
# The projects whose instances have a vm_state (`check_instance_state` on their API methods).
WITH_VM_STATE = frozenset({"nova"})
# The vm_state, when the API method's `check_instance_state(vm_state=[...])` allows several: the first of
# these it allows. A shelved instance is offloaded at once while `shelved_offload_time` is 0 (its default).
VM_STATE_ORDER = ("ACTIVE", "SHELVED_OFFLOADED", "STOPPED")
class Scenario:
    """The scenario of one trace: the microversion, the policy defaults, the assumptions."""

    def __init__(self, options, packages: list[str], choices: dict[str, Any] | None = None, keep=None):
        """`keep(kind, read)`: what `read()` says of the tree, kept by what it read (the trace's
        cache); the policy rules and the objects' field defaults are the same for every question."""
        choices = dict(choices or {})
        self.index = options.index
        self.evaluator = options.evaluator
        self.options = options
        overrides = {k[len("policy."):]: v for k, v in choices.items() if k.startswith("policy.")}
        self.policies = PolicyIndex(options.index, packages, overrides)
        self._fields: dict | None = None  # versioned objects' field defaults, read when first asked
        if keep is not None:  # read now, before the walk has read more of the tree than they need
            self.policies = PolicyIndex(options.index, packages, overrides, keep("policies", self.policies.declared))
            self._fields = keep("fields", lambda: field_defaults(self.index, packages)).fields
        self.newest, self.newest_where = self._newest(packages)
        asked = version(choices.get("microversion"))
        self.microversion = asked or self.newest
        self.table = tuple(a for package in packages for a in ASSUMED.get(package, ())) + EVERY_PROJECT
        self.assumed = {a.name: a for a in self.table}
        self.with_vm_state = bool(WITH_VM_STATE.intersection(packages))
        self.assume_overrides = {k[len("assume."):]: v for k, v in choices.items() if k.startswith("assume.")}
        self.choices = choices
        self.packages = packages

    def check(self) -> None:
        """A choice that would change nothing is the user's mistake: said, as a `--set` typo is."""
        unknown = sorted(name for name in self.policies.overrides if name not in self.policies.rules)
        if unknown:
            raise UsageError(f"--set-policy: no policy {unknown[0]!r} is declared in code in this tree")
        if "microversion" in self.choices and self.newest is not None and self.microversion > self.newest:
            newest = ".".join(map(str, self.newest))
            raise UsageError(f"--microversion {self.choices['microversion']}: this tree's API supports up to {newest}")

    def _newest(self, packages: list[str]) -> tuple[tuple[int, int] | None, str | None]:
        for path in self.index.python_files(packages):
            if not path.endswith("api_version_request.py"):
                continue
            module = self.index.get(self.index.module_name(path))
            if module is None:
                continue
            for node in module.tree.body:
                if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_MAX_API_VERSION"
                                                        for t in node.targets):
                    value = self.evaluator.eval(node.value, Scope(module)).value
                    if version(value):
                        return version(value), f"{module.path}:{node.lineno}"
        return None, None

    def microversion_label(self) -> str:
        text = ".".join(map(str, self.microversion))
        return (f"microversion {text}" + ("" if "microversion" in self.choices else " (the newest)"))

    # -- what the code asks -------------------------------------------------------------------

    def call(self, node: ast.Call, module, state: dict) -> tuple[Any, str] | None:
        """The scenario's value of a call (`is_supported(req, '2.34')`, `context.can(..., fatal=False)`,
        `is_volume_backed_instance(...)`), with the label of what it assumed; None: not the scenario's."""
        name = _last_name(node.func)
        if self.microversion is not None and (name == "is_supported" or name == "matches" and _reads_version(node.func)):
            decided = self._version_check(node, module)
            return (decided, self.microversion_label()) if decided is not None else None
        if name == "can" and any(k.arg == "fatal" and isinstance(k.value, ast.Constant) and k.value.value is False
                                 for k in node.keywords) and node.args:
            return self._policy(node.args[0], module)
        return self.assumption(name)

    def attribute(self, chain: list[str], state: dict) -> tuple[Any, str] | None:
        if chain[0] in ("vm_states", "task_states") and len(chain) == 2 and chain[1].isupper():
            return VmState(chain[1]), ""  # a constant, by its name: assumes nothing
        if chain[-1] == "vm_state" and len(chain) >= 2 and state.get("vm_state"):
            return VmState(state["vm_state"]), f"vm_state {state['vm_state']}" + state.get("vm_state_why", "")
        if len(chain) < 2 or chain[0] in ("self", "cls", "CONF"):
            return None
        named = [n for n in (".".join(chain[-2:]), chain[-1]) if n in self.assumed or n in self.assume_overrides]
        if named:  # the table's, even where a policy lets someone through and it holds no longer
            return self.assumption(named[0])
        return self._field_default(chain[-1]) if len(chain) == 2 else None

    def _field_default(self, name: str) -> tuple[Any, str] | None:
        """`instance.disable_terminate`: the default every versioned object declaring the field gives it."""
        if self._fields is None:
            self._fields = field_defaults(self.index, self.packages).fields
        declared = self._fields.get(name, ())
        if not declared or len({repr(d.value) for d in declared}) != 1:
            return None
        owners = " and ".join(dict.fromkeys(d.owner for d in declared))
        verb = "declares" if " and " not in owners else "declare"
        return declared[0].value, f"{name} = {declared[0].value!r}: the default {owners} {verb} ({declared[0].where})"

    def assumption(self, name: str | None) -> tuple[Any, str] | None:
        if name in self.assume_overrides:
            value = _typed(self.assume_overrides[name])
            return value, f"{name} = {value!r} (--assume)"
        entry = self.assumed.get(name)
        if entry is None:
            return None
        if entry.unless_policy and self.policies.allows(entry.unless_policy) is not False:
            return None  # the policy lets someone through: the assumption no longer holds
        why = f"; policy {entry.unless_policy} = {self.policies.check_str(entry.unless_policy)!r}" \
            if entry.unless_policy else ""
        told = f"{name} is set" if entry.value is SET else f"{name} = {entry.value!r}"
        return entry.value, f"{told}: {entry.says}{why}"

    def _version_check(self, node: ast.Call, module) -> bool | None:
        args = [a for a in node.args if not (isinstance(a, ast.Name) and a.id in ("req", "request"))]
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        low = keywords.get("min_version", args[0] if args else None)
        high = keywords.get("max_version", args[1] if len(args) > 1 else None)
        lowest, highest = self._version_of(low, module), self._version_of(high, module)
        if low is not None and lowest is None or high is not None and highest is None and not _empty(high):
            return None
        current = self.microversion
        return (lowest is None or current >= lowest) and (highest is None or current <= highest)

    def _version_of(self, node: ast.AST | None, module) -> tuple[int, int] | None:
        """'2.25', APIVersionRequest('2.25'), or a constant naming one (Cinder's `mv.ETAGS`)."""
        found = _version_of(node)
        if found is None and isinstance(node, (ast.Name, ast.Attribute)) and module is not None:
            source = self.index.get(module.name)
            found = version(self.evaluator.eval(node, Scope(source)).value) if source is not None else None
        return found

    def _policy(self, node: ast.AST, module) -> tuple[Any, str] | None:
        source = self.index.get(module.name) if module is not None else None
        if source is None:
            return None
        rule = policy_name(self.evaluator, source, node)
        if rule is UNKNOWN:
            return None
        allowed = self.policies.allows(rule)
        if allowed is None:
            return None
        told = " (--set-policy)" if rule in self.policies.overrides else " (its default)"
        return allowed, f"policy {rule} = {self.policies.check_str(rule)!r}{told}"

    def vm_state(self, allowed: list[str]) -> tuple[str, str] | None:
        """The vm_state the instance is in when an API method allows these (their constant names), and why."""
        why = f": its API method allows {' or '.join(allowed)}"
        for name in VM_STATE_ORDER:
            if name in allowed:
                if name == "SHELVED_OFFLOADED" and "SHELVED" in allowed:
                    offload = self.options.lookup(None, "shelved_offload_time")
                    if offload is None or offload.value != 0:
                        return None
                    why += (f", and shelve offloads at once while shelved_offload_time is 0 "
                            f"({offload.path}:{offload.line})")
                return name, "" if name == "ACTIVE" else why
        return (allowed[0], why) if len(allowed) == 1 else None

    def closing_note(self) -> str:
        """Every assumption of the scenario, in one note (the trace's last)."""
        parts = []
        if self.microversion is not None:
            where = f" ({self.newest_where})" if self.newest_where and "microversion" not in self.choices else ""
            parts.append(self.microversion_label() + where)
        parts.append("policies on their defaults in code" + (
            " but " + ", ".join(f"{k}={v!r}" for k, v in self.policies.overrides.items())
            if self.policies.overrides else ""))
        for entry in self.table:
            decided = self.assumption(entry.name)
            if decided is not None:
                parts.append(decided[1])
        parts += [f"{k} = {_typed(v)!r} (--assume)" for k, v in self.assume_overrides.items()
                  if k not in self.assumed]
        if self.with_vm_state:
            parts.append("the instance in the vm_state its API method allows, ACTIVE when it does; a shelved "
                         "instance offloaded while shelved_offload_time is 0")
        if any(self.index.get(f"{package}.objects") is not None for package in self.packages):  # nova.objects
            parts.append("an object's field at the default its versioned object declares")
        parts.append("a loaded object's field passed for a parameter that defaults to None (host=instance.host) is set")
        parts.append("the request body carries only the keys it must: an optional key read with .get() is absent")
        return "Default scenario: " + "; ".join(parts) + "."


def _version_of(node: ast.AST | None) -> tuple[int, int] | None:
    if isinstance(node, ast.Constant):
        return version(node.value)
    if isinstance(node, ast.Call) and node.args:  # APIVersionRequest('2.25')
        return _version_of(node.args[0])
    return None


def _reads_version(func: ast.AST) -> bool:
    """`req.ver_obj.matches(...)`, `req.api_version_request.matches(...)`: not any `matches`."""
    return isinstance(func, ast.Attribute) and _last_name(func.value) in ("ver_obj", "api_version_request")


def _empty(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in (None, "")


def _last_name(node: ast.AST) -> str | None:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None


def _typed(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "none":
        return None
    return text
