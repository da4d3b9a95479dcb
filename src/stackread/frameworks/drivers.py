"""`--driver`: which implementation of a driver interface a flow follows, and the ones a tree has.

Where a call may dispatch to several classes named `*Driver` (Nova's `self.driver.spawn(...)` on
`ComputeDriver`), the flow follows the implementations the spelling names: a module of theirs
(`libvirt`), the start of the class name (`LibvirtDriver`, `ironic`), or the class as Nova's
`compute_driver` option names it (`libvirt.LibvirtDriver`, `fake.FakeDriver`); `all` follows each.

A spelling that names no implementation in the tree would follow the abstract base class instead,
silently, so it is refused, listing the drivers the tree has. The drivers are read from the
program: the subclasses of each interface, the topmost `*Driver` class of a hierarchy in the tree.

Without `--driver`, a flow follows what a deployment on the tree's defaults runs: the implementation
an option's default names (Cinder's `volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver`,
Manila's `share_driver`), or the one the call's values hold as made (a plugin a stevedore entry point
names, type-checked against the interface: Masakari's `notification_driver = taskflow_driver`), else
libvirt (Nova's `compute_driver` has no default). A call reaching
several implementations of one interface (overrides, or an inherited method once per driver class
`self` may be) is a driver call: the chosen implementation's method (found through its MRO when it
inherits it) is followed, the others left out (`DriverChoice`).
"""

from __future__ import annotations

import difflib
import textwrap
import re
from dataclasses import dataclass
from functools import cached_property

from stackread.errors import UsageError

DEFAULT_DRIVER = "libvirt"  # what `--driver` follows when not given (and not checked: Cinder has none)
_METHOD_KINDS = frozenset({"method", "classmethod", "staticmethod", "property"})
_SHOWN = 8  # drivers listed per interface
_WIDTH = 100  # the CLI's width (click's max_content_width)


class UnknownDriver(UsageError):
    """`--driver` names no implementation of a driver interface in the tree."""


@dataclass(frozen=True)
class DriverInterface:
    name: str  # the base class, nova.virt.driver.ComputeDriver
    methods: int  # how many it defines
    implementations: tuple[str, ...]
    spellings: tuple[str, ...]  # each implementation as `--driver` takes it: libvirt.LibvirtDriver


def matches(spec: str, class_full: str) -> bool:
    """Whether `--driver spec` names the class: a module part, the start of its name, or a dotted
    spelling whose last part is the class and whose other parts are modules on its path."""
    spec = spec.lower()
    *modules, cls = class_full.lower().split(".")
    if spec == "all":
        return True
    if "." not in spec:
        return spec in modules or cls.startswith(spec)
    *wanted, last = spec.split(".")
    if last != cls:
        wanted, last = wanted + [last], None
    remaining = iter(modules)
    return all(part in remaining for part in wanted)  # in order, as a subsequence of the module path


def matches_method(spec: str, function: str) -> bool:
    """`matches` for a method: nova.virt.libvirt.driver.LibvirtDriver.spawn."""
    return "." in function and matches(spec, function.rpartition(".")[0])


def driver_interfaces(program) -> list[DriverInterface]:
    """The tree's driver interfaces with their implementations, the one a flow most likely means first."""
    implementations = _implementations(program)
    methods: dict[str, int] = {}
    for definition in program.defs.values():
        owner = definition.full.rpartition(".")[0]
        if definition.kind in _METHOD_KINDS and owner in implementations:
            methods[owner] = methods.get(owner, 0) + 1
    interfaces = []
    for root, found in implementations.items():
        spelled = _listing_order([(_spelling(program, root, cls), cls) for cls in found])
        interfaces.append(DriverInterface(root, methods.get(root, 0), tuple(cls for _s, cls in spelled),
                                          tuple(s for s, _cls in spelled)))
    # The interface a flow calls through most is wide and has many implementations (Nova's ComputeDriver).
    return sorted(interfaces, key=lambda i: (-i.methods * len(i.implementations), i.name))


