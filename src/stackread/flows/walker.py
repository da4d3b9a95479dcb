"""The walk of `trace`: from the controller method, every call that leads somewhere, as a tree of steps.

Inside a process the walk follows the program's resolved calls (`Program.call_targets_as`, with
the class `self` is an instance of); a call that reaches an RPC client method's cast or call
becomes a hop into the service that serves it (`rpc`), and the walk goes on from the endpoint
method there. What each function leads to is worked out once (`visit`, memoised); where it is
called from decides the rest: the branches the literal arguments of that call path rule out,
the conditions on the way, and the callbacks handed over for when something fails (the error
path). Of a driver interface's implementations only the chosen `--driver` is followed; calls into
other services' client libraries are leaves; objects, the DB API and notifications are left out
unless asked for.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from typing import Any

from stackread.flows.conditions import Conditions, as_ast, names_in
from stackread.flows.scenario import BODY, BODY_PARAMETER, SET, Assumed, from_body
from stackread.flows.values import Values
from stackread.flows.cuts import Cuts, cut_modules, cut_text
from stackread.flows.fallbacks import fallbacks
from stackread.flows.flow import Hop, Step
from stackread.flows.handing import HANDED_DEPTH, Handing, calls_itself as _calls_itself
from stackread.flows.hosts import expand, host_queue, routing
from stackread.flows.question import MAX_DEPTH, Question
from stackread.frameworks.callbacks import Events
from stackread.frameworks.drivers import DEFAULT_DRIVER, DriverChoice, matches_method
from stackread.program.facts import Scope

# Client libraries of other OpenStack services: a class in a module importing one is that service's client.
SERVICE_LIBRARIES = {"neutronclient": "neutron", "glanceclient": "glance", "cinderclient": "cinder",
                     "ironicclient": "ironic", "keystoneclient": "keystone", "swiftclient": "swift",
                     "novaclient": "nova", "barbicanclient": "barbican", "designateclient": "designate"}
# Objects, the database, notifications: they look like RPC, not a flow (shown with --show-objects).
_OBJECT_PACKAGES = ("objects", "db", "notifications")


@dataclass
class _Visit:
    """What a function leads to, independent of where it is called from."""

    children: list[tuple[list, tuple]]  # (call context, (kind, target or send, line, receiver class, call record))
    truncated: bool
    others: list[tuple[list, tuple]] = field(default_factory=list)  # calls leading nowhere: for --depth
    # (line, callee, receiver) -> the functions that call hands the callee, run where it calls them (handing.py)
    callbacks: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Reached:
    """How the walk reached a step: the (function, receiver) pairs above it, not to be entered again;
    the conditions from where the flow entered its process; the literal arguments it is called with on
    this path; how many levels of calls leading nowhere may still be shown; the caller's argument texts."""

    stack: frozenset
    conditions: list[str]
    arguments: dict[str, Any]
    budget: int
    texts: dict[str, str]
    state: dict = field(default_factory=dict)  # what the scenario says of the instance here: its vm_state
    assumed: tuple = ()  # the scenario's assumptions that decided the conditions on the way (like `conditions`)
    # Each argument as written here and by every caller up the path, innermost first: the words that
    # say which host a send goes to (`host`, passed `migration.dest_compute`: hosts.py).
    chains: dict = field(default_factory=dict)
    later: tuple = ()  # the functions handed to this step that it calls: drawn after its own calls (handing.py)
    # The objects its caller passed for its parameters (Scope.args): `bdm.attach(ctx, instance, self.volume_api,
    # self.driver)` makes `virt_driver.attach_volume(...)` in the callee the driver's.
    bound: tuple = ()


