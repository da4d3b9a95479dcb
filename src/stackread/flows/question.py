"""The question `trace`, `breakpoints` and `--diff` ask of a project, and the cache of its answers.

A `Question` is one operation and what shapes its flow: the driver followed, the `--set` values
conditions are evaluated on, whether objects and the DB are followed, how many levels of calls
leading nowhere are shown. The answer (a `Trace`), and the routes and entry points every new
question needs, are kept in the index cache as plain JSON (index/datacodec) under a key made of
the tree's key (flows/treekey) and the question: asked again, an answer is read back.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from stackread.diagnostics import said_before
from stackread.errors import UsageError
from stackread.flows.flow import Trace, in_flow_order
from stackread.index import datacodec

MAX_DEPTH = 12  # calls within one process before the walk gives up on a branch (`--all-calls`)


@dataclass(frozen=True)
class Question:
    """One operation, named the way the user knows it (create_server, 'POST /servers', reboot)."""

    operation: str
    driver: str | None = None  # None: an option default's, else libvirt (drivers.py), unchecked; 'all': every one
    settings: Mapping[str, Any] = field(default_factory=dict)  # option name -> value, checked against each tree
    show_objects: bool = False
    depth: int = 0  # levels of calls leading to no hop, driver or service shown around the flow
    # Also the error path: what breakpoints stop at and a flow diff compares. The walk is the same
    # either way (it always follows except blocks), so it is no part of the key.
    errors: bool = False
    # The default scenario's choices (flows/scenario.py): "microversion", "policy.NAME", "assume.NAME".
    scenario: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, question: Question | str) -> Question:
        return question if isinstance(question, Question) else cls(question)

    def key(self, tree_key: str) -> str:
        """The cache key of the answer to this question about the tree with that key."""
        asked = repr((self.operation, self.driver, sorted(self.settings.items(), key=repr), self.show_objects,
                      self.depth) + ((sorted(self.scenario.items(), key=repr),) if self.scenario else ()))
        return "trace:" + hashlib.sha1(f"{tree_key}:{asked}".encode()).hexdigest()


def load(cache, key: str | None):
    """The answer stored under key, or None: plain JSON decoded into the type the key's kind names,
    so a stored entry can hold data only; a damaged, foreign or older entry is worked out again."""
    stored = cache.get_blob(key) if key else None
    if stored is None:
        return None
    try:
        value = datacodec.decode(_stored_type(key), stored)
    except datacodec.DecodeError:
        return None
    if isinstance(value, Trace):
        # The hops are the tree's own Hop objects (flow diff pairs them by identity), not copies.
        hops = in_flow_order(value.root)
        if hops != value.hops:
            return None
        value.hops = hops
    if isinstance(getattr(value, "diagnostics", None), list):
        value = replace(value, diagnostics=said_before(value.diagnostics))  # an earlier run said them in full
    return value


class ScenarioError(UsageError):
    """A `--microversion`, `--set-policy` or `--assume` that cannot be read."""


def scenario_choices(microversion: str | None, policies=(), assumptions=()) -> dict[str, Any]:
    """The command line's choices as a Question's `scenario`: microversion, policy.NAME, assume.NAME."""
    found: dict[str, Any] = {}
    if microversion is not None:
        if version(microversion) is None:
            raise ScenarioError(f"--microversion: {microversion!r} is not MAJOR.MINOR (2.25)")
        found["microversion"] = microversion.strip()
    for flag, prefix, items in (("--set-policy", "policy.", policies), ("--assume", "assume.", assumptions)):
        for item in items:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise ScenarioError(f"{flag}: {item!r} is not NAME=VALUE")
            found[prefix + name.strip()] = value.strip()
    return found


_VERSION = re.compile(r"\d+\.\d+\Z")


def version(text: Any) -> tuple[int, int] | None:
    if not isinstance(text, str) or not _VERSION.match(text.strip()):
        return None
    major, minor = text.strip().split(".")
    return int(major), int(minor)


# The type each kind of stored answer is decoded into (the key's first part), by module and name:
# imported only when an answer of that kind is read back (a new question reads the reports).
_STORED = {"routes": ("stackread.frameworks.rest.route", "RouteReport"),
           "entrypoints": ("stackread.flows.entrypoints", "EntrypointReport"),
           "seen": ("stackread.source.observed", "Observations"),
           "policies": ("stackread.frameworks.oslo_policy", "PolicyRules"),
           "drivers": ("stackread.frameworks.drivers", "DottedDefaults"),
           "fields": ("stackread.frameworks.oslo_versionedobjects", "FieldDefaults"),
           "served": ("stackread.flows.served", "Served"),
           "rpc": ("stackread.frameworks.messaging", "RpcReport"),
           "servers": ("stackread.flows.entrypoints", "EntrypointReport")}


def _stored_type(key: str) -> type:
    where = _STORED.get(key.split(":", 1)[0])
    return getattr(importlib.import_module(where[0]), where[1]) if where else Trace


def store(cache, key: str | None, value) -> None:
    if key:
        try:
            data = datacodec.encode(value)
        except TypeError:  # a field type the codec lacks: answered, not kept (the round-trip tests fail)
            return
        cache.put_blob(key, data)


def kept_by_reads(cache, key: str | None, tree, compute):
    """What the tree says, kept with what was observed of it (source/observed.py) when the tree
    observes itself: read back while every observation still holds, so an edit of a file the answer
    never read keeps it. `key` names the answer apart from the tree's content (treekey.reads_key);
    the answer is stored under its observations' digest, so a pair half written is never read."""
    return kept_record(cache, key, tree, compute)[0]


def kept_record(cache, key: str | None, tree, compute) -> tuple[Any, str | None]:
    """`kept_by_reads`'s answer, and the key of the record it is kept in (None: not kept): the same
    record key, the same answer, as long as the cache holds it."""
    from stackread.source.observed import ObservedTree, still_hold

    if not key or not isinstance(tree, ObservedTree):
        return compute(), None
    seen = load(cache, f"seen:{key}")
    value = None
    if seen is not None and still_hold(seen, tree):
        value = load(cache, f"{key}:{_digest(seen)}")
    if value is None:
        value = compute()
        seen = tree.observations()
        store(cache, f"{key}:{_digest(seen)}", value)
        store(cache, f"seen:{key}", seen)
    return value, f"{key}:{_digest(seen)}"


@dataclass(frozen=True)
class Showing:
    """How a command shows an answer: `text(answer)` is what it prints (None: nothing to keep, as for
    a drawing written to a file), the same for the same `signature` (the output asked for, the terminal)."""

    signature: str
    text: Callable[[Any], str | None]


def shown_text(cache, key: str | None, answer, showing: Showing) -> str | None:
    """`showing`'s text of the answer kept under `key`, kept beside it: the same answer shown the same
    way is printed again without drawing it (rich is not even imported)."""
    text_key = "shown:" + hashlib.sha1(f"{key}:{showing.signature}".encode()).hexdigest() if key else None
    kept = cache.get_blob(text_key) if text_key else None
    if kept is not None:
        try:
            return kept.decode("utf-8")
        except UnicodeDecodeError:
            pass
    text = showing.text(answer)
    if text is not None and text_key:
        cache.put_blob(text_key, text.encode("utf-8"))
    return text


def _digest(value) -> str:
    return hashlib.sha1(datacodec.encode(value)).hexdigest()


def cached(cache, key: str | None, compute):
    """What the tree says, once per tree: the routes and entry points every new question needs."""
    value = load(cache, key)
    if value is None:
        value = compute()
        store(cache, key, value)
    return value