def _implementations(program) -> dict[str, list[str]]:
    """Interface -> its subclasses; an interface is the topmost `*Driver` above a `*Driver` class."""
    roots: set[str] = set()
    for full, definition in program.defs.items():
        if definition.kind == "class" and _named_driver(full):
            ancestors = [c for c in program.mro(full)[1:] if c in program.defs and _named_driver(c)]
            if ancestors:
                roots.add(ancestors[-1])
    return {root: sorted(set(program.all_subclasses(root))) for root in sorted(roots)}


_DOTTED_CLASS = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\.[A-Z]\w*")


@dataclass(frozen=True)
class DottedDefaults:
    """The dotted class paths options' defaults give, in the order the options are declared: the
    tree's part of `default_implementations`, the same for every question (a trace keeps it)."""

    paths: tuple[str, ...]


def dotted_defaults(options) -> DottedDefaults:
    """Reads every option the tree declares (oslo_config.all_options): each file that declares any."""
    values = [getattr(option.default, "value", None)
              for option in sorted(options.all_options(), key=lambda o: (o.path, o.line))]
    return DottedDefaults(tuple(v for v in values if isinstance(v, str) and _DOTTED_CLASS.fullmatch(v)))


def default_implementations(program, options, dotted: DottedDefaults | None = None) -> list[str]:
    """The driver implementations options' defaults name by their dotted path (`volume_driver`'s
    `cinder.volume.drivers.lvm.LVMVolumeDriver`), in the order the options are declared (path, line).
    `dotted`: what dotted_defaults read of the same options before."""
    roots = set(_implementations(program))
    chosen: list[str] = []
    if not roots or options is None:
        return chosen
    for value in (dotted or dotted_defaults(options)).paths:
        for found in sorted(program.resolve_dotted(value)):
            root = interface_of(program, roots, found[1]) if found[0] == "cls" else None
            if root is not None and root != found[1] and found[1] not in chosen:
                chosen.append(found[1])
    return chosen


def interface_of(program, roots: set[str], cls: str) -> str | None:
    """The driver interface a class implements: the topmost interface in its MRO (Cinder's SanDriver
    is one, for the SAN drivers, and a VolumeDriver itself: the class is a VolumeDriver)."""
    found = [c for c in program.mro(cls) if c in roots] if cls in program.defs else []
    return found[-1] if found else None