class Walker:
    def __init__(self, program, rpc, question: Question, conditions: Conditions, cuts: Cuts):
        self.program = program
        self.skipped = cuts.skipped  # modules the flow cannot be followed into
        self._cut_sends = cuts.sends
        self.extra_depth = question.depth  # levels of calls that lead nowhere shown around the flow (--depth)
        self.driver = (question.driver or DEFAULT_DRIVER).lower()
        self.drivers = DriverChoice(program, conditions.options, question.driver)
        self.show_objects, self.conditions = question.show_objects, conditions
        conditions.chosen_driver = self.drivers.chosen  # which driver object a path holds (`driver.supported`)
        self._sends: dict[tuple[str, int], list] = {}
        for send in rpc.sends:
            if send.endpoint and not (send.namespace is None and send.method.startswith("object_")):
                self._sends.setdefault((send.client, send.client_line), []).append(send)
        self._clients = {client for client, _line in self._sends}
        self._memo: dict[tuple[str, str | None], _Visit] = {}
        self._service_of_module: dict[str, str | None] = {}
        self._locals_memo: dict[tuple, dict[str, Any]] = {}
        self.values = Values(conditions, program)
        self.events = Events(program)  # Neutron's callbacks registry: a publish runs its subscribers
        self.handing = Handing(program, self._parameters)

    # -- what each function leads to ----------------------------------------------------------

    def visit(self, function: str, receiver: tuple[str | None, bool], depth: int, stack: frozenset,
              bound: tuple = ()) -> _Visit:
        """What a function leads to, run by `self` of class `receiver` = (class or None: its own, exactly),
        its parameters holding the objects its caller passed (`bound`, see `_passed`)."""
        cached = self._memo.get((function, receiver, bound))
        if cached is not None:
            return cached
        if depth > MAX_DEPTH:
            return _Visit([], True)
        definition = self.program.defs.get(function)
        if definition is None:
            return _Visit([], False)
        module = self.program.modules[definition.module]
        contexts = self.conditions.contexts(module)
        caller = self._caller(function, receiver, bound)
        found: list[tuple[list, Any]] = []
        others: list[tuple[list, Any]] = []
        callbacks: dict[tuple, list] = {}
        truncated = False
        for record in sorted(self.program.calls_in(function), key=lambda r: (r[2], r[3])):
            line, ctx = record[2], record[4]
            context = contexts[ctx] if ctx is not None else []
            for send in self._sends.get((function, line), []):
                found.append((context + ([send.branch] if send.branch else []), ("hop", send, line, (None, True), record)))  # the service's own manager
            # A call into a skipped module, or a send whose serving manager is in one: the flow is cut.
            for skipped in self._cut_sends.get((function, line)) or cut_modules(self.program, module, record, receiver):
                found.append((context, ("cut", skipped, line, (None, False), record)))
            if (function, line) in self._sends or (function, line) in self._cut_sends:
                continue
            for subscriber in self._subscribers(module, record, receiver[0]):
                target, target_receiver = subscriber.callback, (subscriber.receiver, False)
                if (target, target_receiver) in stack or (target, target_receiver) == (function, receiver):
                    continue
                sub = self.visit(target, target_receiver, depth + 1, stack | {(function, receiver)})
                truncated = truncated or sub.truncated
                (found if sub.children else others).append((context, ("event", subscriber, line, target_receiver,
                                                                      record)))
            targets, externals = self.program.call_targets_as(module, record, *receiver, args=bound)
            callees = [t for t, _certain, _r, _exact in targets]
            for target, kind, target_receiver in self._choose(targets, _on_self(record)):
                if (target, target_receiver) in stack or (target, target_receiver) == (function, receiver):
                    continue
                if kind == "call" and not _calls_itself(target, record) and \
                        self.handing.only_named(caller, record, target, callees, externals):
                    continue  # handed over to be named, never called (handing.py)
                # Handed functions that lead somewhere (the tree keeps only those): run where the callee calls them.
                handed = [cb for cb in self.handing.handed(module, record, receiver, target, bound)
                          if self.visit(cb.function, cb.receiver, depth + 1, stack | {(function, receiver)}).children]
                if handed:
                    callbacks[(line, target, target_receiver)] = handed
                if kind in ("driver", "service"):
                    found.append((context, (kind, target, line, target_receiver, record)))
                    continue
                sub = self.visit(target, target_receiver, depth + 1, stack | {(function, receiver)},
                                 self._passed(caller, record, target))
                truncated = truncated or sub.truncated
                where = context + self._recovery(target, record, callees)
                # A callee that calls back what it is handed leads where the callback does.
                (found if sub.children or handed else others).append(
                    (where, ("call", target, line, target_receiver, record)))
        if callbacks:  # run where the callee calls them, not where they are made or handed over
            moved = {cb.function for handed in callbacks.values() for cb in handed}
            found, others = ([entry for entry in entries if not _handed_here(entry, moved)
                              or self._called_here(caller, entry)] for entries in (found, others))
        result = _Visit(found, truncated, others, callbacks)
        if not truncated:
            self._memo[(function, receiver, bound)] = result
        return result

    def _caller(self, function: str, receiver: tuple, bound: tuple) -> Scope | None:
        """Where a function's calls are read on the walk's path: run by `self` of class `receiver`, its
        parameters holding the objects its caller passed."""
        definition = self.program.defs.get(function)
        if definition is None:
            return None
        return Scope(self.program.modules[definition.module], definition.qualname, receiver[0], receiver[1], bound)

    def _passed(self, caller: Scope | None, record: list, target: str) -> tuple:
        """The objects this call passes for the target's parameters, read in the caller as the path binds
        it: what the callee calls on them (`virt_driver.attach_volume`) is theirs. Only objects of the
        tree whose calls the walk follows: literals rule branches out (`_arguments`), they add no call; a
        dict or list made on the way (a request spec) would only make each path's binding its own;
        objects, the DB API and notifications are left out unless asked for, as their calls are."""
        if caller is None:
            return ()
        passed = []
        for param, values in self.program.bind_arguments(caller, record, target):
            objects = frozenset(v for v in values if v[0] in _OBJECTS and self._followed(v[1]))
            if objects:
                passed.append((param, objects))
        return tuple(passed)

    def _called_here(self, caller: Scope | None, entry: tuple) -> bool:
        """Whether the call calls the entry's function itself, through a parameter bound on the path
        (`cb(context, instance, bdms)` with `cb` the `self._do_delete` handed in), not hands it over."""
        _context, (_kind, target, _line, _receiver, record) = entry
        return caller is not None and caller.args != () and any(
            t[0] == target for value in sorted(self.program.resolve(record[1], caller))
            for t in self.program.calls.targets(value))

    def _reaches(self, function: str, receiver: tuple, bound: tuple, wanted: str) -> bool:
        """Whether the walk from the function, its parameters bound so, calls `wanted` within a few
        calls (handing.py's depth): a function handed in is then drawn where it is called, not again
        as a callback."""
        todo, seen = [(function, receiver, bound, 0)], set()
        while todo:
            function, receiver, bound, depth = todo.pop()
            if (function, receiver, bound) in seen or depth > HANDED_DEPTH:
                continue
            seen.add((function, receiver, bound))
            caller = self._caller(function, receiver, bound)
            for _context, (kind, target, _line, target_receiver, record) in self.visit(function, receiver, 0,
                                                                                         frozenset(), bound).children:
                if target == wanted:
                    return True
                if kind == "call":
                    todo.append((target, target_receiver, self._passed(caller, record, target), depth + 1))
        return False

    def _followed(self, name: str) -> bool:
        """Whether the walk follows the calls of this class's or function's code (not an object's)."""
        definition = self.program.defs.get(name)
        package = definition.module.split(".")[1:2] if definition is not None else []
        return self.show_objects or not (package and package[0] in _OBJECT_PACKAGES)

    def _subscribers(self, module, record: list, self_class: str | None) -> list:
        """The callbacks a registry publish at this call site runs (frameworks.callbacks)."""
        published = self.events.published(module, record, self_class)
        return [s for resource, event in published or () for s in self.events.subscribers(resource, event)]

    def _recovery(self, target: str, record: list, callees: list[str]) -> list:
        """A callback handed over for recovery runs when something fails: `driver.live_migration(...,
        self._post_live_migration, self._rollback_live_migration)` (parameters post_method and
        recover_method), `functools.partial(self._rollback_live_migration, ...)`. Named so by itself or
        by the parameter it is passed as, it gets an except-like context: the error path."""
        if _calls_itself(target, record):
            return []
        name = target.rpartition(".")[2]
        if _RECOVERY.search(name):
            return [["except", f"{name} is a recovery callback", record[2]]]
        args, kwargs = record[5], record[6]
        position = next((i for i, a in enumerate(args) if a[0] in ("n", "a") and a[-1] == name), None)
        keyword = next((k for k, a in kwargs.items() if a[0] in ("n", "a") and a[-1] == name), None)
        for callee in callees:
            if callee == target or not _calls_itself(callee, record):
                continue
            params = self._parameters(callee)
            role = keyword or (params[position] if position is not None and position < len(params) else None)
            if role and _RECOVERY.search(role):
                return [["except", f"called back as {role}", record[2]]]
        return []

    def _choose(self, targets: list[tuple[str, bool, str | None, bool]], on_self: bool = False
                ) -> list[tuple[str, str, tuple]]:
        """The targets worth following, each with its kind and receiver class: the chosen driver among
        a driver interface's implementations, service clients as leaves, objects and the DB left out
        unless called on `self` (a plugin whose mixins live in neutron/db is not the DB API)."""
        drivers, targets = self.drivers.split(targets)
        result: list[tuple[str, str, tuple]] = [(t, "driver", r) for t, r in drivers]
        uncertain = [(t, (r, exact)) for t, certain, r, exact in targets if not certain]
        certain = [(t, (r, exact)) for t, is_certain, r, exact in targets if is_certain]
        if len(uncertain) > 1 and any(self._is_driver(t) for t, _r in uncertain):
            chosen = [(t, r) for t, r in uncertain if self._matches_driver(t)] if self.driver != "all" else uncertain
            result += [(t, "driver", r) for t, r in chosen or uncertain[:1]]
        else:
            certain += uncertain
        for target, receiver in dict.fromkeys(certain):
            definition = self.program.defs.get(target)
            if definition is None:
                continue
            package_parts = definition.module.split(".")[1:2]
            if not self.show_objects and not on_self and package_parts and package_parts[0] in _OBJECT_PACKAGES:
                continue
            service = self._service(definition.module)
            if service and (definition.kind == "class" or target.endswith(".__init__")):
                continue  # making the client is not calling the service
            result.append((target, "service" if service else "call", receiver))
        return result

    def _is_driver(self, function: str) -> bool:
        cls = function.rsplit(".", 2)[-2] if function.count(".") >= 2 else ""
        return cls.endswith("Driver")

    def _matches_driver(self, function: str) -> bool:
        return matches_method(self.driver, function)

    def _service(self, module_name: str) -> str | None:
        """Other OpenStack services' clients: a module importing their client library, or
        Placement's report client (it talks REST through keystoneauth, with no client library)."""
        if module_name not in self._service_of_module:
            module = self.program.modules.get(module_name)
            found = None
            if module is not None:
                # A manager importing cinderclient for its exceptions is no Cinder client: the module
                # must be named for the service (nova.volume.cinder, nova.network.neutronv2.api) or be an `*_api`.
                for records in module.bindings.get("", {}).values():
                    for record in records:
                        top = record[1].split(".")[0] if record[0] == "import" else ""
                        service = SERVICE_LIBRARIES.get(top)
                        if service and (service in module_name or module_name.endswith("_api")):
                            found = service
                if found is None and any(d.qualname.endswith("ReportClient") for d in module.defs.values()):
                    found = "placement"
            self._service_of_module[module_name] = found
        return self._service_of_module[module_name]

    # -- the tree -----------------------------------------------------------------------------

    def walk(self, entry: str, process: str, receiver: str | None = None) -> Step:
        """The tree from the entry. Steps are expanded default path first, then other branches, then
        the error path, each breadth first: a function met again is drawn once, where the default
        flow runs it, and elsewhere says "expanded above"."""
        root = self._step(entry, process, "entry")
        root.receiver_exact = True  # the router makes the controller itself
        root.receiver = receiver  # the controller class, where the method is a mixin's
        shown: set[tuple] = set()
        scenario = self.conditions.scenario
        start = {"vm_state": "ACTIVE"} if scenario is not None and scenario.with_vm_state else {}  # the plain one
        # The plain request's body, where the controller action takes one (scenario.BODY).
        definition = self.program.defs.get(entry)
        body = {BODY_PARAMETER: Assumed(BODY, ())} if scenario is not None and definition is not None \
            and BODY_PARAMETER in definition.params else {}
        queue: list = [((False, False, 0), 0, root, _Reached(frozenset(), [], body, self.extra_depth, {}, start))]
        counter = 1
        while queue:
            (_error, _other, depth), _n, step, reached = heapq.heappop(queue)
            # The same function with other literal arguments may take other branches: drawn again.
            key = (step.function, step.receiver, step.receiver_exact, step.process,
                   tuple(sorted(reached.arguments.items(), key=repr)), reached.bound)
            if key in shown:
                step.seen_above = True
                continue
            shown.add(key)
            for child, child_reached in self._children(step, reached):
                priority = (child.error_path, not child.default_path, depth + 1)
                heapq.heappush(queue, (priority, counter, child, child_reached))
                counter += 1
        return root

    def _step(self, function: str, process: str, kind: str) -> Step:
        if kind == "cut":
            skipped = self.skipped[function]
            return Step(function, skipped.path, skipped.line or 0, process, kind, cut=cut_text(skipped))
        definition = self.program.defs.get(function)
        path = self.program.modules[definition.module].path if definition else "?"
        return Step(function, path, definition.line if definition else 0, process, kind)

    def _children(self, step: Step, reached: _Reached) -> list[tuple[Step, _Reached]]:
        """Adds the step's children; returns those to expand further, each with how it is reached."""
        pending: list[tuple[Step, _Reached]] = []
        stack, texts = reached.stack, reached.texts
        inner = stack | {(step.function, (step.receiver, step.receiver_exact))}
        definition = self.program.defs.get(step.function)
        module = self.program.modules[definition.module] if definition else None
        state = self._state(definition, reached.state)
        caller = self._caller(step.function, (step.receiver, step.receiver_exact), reached.bound)
        held = self.conditions.held_by(reached.bound, step.receiver or step.function.rpartition(".")[0])
        # Its locals' scenario values (`async_ = is_supported(req, '2.34')`) decide the default path, never rule out.
        at_entry = {**self._locals(step.function, module, reached.arguments, state, held), **reached.arguments}
        rebound = self._rebound(step.function, module, reached.arguments, state)
        visit = self.visit(step.function, (step.receiver, step.receiver_exact), 0, stack, reached.bound)
        listed = [(c, t, reached.budget) for c, t in visit.children]
        if reached.budget > 0:
            listed = sorted(listed + [(c, t, reached.budget - 1) for c, t in visit.others], key=lambda item: item[1][2])
        fell = fallbacks(listed, self.program.defs)  # `except NotImplementedError` a chosen driver takes
        for position, (context, (kind, target, line, receiver, record), child_budget) in enumerate(listed):
            arguments = _past(at_entry, rebound, line)
            literals = {name: value for name, value in arguments.items() if not isinstance(value, Assumed)}
            context = self._on_path(context, literals, module)
            if context is None:
                continue
            condition, loop, in_except = _describe(context)
            taken, assumed = self.conditions.taken_why(module, context, arguments, state, held)
            if position in fell:  # a fallback's handler runs; the rest of its try does not
                in_except, taken = (False, taken) if fell[position][0] == "handler" else (in_except, False)
                assumed += (fell[position][1].why,)
            child_default = step.default_path and taken is not False and not in_except
            child_open = child_default and (step.open or taken is None)  # on a branch the scenario leaves open
            child_error = step.error_path or in_except
            child_conditions = reached.conditions + ([condition] if condition else [])
            path_assumed = tuple(dict.fromkeys(reached.assumed + assumed))
            child_bound: tuple = ()  # objects bound on the path: a call's own (an RPC hop or an event passes none)
            if kind == "hop":
                send = target
                # `prepare(server=host)` routes to what the caller passed as host: `self.source`.
                route = texts.get(send.server_route, send.server_route) if send.server_route else None
                hop = Hop(step.process, send.service, send.method, send.kind, send.fanout, send.client,
                          send.client_path, send.client_line, send.endpoint, send.endpoint_path, send.endpoint_line,
                          route, " and ".join(dict.fromkeys(child_conditions)) or None, child_default, child_error,
                          list(path_assumed),  # (a test the callee repeats on what it is handed is said once)
                          routing(expand(send.server_route, reached.chains)) if send.server_route else None,
                          host_queue(send.host_topic, send.server_route, route))
                child = self._step(send.endpoint, send.service, "hop")
                child.hop, hop.open = hop, child_open
                target = send.endpoint
                # RPC sends keyword arguments named like the endpoint's parameters.
                child_arguments = {name: value for name, value in arguments.items()
                                   if name in self._parameters(target)}
                child_conditions = []  # a hop's condition is the sending process's own
                path_assumed = ()
                child_texts: dict[str, str] = {}
                child_chains: dict[str, tuple] = {}
            elif kind == "event":
                # A published event runs its subscriber here as callback(resource, event, trigger, payload):
                # the resource and event it is called with are the ones published, literals of this path.
                subscriber = target
                target = subscriber.callback
                child = self._step(target, step.process, kind)
                child.event = f"{subscriber.resource} {subscriber.event}"
                child_arguments = dict(zip(self._parameters(target)[:2], (subscriber.resource, subscriber.event)))
                child_texts = {}
                child_chains = {}
            else:
                child = self._step(target, step.process, kind)
                if kind == "service":
                    child.service = self._service(self.program.defs[target].module)
                child_arguments = self._arguments(target, record, arguments, definition, state)
                if kind == "call":
                    child_bound = self._passed(caller, record, target)
                child_texts = self._argument_texts(target, record, texts)
                child_chains = self._argument_chains(target, record, reached.chains)
            child.call_line, child.condition, child.loop = line, condition, loop
            child.assumed = list(assumed)
            child.receiver, child.receiver_exact = receiver if receiver is not None else (None, False)
            child.error_path, child.default_path, child.open = child_error, child_default, child_open
            step.children.append(child)
            handed = visit.callbacks.get((line, target, receiver), ()) if kind not in ("hop", "event") else ()
            if kind == "call" and child_bound:  # the walk below reaches where it is called, on its own path
                handed = [cb for cb in handed if not self._reaches(target, receiver or (None, False), child_bound,
                                                                   cb.function)]
            called = tuple(self._called_back(child, cb, _Reached(inner, child_conditions, {}, child_budget, {}, state,
                                                                 path_assumed)) for cb in handed)
            if kind in ("call", "hop", "event") and (target, receiver) not in stack:
                pending.append((child, _Reached(inner, child_conditions, child_arguments, child_budget, child_texts,
                                                state, path_assumed, child_chains, called, child_bound)))
            elif called:  # a driver or another service: the walk does not enter it, the callbacks are all it shows
                child.children += [c for c, _r in called]
                pending += called
        step.children += [c for c, _r in reached.later]  # after what the step itself calls
        return pending + list(reached.later)

    def _called_back(self, callee: Step, callback, reached: _Reached) -> tuple[Step, _Reached]:
        """The step of a function handed to `callee`, where the callee calls it: a recovery callback
        (`recover_method`, `_rollback_live_migration`) on the error path."""
        child = self._step(callback.function, callee.process, "call")
        child.callback = callback.text
        child.receiver, child.receiver_exact = callback.receiver
        recovery = bool(_RECOVERY.search(callback.parameter) or _RECOVERY.search(callback.function.rpartition(".")[2]))
        child.error_path = callee.error_path or recovery
        child.default_path, child.open = callee.default_path and not recovery, callee.open
        return child, reached

    def _state(self, definition, state: dict) -> dict:
        """The path's state past a function: `@check_instance_state(vm_state=[vm_states.SHELVED, ...])`
        on an API method says which vm_state the instance is in (scenario.vm_state)."""
        scenario = self.conditions.scenario
        if definition is None or scenario is None or not scenario.with_vm_state:
            return state
        for decorator in definition.decorators:
            if decorator[0] != "c":
                continue
            listed = decorator[3].get("vm_state")
            if listed and listed[0] == "l":
                names = [e[2] for e in listed[2] if e[0] == "a"]
                chosen = scenario.vm_state(names) if len(names) == len(listed[2]) else None
                return {"vm_state": chosen[0], "vm_state_why": chosen[1]} if chosen else {}
        return state

    def _decided_call(self, expr: list, caller) -> Assumed | None:
        """A call the scenario decides (`context.can(RULE, fatal=False)`), passed as an argument."""
        node = as_ast(expr)
        if node is None:
            return None
        value, labels = self.conditions.value(node, {}, self.program.modules[caller.module], {})
        return Assumed(value, labels) if labels and isinstance(value, (bool, int, str, type(None))) else None

    def _locals(self, function: str, module, arguments: dict[str, Any], state: dict, held: tuple) -> dict[str, Any]:
        """Locals bound once, to what the scenario decides (a policy check); `held`: the path's objects, self's too."""
        if self.conditions.scenario is None or module is None:
            return {}
        key = (function, state.get("vm_state"), repr(sorted(arguments.items(), key=repr)), held)
        if key not in self._locals_memo:
            state = self.conditions.holding(state, held)
            self._locals_memo[key] = self.values.locals(function, module, arguments, state)
        return self._locals_memo[key]

    def _rebound(self, function: str, module, arguments: dict[str, Any], state: dict) -> list[tuple[int, str, Any]]:
        if self.conditions.scenario is None or module is None or not arguments:
            return []
        key = ("rebound", function, state.get("vm_state"), repr(sorted(arguments.items(), key=repr)))
        if key not in self._locals_memo:
            self._locals_memo[key] = self.values.rebound(function, module, arguments, state)
        return self._locals_memo[key]

    def _argument_texts(self, function: str, record: list, texts: dict[str, str]) -> dict[str, str]:
        """Each parameter as the caller wrote its argument (a caller's own parameter as its caller wrote it)."""
        from stackread.frameworks.messaging import render_expr

        bound = self._bound(function, record)
        if bound is None:
            return {}
        result = {}
        for name, expr in bound.items():
            text = texts.get(expr[1]) if expr[0] == "n" else None
            result[name] = text or render_expr(expr)
        return {name: text for name, text in result.items() if "…" not in text}

    def _argument_chains(self, function: str, record: list, chains: dict) -> dict[str, tuple]:
        """Each parameter's argument as written at this call, then as the callers wrote what it uses."""
        from stackread.frameworks.messaging import render_expr

        bound = self._bound(function, record)
        return {name: expand(render_expr(expr), chains) for name, expr in (bound or {}).items()}

    def _on_path(self, context: list, arguments: dict[str, Any], module=None) -> list | None:
        """The context once the literal arguments of this path have decided what they can: None when
        they rule the call out (`live=False` for a resize), else the branches they leave open, each
        reduced to its open part (`not live and not rebuild and flavor` is `flavor`)."""
        kept = []
        for entry in context:
            kind, text, line = entry
            if kind not in ("if", "else") or not (names_in(text) & arguments.keys()):
                kept.append(entry)
                continue
            holds = self.conditions.holds_literally(text, arguments, module)
            if holds is None:
                kept.append([kind, self.conditions.residue(text, arguments), line])
            elif (kind == "if") != holds:
                return None
        return kept

    def _bound(self, function: str, record: list, held: tuple = ()) -> dict[str, list] | None:
        """The function's parameters this call site passes, each with the argument's expression; None
        when the site hands it over rather than calls it, by name or by a caller's parameter in `held` (`cb()`)."""
        if not _calls_itself(function, record) and not (record[1][0] == "n" and record[1][1] in held):
            return None
        params = self._parameters(function)
        args, kwargs = record[5], record[6]
        bound = {}
        for name, expr in zip(params, args):
            if expr[0] == "*" or name.startswith("*"):
                break
            bound[name] = expr
        bound.update((name, expr) for name, expr in kwargs.items() if name in params)
        return bound

    def _parameters(self, function: str) -> list[str]:
        """The parameters a caller passes: without the `self`/`cls` of a method."""
        definition = self.program.defs.get(function)
        if definition is None:
            return []
        params = list(definition.params)
        if definition.kind in ("method", "classmethod", "property") and params:
            params = params[1:]
        return params

    def _arguments(self, function: str, record: list, arguments: dict[str, Any], caller=None,
                   state: dict | None = None) -> dict[str, Any]:
        """The parameters a call binds to literals (`live=False`), or to the caller's own literal arguments; one
        not passed has its literal default (`is_local_creation=False`); an attribute of an object the caller
        was handed (`host=instance.host`) is set: a loaded object's field has its value (scenario.SET)."""
        bound = self._bound(function, record, caller.params if caller is not None else ())
        if bound is None:
            return {}
        params = self._parameters(function)
        definition = self.program.defs.get(function)
        found: dict[str, Any] = {}
        args, kwargs = record[5], record[6]
        passed = self.values.keys_passed(kwargs, caller)  # with a `**kwargs` the caller fills by literal keys
        if definition is not None and passed is not None and not any(a[0] == "*" for a in args):
            found.update((name, value) for name, value in definition.defaults
                         if name not in passed and name not in params[:len(args)])
        for name, expr in bound.items():
            if expr[0] in ("k", "s"):
                found[name] = expr[1]
            elif expr[0] == "n" and expr[1] in arguments and not from_body(arguments[expr[1]]):
                found[name] = arguments[expr[1]]
            elif expr[0] == "c" and self.conditions.scenario is not None and caller is not None:
                decided = self._decided_call(expr, caller)
                if decided is not None:
                    found[name] = decided
            elif self.conditions.scenario is not None and _loaded_attribute(expr, caller) and \
                    _optional(definition, name):
                found[name] = Assumed(SET, (f"{name} = {expr[1][1]}.{expr[2]}: set, a loaded object's field",))
            elif expr[0] == "?" and caller is not None and self.conditions.scenario is not None:
                position = None if name in kwargs else params.index(name)
                decided = self.values.argument(caller.full, record, (name, position), arguments, state or {})
                if decided is not None:
                    found[name] = decided
        return found


