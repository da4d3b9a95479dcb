"""Values held in containers: lists, tuples, sets and dicts, as the code builds, grows, indexes,
iterates, unpacks and slices them, and what generators and context managers hand on.

A container is a value ("box", n): n numbers one allocation site (a literal or comprehension read in
one scope, a builtin's copy of another container, a name grown by `append`/`x[k] = v`), and the box
keeps the sources of its elements, resolved only when an element is asked for. So a container flows
wherever a value flows (names, attributes, returns, parameters) and stays cheap: most literals in
a program are never looked into. Positions are kept while they are known (`a, b = pair`,
`handlers[0]`); past a starred element or a grown one, an index means any element from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stackread.program.facts import EMPTY, Scope, Value
from stackread.program.strings import made

if TYPE_CHECKING:
    from stackread.program.values import Values

# A source of values: ("e", expr, scope) an expression; ("*", expr, scope) each element of what it is;
# ("v", values) values already known; ("*v", values) each element of those.
Source = tuple
_COPIES = frozenset({"list", "tuple", "set", "frozenset", "sorted", "reversed", "iter", "dict"})
CHAINS = frozenset({"itertools.chain"})  # an iterator over the elements of each argument in turn


@dataclass(frozen=True)
class Box:
    kind: str  # list, tuple, set, dict
    items: tuple[tuple[Source | None, Source], ...]  # (key source or None, value source)
    fixed: int  # the leading items whose positions are known


class Containers:
    def __init__(self, values: Values):
        self.values = values
        self.boxes: list[Box] = []
        self._sites: dict[tuple, int] = {}  # (id of the literal or grown records, scope key) -> box
        self._keep: list = []  # the expressions numbered by id: alive while their box is
        self._elements: dict[tuple, frozenset] = {}
        self._yields: dict[str, list[tuple[list, Scope]]] | None = None

    # -- making boxes ------------------------------------------------------------------------

    def _box(self, site: tuple | None, box: Box) -> Value:
        if site is not None and site in self._sites:
            return ("box", self._sites[site])
        self.boxes.append(box)
        if site is not None:
            self._sites[site] = len(self.boxes) - 1
        return ("box", len(self.boxes) - 1)

    def make(self, site: tuple, box: Box) -> Value:
        """The box made at a site of the engine's own (a function's `*args`: program.stars), once."""
        return self._box(site, box)

    def literal(self, expr: list, scope: Scope) -> frozenset:
        """["l", kind, elements(, 0)] and ["d", entries(, 0)] as the box made there."""
        site = (id(expr), scope.key)
        if site in self._sites:
            return frozenset({("box", self._sites[site])})
        self._keep.append(expr)
        if expr[0] == "d":
            items = tuple((("e", k, scope), ("e", v, scope)) for k, v in expr[1])
            return frozenset({self._box(site, Box("dict", items, 0))})
        items = tuple((None, ("*", e[1], scope) if e[0] == "*" else ("e", e, scope)) for e in expr[2])
        ordered = len(expr) < 4
        fixed = next((i for i, e in enumerate(expr[2]) if e[0] == "*"), len(items)) if ordered else 0
        return frozenset({self._box(site, Box(expr[1], items, fixed))})

    def grown(self, values: frozenset, grows: list[tuple[list | None, list, Scope]], site: tuple) -> frozenset:
        """A name's values once its `append`/`x[k] = v`/`update` records (key, value, scope) are counted
        in: each box it may be is that box with the grown elements after its own; a name that holds no
        box (`OrderedDict()`) holds one of the grown elements too. `site` names the grown name."""
        items = []
        for key, value, scope in grows:
            if key is None:
                items.append((None, ("e", value, scope)))
            elif key[0] == "*":
                items.append((None, ("*", value, scope)))
            elif key[0] == "**":
                items.append((("**",), ("e", value, scope)))
            else:
                items.append((("e", key, scope), ("e", value, scope)))
        extra = tuple(items)
        found = set(v for v in values if v[0] != "box")
        for base in sorted(v for v in values if v[0] == "box") or [None]:
            box = self.boxes[base[1]] if base else None
            keyed = any(k is not None and k[0] == "e" for k, _v in extra)
            kind = box.kind if box else "dict" if keyed else "list"
            found.add(self._box(site + (base,), Box(kind, (box.items if box else ()) + extra, box.fixed if box else 0)))
        return frozenset(found)

    def attr_grows(self, class_full: str, name: str) -> list[tuple[list | None, list, Scope]]:
        """`self.name.append(v)`, `self.name[k] = v` in the methods of the class and its bases."""
        grows = []
        for owner in self.values.classes.mro(class_full):
            definition = self.values.defs.get(owner)
            if definition is None:
                continue
            module = self.values.modules[definition.module]
            for scope_name, key, value in module.self_grows.get(name, ()):
                if scope_name.startswith(definition.qualname + "."):
                    grows.append((key, value, Scope(module, scope_name)))
        return grows

    def resolve(self, expr: list, scope: Scope) -> frozenset:
        """The container and string forms of the summary (see index.summary)."""
        kind = expr[0]
        resolve = self.values.resolve
        if kind in ("l", "d"):
            return self.literal(expr, scope)
        if kind == "iter":
            return self.iterate(resolve(expr[1], scope))
        if kind == "enter":
            return self.entered(resolve(expr[1], scope))
        if kind == "ga":  # getattr(obj, name) with the names `name` may hold
            names = sorted(v[1] for v in resolve(expr[2], scope) if v[0] == "str")
            attribute = self.values.attribute
            found = frozenset(v for base in sorted(resolve(expr[1], scope)) for name in names
                              for v in attribute(base, name))
            return found or frozenset({("ext", "builtins.getattr()")})
        if kind == "fmt":
            op, operands = expr[1], expr[2]
            if op == "%" and operands[1][0] == "l" and operands[1][1] == "tuple":
                operands = [operands[0], *operands[1][2]]
            parts = [resolve(operand, scope) for operand in operands]
            made = strings(op, parts)
            if made or op == "f":
                return made or frozenset({("ext", "builtins.str()")})
            if op == "+" and len(parts) == 2 and all(any(v[0] == "box" for v in p) for p in parts):
                # `handlers = base + [extra]`: one list of both
                return frozenset({self._box(None, Box("list", ((None, ("*v", parts[0])), (None, ("*v", parts[1]))), 0))})
            # `Money(1) + Money(2)`: what the left operand's own `__add__` (`__mod__`) returns
            return self.values.dunder_result(parts[0], "__add__" if op == "+" else "__mod__")
        return EMPTY

    # -- reading boxes -----------------------------------------------------------------------

    def source(self, source: Source) -> frozenset:
        kind = source[0]
        if kind == "e":
            return self.values.resolve(source[1], source[2])
        if kind == "*":
            return self.iterate(self.values.resolve(source[1], source[2]))
        if kind == "v":
            return source[1]
        return self.iterate(source[1])

    def elements(self, n: int) -> frozenset:
        """Everything a box's elements may be (a dict's values)."""
        return self.values.guard.cached(self._elements, ("all", n), lambda: frozenset(
            v for key, value in self.boxes[n].items if key != ("**",) for v in self.source(value)) | self._updates(n))

    def _updates(self, n: int) -> frozenset:
        found: set = set()
        for key, value in self.boxes[n].items:
            if key == ("**",):  # `d.update(other)`: other's values
                found |= {v for box in self.source(value) if box[0] == "box" for v in self.elements(box[1])}
        return frozenset(found)

    def keys(self, n: int) -> frozenset:
        box = self.boxes[n]
        if box.kind != "dict":
            return self.elements(n)
        return self.values.guard.cached(self._elements, ("keys", n), lambda: frozenset(
            v for key, _value in box.items if key and key != ("**",) for v in self.source(key)))

    def iterate(self, values: frozenset) -> frozenset:
        """What iterating any of the values gives: a box's elements (a dict's keys), a generator's
        yields, what a user class's `__iter__` returns or yields."""
        found: set = set()
        for value in sorted(values):
            kind = value[0]
            if kind == "box":
                found |= self.keys(value[1])
            elif kind == "gen":
                found |= self.yielded(value[1])
            elif kind == "inst":
                _owner, member = self.values.classes.find_member(value[1], "__iter__")
                if member is not None and member.kind != "class":
                    found |= self.yielded(member.full) or self.iterate(self.values.returns(member.full) - {value})
        return frozenset(found)

    def index(self, values: frozenset, key: list, scope: Scope) -> frozenset:
        """`x[key]` of the boxes among the values: the element at a known position or key, else any."""
        boxes = sorted(v[1] for v in values if v[0] == "box")
        if not boxes:
            return EMPTY
        if key[0] == "sl":
            return frozenset(self._slice(n, key, scope) for n in boxes)
        wanted = self.values.resolve(key, scope)
        found: set = set()
        for n in boxes:
            box = self.boxes[n]
            if box.kind == "dict":
                found |= self._entry(n, wanted)
                continue
            position = _position(wanted)
            if position is not None and -len(box.items) <= position < box.fixed and \
                    (position >= 0 or box.fixed == len(box.items)):
                found |= self.source(box.items[position][1])
            else:
                found |= frozenset(v for _k, value in box.items[max(box.fixed, 0):] for v in self.source(value)) \
                    if position is not None and position >= box.fixed else self.elements(n)
        return frozenset(found)

    def _entry(self, n: int, wanted: frozenset) -> frozenset:
        """A dict's entry for a known key (literal keys compared as `lookup_table` does), else every value."""
        strings = {v[1] for v in wanted if v[0] in ("str", "const")}
        if not strings:
            return self.elements(n)
        found: set = set()
        for key, value in self.boxes[n].items:
            if key is None or key == ("**",):
                continue
            expr = key[1] if key[0] == "e" else None
            if expr is not None and expr[0] in ("s", "k"):
                if (expr[1] if expr[0] == "s" else repr(expr[1])) in strings:
                    found |= self.source(value)
            elif {v[1] for v in self.source(key) if v[0] in ("str", "const")} & strings:
                found |= self.source(value)
        return frozenset(found) or self.elements(n)

    def _slice(self, n: int, key: list, scope: Scope) -> Value:
        box = self.boxes[n]
        lower, upper = (_position(self.values.resolve(bound, scope)) for bound in key[1:3])
        if box.fixed == len(box.items) and (lower is not None or key[1] == ["k", None]) \
                and (upper is not None or key[2] == ["k", None]):
            items = box.items[lower:upper]
            return self._box(None, Box(box.kind, items, len(items)))
        return self._box(None, Box(box.kind, box.items, 0))

    # -- calls that read or copy containers ----------------------------------------------------

    def method(self, values: frozenset, method: str, call: list, scope: Scope) -> frozenset:
        """`d.get(k)`, `d.pop(k)`, `d.setdefault(k, v)`, `d.values()`, `d.items()`, `x.copy()`, `x.pop()`."""
        found: set = set()
        args = call[2]
        for n in sorted(v[1] for v in values if v[0] == "box"):
            box = self.boxes[n]
            if method in ("get", "pop", "setdefault") and box.kind == "dict" and args:
                found |= self._entry(n, self.values.resolve(args[0], scope))
                if len(args) > 1:
                    found |= self.values.resolve(args[1], scope)
            elif method == "pop" and box.kind != "dict":
                found |= self.elements(n)
            elif method in ("values", "keys", "copy"):
                source = self.elements(n) if method == "values" else self.keys(n)
                found.add(self._box(None, Box(box.kind, box.items, box.fixed)) if method == "copy"
                          else self._box(None, Box("list", ((None, ("v", source)),), 0)))
            elif method == "items" and box.kind == "dict":
                pairs = tuple((None, ("v", frozenset({self._box(None, Box("tuple", ((None, k), (None, v)), 2))})))
                              for k, v in box.items if k is not None and k != ("**",))
                found.add(self._box(None, Box("list", pairs, 0)))
        return frozenset(found)

    def builtin(self, name: str, call: list, scope: Scope) -> frozenset:
        """`list(x)`, `sorted(x)`, `tuple(x)`, ...: a box of x's elements; `enumerate`, `zip`: of tuples;
        `next(it)`: an element; `dict(a=f)`: a dict of its keywords."""
        args, kwargs = call[2], call[3]
        if name in _COPIES and (args or kwargs and name == "dict"):
            if name == "dict" and not args:
                items = tuple(((("v", frozenset({("str", k)}))), ("e", v, scope)) for k, v in kwargs.items() if k != "**")
                return frozenset({self._box(None, Box("dict", items, 0))})
            values = self.values.resolve(args[0], scope)
            if name == "dict":
                return frozenset(v for v in values if v[0] == "box")
            return frozenset({self._box(None, Box(name, ((None, ("*v", values)),), 0))})
        if name in CHAINS and args:  # `itertools.chain(a, b)`: a's elements, then b's; `chain(*lists)`: theirs
            parts = [("*v", self.iterate(self.values.resolve(a[1], scope))) if a[0] == "*" else ("*", a, scope)
                     for a in args]
            return frozenset({self._box(None, Box("list", tuple((None, part) for part in parts), 0))})
        if name == "next" and args:
            return self.iterate(self.values.resolve(args[0], scope))
        if name in ("enumerate", "zip") and args and args[0][0] != "*":
            parts = [("*", a, scope) for a in args if a[0] != "*"]
            if name == "enumerate":
                parts = [("v", EMPTY), parts[0]]
            pair = self._box(None, Box("tuple", tuple((None, p) for p in parts), len(parts)))
            return frozenset({self._box(None, Box(name, ((None, ("v", frozenset({pair}))),), 0))})
        return EMPTY

    # -- generators and context managers -------------------------------------------------------

    def yielded(self, function_full: str) -> frozenset:
        """What a generator function yields; empty for a function that does not."""
        found = self._yields_by_function().get(function_full)
        if not found:
            return EMPTY
        return self.values.guard.cached(self._elements, ("yield", function_full), lambda: frozenset(
            v for expr, scope in found for v in self.values.resolve(expr, scope)))

    def is_generator(self, function_full: str) -> bool:
        return function_full in self._yields_by_function()

    def _yields_by_function(self) -> dict[str, list[tuple[list, Scope]]]:
        if self._yields is None:
            self._yields = {}
            for module in self.values.modules.values():
                for scope_name, expr in module.summary.get("yields", ()):
                    self._yields.setdefault(f"{module.name}.{scope_name}", []).append((expr, Scope(module, scope_name)))
        return self._yields

    def entered(self, values: frozenset) -> frozenset:
        """What `with value as x` binds: what a user `__enter__` returns (the object itself for
        `return self`), a generator's (contextmanager's) first yield, else the object itself."""
        found: set = set()
        for value in sorted(values):
            if value[0] == "gen":
                found |= self.yielded(value[1])
                continue
            if value[0] == "inst":
                owner, member = self.values.classes.find_member(value[1], "__enter__")
                if member is not None and member.kind == "method":
                    returned = self.values.returns(member.full)
                    found |= {value if r[0] == "inst" and r[1] == owner else r for r in returned}
                    continue
            found.add(value)
        return frozenset(found)


def _position(values: frozenset) -> int | None:
    """The one integer among the values (kept by repr), or None."""
    ints = [v[1] for v in values if v[0] == "const" and v[1].lstrip("-").isdigit()]
    return int(ints[0]) if len(ints) == 1 and len(values) == 1 else None


def strings(op: str, parts: list[frozenset]) -> frozenset:
    """The strings `'do_' + x`, `'x_%s' % y` (`% (a, b)`: the tuple's elements as parts) or an
    f-string can be, from the strings its parts can be; empty when a part is not known to be a string."""
    return frozenset(("str", text) for text in made(op, [sorted(v[1] for v in part if v[0] == "str") for part in parts]))