class DriverChoice:
    """Which targets of a call a flow follows as driver calls: of the targets that are implementations
    of one driver interface (two classes or more, the interface's own included), the `--driver` one,
    every one for `all`, and without `--driver` the option default's or libvirt's (see the module).
    An implementation the call's values do not hold (Cinder's manager makes its driver from a name
    the engine cannot read) is followed too when it has the method from the same class: its MRO holds
    the topmost class defining the method for the targets (Cinder's BaseVD)."""

    def __init__(self, program, options, spec: str | None):
        self.program, self.options, self.spec = program, options, spec.lower() if spec else None
        self._memo: dict[str, str | None] = {}
        self.dotted: DottedDefaults | None = None  # kept from an earlier question (flows/trace.py)

    @cached_property
    def _roots(self) -> set[str]:
        return set(_implementations(self.program))

    def _root_of(self, cls: str) -> str | None:
        if cls not in self._memo:
            self._memo[cls] = interface_of(self.program, self._roots, cls)
        return self._memo[cls]

    @cached_property
    def defaults(self) -> list[str]:
        return default_implementations(self.program, self.options, self.dotted)

    @cached_property
    def _named(self) -> list[str]:
        """The classes `--driver` (or libvirt) names, `*Driver` classes first, the shortest name first."""
        spec = self.spec or DEFAULT_DRIVER
        named = [full for full, d in self.program.defs.items() if d.kind == "class" and matches(spec, full)]
        return sorted(named, key=lambda c: (not _named_driver(c), len(c.rpartition(".")[2]), c))

    def split(self, targets: list[tuple]) -> tuple[list[tuple[str, tuple]], list[tuple]]:
        """(the driver calls chosen: (function, (receiver, exact))), the other targets as they came)."""
        groups: dict[str, list[int]] = {}
        for i, target in enumerate(targets):
            root = self._root_of(self._class(target))
            if root is not None:
                groups.setdefault(root, []).append(i)
        drivers: list[tuple[str, tuple]] = []
        taken: set[int] = set()
        for root, members in groups.items():
            if len({self._class(targets[i]) for i in members}) < 2:
                continue
            picked = self._pick(root, [targets[i] for i in members])
            if picked is not None:
                taken.update(members)
                drivers += picked
        return list(dict.fromkeys(drivers)), [t for i, t in enumerate(targets) if i not in taken]

    def chosen(self, classes: frozenset) -> str | None:
        """Which implementation of the driver interface these instances implement a flow holds: the
        `--driver` one, or the option default's (followed where the values do not hold it, as `split`
        does: Cinder's manager makes its driver from a name the engine cannot read)."""
        roots = {self._root_of(c) for c in classes}
        if not classes or len(roots) != 1 or None in roots or self.spec == "all":
            return None
        held = [c for c in self.defaults if self._root_of(c) in roots] if self.spec is None else []
        held = held or [c for c in self._named if self._root_of(c) in roots]  # --driver, else libvirt
        return held[0] if len(held) == 1 else None

    def _class(self, target: tuple) -> str:
        """The class whose method runs: `self`'s when the method is inherited, else its own."""
        return target[2] or target[0].rpartition(".")[0]

    def _pick(self, root: str, group: list[tuple]) -> list[tuple[str, tuple]] | None:
        """The implementations followed; None where nothing names one among instances the code makes
        itself (Nova's servicegroup API makes a DbDriver or a MemcachedDriver by a table): those stay
        the calls they are. Where the call dispatches to overrides, the first is followed, as before."""
        every = [(t[0], (t[2], t[3])) for t in group]
        if self.spec == "all":
            return every
        top = self._top_definer(group)
        if self.spec is None:
            defaults = sorted((c for c in self.defaults if self._runs(c, top)), key=lambda c: self._root_of(c) != root)
            if defaults:
                return self._on(defaults[0], group) or every[:1]
            held = self._held(root, group)
            if held:
                return held
        named = [(t[0], (t[2], t[3])) for t in group if matches(self.spec or DEFAULT_DRIVER, self._class(t))]
        if named:
            return named
        cls = next((c for c in self._named if self._runs(c, top)), None)
        chosen = self._on(cls, group) if cls else []
        if chosen:
            return chosen
        return every[:1] if any(not certain for _t, certain, _r, _exact in group) else None

    def _held(self, root: str, group: list[tuple]) -> list[tuple[str, tuple]]:
        """The one implementation the call's values hold as made (beside the interface a type check
        says: Masakari's manager holds the TaskFlowDriver the stevedore entry point its option's
        default names made, checked to be a NotificationDriver): what runs, without `--driver`."""
        held = [(t[0], (t[2], t[3])) for t in group if t[1] and t[3] and self._class(t) != root]
        return held if len(held) == 1 and any(not certain for _t, certain, _r, _exact in group) else []

    def _top_definer(self, group: list[tuple]) -> str | None:
        """The topmost class of the first target's MRO that defines the method called."""
        name = group[0][0].rpartition(".")[2]
        definers = [c for c in self.program.mro(self._class(group[0])) if f"{c}.{name}" in self.program.defs]
        return definers[-1] if definers else None

    def _runs(self, cls: str, top: str | None) -> bool:
        return top is None or top in self.program.mro(cls)

    def _on(self, cls: str, group: list[tuple]) -> list[tuple[str, tuple]]:
        """The method as the implementation runs it: the target of that class, or the member its MRO finds."""
        same = [(t[0], (t[2], t[3])) for t in group if self._class(t) == cls]
        if same:
            return same[:1]
        _owner, member = self.program.find_member(cls, group[0][0].rpartition(".")[2])
        if member is None or member.kind not in _METHOD_KINDS:
            return []
        return [(member.full, (None, False) if member.full.rpartition(".")[0] == cls else (cls, True))]