# Values whose methods or calls run code of the tree: what a parameter bound on the path may be.
_OBJECTS = frozenset({"inst", "cls", "func", "meth", "part", "plugin"})
# Parameters that take a callback for when something fails: recover_method, rollback, on_error...
_RECOVERY = re.compile(r"recover|rollback|revert|fail|error|cleanup", re.I)


def _past(arguments: dict[str, Any], rebound: list[tuple[int, str, Any]], line: int) -> dict[str, Any]:
    """The path's values at a call on `line`: a parameter the body rebinds before it holds the new
    value (or is no longer known)."""
    if not rebound:
        return arguments
    here = dict(arguments)
    for at, name, value in rebound:
        if at < line:
            if value is None:
                here.pop(name, None)
            else:
                here[name] = value
    return here


def _loaded_attribute(expr: list, caller) -> bool:
    """`instance.host` where `instance` is a parameter of the caller (not `self.x`, not a module's)."""
    return (caller is not None and expr[0] == "a" and expr[1][0] == "n" and expr[1][1] not in ("self", "cls")
            and expr[1][1] in caller.params)


def _optional(definition, name: str) -> bool:
    """A parameter that takes a value or None (`host=None`): passing a field sets it. One defaulting
    to False or True is a flag, and one with no default may be either: a field passed so may be falsy."""
    return definition is not None and dict(definition.default_exprs).get(name) == ["k", None]


def _on_self(record: list) -> bool:
    """The call is the object's own method: `self.x(...)`, `super().x(...)` or the older releases'
    `super(L3_NAT_db_mixin, self).x(...)` (Queens' Neutron, whose l3_db mixins live in neutron/db)."""
    callee = record[1]
    return callee[0] == "a" and (callee[1] == ["n", "self"] or callee[1][0] == "super")


def _handed_here(entry: tuple, moved: set[str]) -> bool:
    """A call entry of a function this function hands to a callee that calls it: where it is made
    (`functools.partial(f, ...)`) or handed over, it does not run."""
    _context, (kind, target, _line, _receiver, record) = entry
    return kind == "call" and target in moved and not _calls_itself(target, record)


def _describe(context: list) -> tuple[str | None, str | None, bool]:
    """(condition text, loop text, inside an except block) of a call's context chain."""
    conditions = [text if kind == "if" else negated(text) for kind, text, _line in context if kind in ("if", "else")]
    loops = [text for kind, text, _line in context if kind == "loop"]
    in_except = any(kind == "except" for kind, _text, _line in context)
    return (" and ".join(conditions) or None, loops[-1] if loops else None, in_except)


def negated(text: str) -> str:
    """`not (x)`, and `x` for `not x` (an early `if not x: return` guards what follows with x)."""
    if text.startswith("not ") and " and " not in text and " or " not in text:
        return text[4:].strip()
    return f"not ({text})"