def check_driver(program, spec: str | None) -> None:
    """Nothing when `spec` names an implementation (or is None, the unchecked default, or `all`)."""
    if spec is None or spec.lower() == "all":
        return
    if any(matches(spec, cls) for found in _implementations(program).values() for cls in found):
        return
    raise UnknownDriver(unknown_message(spec, driver_interfaces(program)))


def unknown_message(spec: str, interfaces: list[DriverInterface]) -> str:
    if not interfaces:
        return (f"--driver: no driver {spec!r} in this tree, which has no driver interface "
                "(classes named *Driver with subclasses)")
    close = _close(spec, interfaces)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    lines = [f"--driver: no driver {spec!r} in this tree{hint}"]
    main, others = interfaces[0], sorted(interfaces[1:], key=lambda i: -len(i.implementations))
    lines += _wrapped(f"drivers of {main.name}: {_listing(main, close)}")
    if others:
        listed = ", ".join(f"{i.name} ({len(i.implementations)})" for i in others[:3])
        lines += _wrapped(f"other driver interfaces: {listed}" + (" ..." if len(others) > 3 else ""))
    lines.append("  ('--driver all' follows every implementation)")
    return "\n".join(lines)


def _listing(interface: DriverInterface, close: list[str]) -> str:
    """Close matches first, then one driver per module, then how many more (and where, if in one module)."""
    firsts = [s for s in close if s in interface.spellings]
    seen_modules = {s.rpartition(".")[0] for s in firsts}
    for spelling in interface.spellings:
        module = spelling.rpartition(".")[0]
        if module not in seen_modules and len(firsts) < _SHOWN:
            firsts.append(spelling)
            seen_modules.add(module)
    rest: dict[str, int] = {}
    for spelling in interface.spellings:
        if spelling not in firsts:
            module = spelling.rpartition(".")[0]
            rest[module] = rest.get(module, 0) + 1
    text = ", ".join(firsts)
    if len(rest) == 1:
        (module, count), = rest.items()
        text += f" and {count} more in {module or 'its package'}"
    elif rest:
        text += f" and {sum(rest.values())} more"
    return text


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(text, _WIDTH - 2, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False)


def _close(spec: str, interfaces: list[DriverInterface]) -> list[str]:
    """Spellings close to what was typed, by the whole spelling, the class name or a module of it."""
    tokens: dict[str, list[str]] = {}
    for interface in interfaces:
        for spelling in interface.spellings:
            for token in {spelling.lower(), *spelling.lower().split(".")}:
                tokens.setdefault(token, []).append(spelling)
    found = []
    for token in difflib.get_close_matches(spec.lower(), list(tokens), n=2, cutoff=0.8):
        found += tokens[token][:1]
    return list(dict.fromkeys(found))[:2]


def _named_driver(class_full: str) -> bool:
    return class_full.rpartition(".")[2].endswith("Driver")


def _spelling(program, root: str, cls: str) -> str:
    """The class as the interface's package names it, as Nova's `compute_driver` does: relative to
    nova.virt, through the shortest package that exports it (`libvirt.LibvirtDriver`)."""
    definition = program.defs[cls]
    root_module = program.defs[root].module
    facts = program.modules.get(root_module)
    package = facts.package if facts is not None else root_module.rpartition(".")[0]
    name = definition.qualname
    if not package or not definition.module.startswith(package + "."):
        return cls
    parts = definition.module[len(package) + 1:].split(".")
    for end in range(1, len(parts)):
        if ("cls", cls) in program.module_attr(f"{package}.{'.'.join(parts[:end])}", name):
            return ".".join(parts[:end]) + "." + name
    return ".".join(parts) + "." + name


def _listing_order(spelled: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One driver per module first (its shortest name: FakeDriver before its variants), then the rest."""
    def key(item: tuple[str, str]) -> tuple:
        module, _dot, name = item[0].rpartition(".")
        return (module, len(name), name)

    ordered = sorted(spelled, key=key)
    modules = [item[0].rpartition(".")[0] for item in ordered]
    first = [item for i, item in enumerate(ordered) if i == 0 or modules[i] != modules[i - 1]]
    return first + [item for item in ordered if item not in first]
