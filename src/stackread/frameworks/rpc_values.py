"""What an expression can be at an RPC server or client site, its origins followed by hand.

The engine (program.values) answers for every caller at once: `self.topic` is what every
construction of the class passes. A server is made by one construction, so this reader follows a
value back through its sources itself, one call path at a time: local names (a parameter rebound
under a condition keeps what was passed), parameters (from every call site, or from the one
construction the reading is pinned to; a decorated function's from the decorator's wrapper),
`self.x` (assignments through the MRO of the class the method runs as, properties), `a or b`,
what a project function returns, list elements, mappings' entries, and then asks the engine what
the expression at the origin is (strings, option defaults, classes).
"""

from __future__ import annotations

from stackread.program.facts import Scope, enclosing_class

_IMPORTERS = ("import_object", "import_class", "try_import", "import_module")
_MAX_DEPTH = 12


class Reader:
    """What an expression can be at a server site, its parameters followed to their callers."""

    def __init__(self, program, pins: dict | None = None):
        self.program = program
        self.pins = pins or {}

    # -- the target -----------------------------------------------------------------------------

    def target(self, expr, scope: Scope) -> tuple[tuple[str, ...], str | None]:
        """(topics, namespace) of the Target(...) calls the expression can be."""
        topics: set[str] = set()
        namespaces: set[str] = set()
        for call, call_scope in self._made_by(expr, scope, 0):
            kwargs = call[3]
            if "topic" in kwargs:
                topics |= self.strings(kwargs["topic"], call_scope)
            if "namespace" in kwargs:
                namespaces |= self.strings(kwargs["namespace"], call_scope)
        return tuple(sorted(topics)), min(namespaces) if namespaces else None

    def _made_by(self, expr, scope: Scope, depth: int) -> list[tuple[list, Scope]]:
        """The `Target(...)` call expressions an expression was assigned from."""
        if depth > _MAX_DEPTH or expr is None:
            return []
        if expr[0] == "c":
            callees = self.program.resolve(expr[1], scope)
            if any(v[0] == "ext" and v[1].endswith("Target") for v in callees):
                return [(expr, scope)]
            # `queue.get_target()` (Barbican): what the project's function returns
            return [made for value in sorted(callees) if value[0] in ("func", "meth")
                    for returned, returned_scope in self._returned(value[1])
                    for made in self._made_by(returned, returned_scope, depth + 1)]
        return [made for source, source_scope in self._sources(expr, scope)
                for made in self._made_by(source, source_scope, depth + 1)]

    def _returned(self, function_full: str) -> list[tuple[list, Scope]]:
        definition = self.program.defs.get(function_full)
        if definition is None:
            return []
        module = self.program.modules[definition.module]
        return [(expr, Scope(module, definition.qualname))
                for returning, expr, _context in module.summary["returns"] if returning == definition.qualname]

    # -- strings --------------------------------------------------------------------------------

    def strings(self, expr, scope: Scope, depth: int = 0) -> set[str]:
        if depth > _MAX_DEPTH or expr is None:
            return set()
        found = set()
        # What this server's own constructor call passed comes first: the engine's answer for
        # `self.topic` is every constructor's.
        for source, source_scope in self._sources(expr, scope):
            found |= self.strings(source, source_scope, depth + 1)
        if found:
            return found
        for value in self.program.resolve(expr, scope):
            if value[0] == "str":
                found.add(value[1])
            elif (text := self.program.option_value(value)) is not None:
                found.add(text)
        if expr[0] == "i" or expr[0] == "a" and expr[1][0] == "i":
            found |= self._group_option(expr, scope)
        if not found and expr[0] in ("a", "c"):
            found |= self._runtime_group_option(expr, scope, depth)
        if not found and expr[0] == "a":
            found |= self._config_object_option(expr, scope, depth)
        if not found and expr[0] == "fmt":
            found |= self._pattern(expr, scope, depth)
        if not found and expr[0] == "c" and expr[1][0] == "a" and expr[1][2] == "get" and expr[2]:
            # `dbaas.datastore_registry().get(CONF.datastore_manager)`: any entry of the mapping
            for entry, entry_scope in self._entries(expr[1][1], scope, depth + 1):
                found |= self.strings(entry, entry_scope, depth + 1)
        if not found and expr[0] == "a" and expr[1][0] in ("n", "a"):
            # `conf.taskmanager_queue` with `conf` a parameter that holds `cfg.CONF`
            for base in sorted(self._plain_values(expr[1], scope, depth + 1)):
                for value in self.program.values.attribute(base, expr[2]):
                    if (text := self.program.option_value(value)) is not None:
                        found.add(text)
        return found

    def _entries(self, expr, scope: Scope, depth: int) -> list[tuple[list, Scope]]:
        """The value expressions of the mappings an expression can be: dict literals, module tables,
        `dict(chain(a.items(), b.items()))`, and what a project function returns."""
        if depth > _MAX_DEPTH:
            return []
        if expr[0] == "d":
            return [(value, scope) for _key, value in expr[1]]
        if expr[0] == "c":
            callee = expr[1]
            if callee[0] == "a" and callee[2] in ("items", "values", "copy"):
                return self._entries(callee[1], scope, depth + 1)
            names = {v[1] for v in self.program.resolve(callee, scope) if v[0] == "ext"}
            if names & {"builtins.dict", "itertools.chain", "builtins.list"}:
                return [e for arg in expr[2] for e in self._entries(arg, scope, depth + 1)]
        found = [(value, table_scope) for table, table_scope in self.program.values.tables(expr, scope)
                 for _key, value in table[1]]
        return found or [e for source, source_scope in self._sources(expr, scope)
                         for e in self._entries(source, source_scope, depth + 1)]

    def _pattern(self, expr, scope: Scope, depth: int) -> set[str]:
        """`'guestagent.%s' % CONF.guest_id`: a topic per instance, its unknown parts as `*` (the
        guest's server and its client make the same pattern, and one instance's messages reach that
        instance's guest)."""
        op, parts = expr[1], expr[2]
        if op == "%" and len(parts) == 2 and parts[0][0] == "s" and parts[0][1].count("%s") == 1:
            known = self.strings(parts[1], scope, depth + 1)
            return {parts[0][1].replace("%s", text) for text in known} or {parts[0][1].replace("%s", "*")}
        if op in ("+", "f"):
            texts = [self.strings(part, scope, depth + 1) if part[0] != "s" else {part[1]} for part in parts]
            if all(len(t) <= 1 for t in texts):
                return {"".join(min(t) if t else "*" for t in texts)}
        return set()

    def _plain_values(self, expr, scope: Scope, depth: int) -> set:
        """What the engine says the expression is, where it comes from followed here first."""
        if depth > _MAX_DEPTH:
            return set()
        found: set = set()
        for source, source_scope in self._sources(expr, scope):
            found |= self._plain_values(source, source_scope, depth + 1)
        return found or set(self.program.resolve(expr, scope))

    def _config_object_option(self, expr, scope: Scope, depth: int) -> set[str]:
        """`CONF.queue.topic` where `CONF = new_config()` made its own `cfg.ConfigOpts()` (Barbican):
        the options its tree registers are read as the global CONF's."""
        base, path = expr[1], [expr[2]]
        if base[0] == "a":
            base, path = base[1], [base[2], expr[2]]
        if not any(v[0] == "ext" and v[1].startswith("oslo_config.cfg.ConfigOpts(")
                   for v in self._plain_values(base, scope, depth + 1)):
            return set()
        text = self.program.option_value(("ext", "oslo_config.cfg.CONF." + ".".join(path)))
        return {text} if text is not None else set()

    def _runtime_group_option(self, expr, scope: Scope, depth: int) -> set[str]:
        """`CONF.get(manager).get('taskmanager_strategy')`, `CONF[name].opt`: an option of the group a
        value names at run time, for each group name that value can be (a pinned parameter)."""
        if expr[0] == "c" and expr[1][0] == "a" and expr[1][2] == "get" and len(expr[2]) == 1 \
                and expr[2][0][0] == "s":
            holder, option = expr[1][1], expr[2][0][1]
        elif expr[0] == "a":
            holder, option = expr[1], expr[2]
        else:
            return set()
        group = runtime_group(self.program, holder, scope)
        if group is None:
            return set()
        found = set()
        for name in sorted(self.strings(group, scope, depth + 1)):
            text = self.program.option_value(("ext", f"oslo_config.cfg.CONF.{name}.{option}"))
            if text is not None:
                found.add(text)
        return found

    def _group_option(self, expr, scope: Scope) -> set[str]:
        """`CONF['service:central'].topic`: the option `topic` of the group `service:central`."""
        if expr[0] != "a" or expr[1][0] != "i" or expr[1][2][0] != "s":
            return set()
        base = self.program.resolve(expr[1][1], scope)
        if not any(v[0] == "ext" and v[1] == "oslo_config.cfg.CONF" for v in base):
            return set()
        text = self.program.option_value(("ext", f"oslo_config.cfg.CONF.{expr[1][2][1]}.{expr[2]}"))
        return {text} if text is not None else set()

    # -- endpoints ------------------------------------------------------------------------------

    def endpoints(self, expr, scope: Scope, listed: bool) -> tuple[str, ...]:
        elements = [(expr, scope)] if listed else self._elements(expr, scope, 0)
        found: list[str] = []
        for element, element_scope in elements:
            for cls in self.classes(element, element_scope):
                if cls not in found:
                    found.append(cls)
        return tuple(found)

    def _elements(self, expr, scope: Scope, depth: int) -> list[tuple[list, Scope]]:
        if depth > _MAX_DEPTH or expr is None:
            return []
        if expr[0] == "l":
            return [(e[1] if e[0] == "*" else e, scope) for e in expr[2]]
        return [element for source, source_scope in self._sources(expr, scope)
                for element in self._elements(source, source_scope, depth + 1)]

    def classes(self, expr, scope: Scope, depth: int = 0) -> list[str]:
        """The project classes whose instances the expression can be."""
        if depth > _MAX_DEPTH or expr is None:
            return []
        if expr[0] == "n" and expr[1] == "self":
            return [scope.self_class or enclosing_class(scope)] if enclosing_class(scope) else []
        found = sorted({cls for source, source_scope in self._sources(expr, scope)
                        for cls in self.classes(source, source_scope, depth + 1)})
        if found:
            return found
        found = sorted({v[1] for v in self.program.resolve(expr, scope)
                        if v[0] == "inst" and v[1] in self.program.defs})
        if found or expr[0] != "c":
            return found
        return self._made(expr, scope, depth)

    def _made(self, call, scope: Scope, depth: int) -> list[str]:
        """What a call builds: a class called, an importer's dotted name, or a library wrapper's argument."""
        callees = self.program.resolve(call[1], scope)
        found: set[str] = set()
        for value in callees:
            if value[0] == "cls":
                found.add(value[1])
            elif value[0] == "ext" and value[1].rpartition(".")[2] in _IMPORTERS and call[2]:
                for text in sorted(self.strings(call[2][0], scope, depth + 1)):
                    found |= {v[1] for v in self.program.resolve_dotted(text) if v[0] == "cls"}
        if not found and call[1][0] == "c" and call[2]:
            # `profiler.trace_cls('rpc')(manager)`: a library's decorator keeps the object it wraps.
            if all(v[0] == "ext" for v in callees) and callees:
                return self.classes(call[2][0], scope, depth + 1)
        if not found and call[1][0] == "c" and any(v[0] == "ext" and v[1].rpartition(".")[2] in _IMPORTERS
                                                    for v in self.program.resolve(call[1][1], scope)):
            found |= set(self._made(call[1], scope, depth + 1))  # `import_class(path)()`: an instance of it
        if not found:
            found |= set(self._classes_of_values(call, scope, depth))
        return sorted(found)

    def _classes_of_values(self, call, scope: Scope, depth: int) -> list[str]:
        """`manager_class(host)` with `manager_class = getattr(module, name)`: the class it names."""
        if call[1][0] != "n":
            return []
        return sorted({cls for source, source_scope in self._sources(call[1], scope)
                       for cls in self._class_values(source, source_scope, depth + 1)})

    def _class_values(self, expr, scope: Scope, depth: int) -> list[str]:
        if depth > _MAX_DEPTH:
            return []
        found = {v[1] for v in self.program.resolve(expr, scope) if v[0] == "cls"}
        if expr[0] in ("ga", "a") and not found:
            modules = self._modules(expr[1], scope, depth + 1)
            names = self.strings(expr[2], scope, depth + 1) if expr[0] == "ga" else {expr[2]}
            for module in modules:
                for name in names:
                    found |= {v[1] for v in self.program.module_attr(module, name) if v[0] == "cls"}
        if expr[0] == "c":
            found |= set(self._made(expr, scope, depth))
        if not found:
            for source, source_scope in self._sources(expr, scope):
                found |= set(self._class_values(source, source_scope, depth + 1))
        return sorted(found)

    def _modules(self, expr, scope: Scope, depth: int) -> set[str]:
        found = {v[1] for v in self.program.resolve(expr, scope) if v[0] == "mod"}
        if found or depth > _MAX_DEPTH:
            return found
        if expr[0] == "c" and any(v[0] == "ext" and v[1].rpartition(".")[2] in _IMPORTERS
                                  for v in self.program.resolve(expr[1], scope)) and expr[2]:
            for text in self.strings(expr[2][0], scope, depth + 1):
                found |= {v[1] for v in self.program.resolve_dotted(text) if v[0] == "mod"}
            return found
        for source, source_scope in self._sources(expr, scope):
            found |= self._modules(source, source_scope, depth + 1)
        return found

    # -- where a value comes from ---------------------------------------------------------------

    def _sources(self, expr, scope: Scope) -> list[tuple[list, Scope]]:
        """The expressions a name, a parameter, `self.x` or `a or b` was given, each with its scope."""
        kind = expr[0]
        if kind == "either":
            return [(e, scope) for e in expr[1]]
        if kind == "n":
            return self._name_sources(expr[1], scope)
        if kind == "param":
            definition = scope.module.defs.get(scope.function)
            return self._param_sources(definition, expr[1], scope) if definition is not None \
                and expr[1] in definition.params else []
        if kind == "a" and expr[1] == ["n", "self"]:
            return self._attribute_sources(expr[2], scope)
        if kind == "a" and expr[1][0] in ("a", "n", "c"):
            # `self.manager.topic`: the attribute of what `self.manager` holds
            return [(["a", ["n", "self"], expr[2]], Scope(self.program.modules[self.program.defs[cls].module],
                                                           self.program.defs[cls].qualname, self_class=cls))
                    for cls in self.classes(expr[1], scope)]
        if kind == "iter":
            return self._elements(expr[1], scope, 0)
        if kind == "c":  # `self._get_routing_key()`: what the project's function returns
            return [(returned, Scope(returned_scope.module, returned_scope.function,
                                     self_class=scope.self_class if value[0] == "meth" else None))
                    for value in sorted(self.program.resolve(expr[1], scope)) if value[0] in ("func", "meth")
                    for returned, returned_scope in self._returned(value[1])]
        return []

    def _name_sources(self, name: str, scope: Scope) -> list[tuple[list, Scope]]:
        records = scope.module.bindings.get(scope.function, {}).get(name, [])
        # `manager_module = importutils.try_import(manager_module)`: inside, the name is the parameter.
        found = [(_rebound(r[1], name), scope) for r in records if r[0] == "assign"]
        definition = scope.module.defs.get(scope.function)
        if definition is None or name not in definition.params or definition.kind == "class":
            return found
        if found and all(r[0] != "assign" or len(r) < 3 for r in records):
            return found  # rebound unconditionally: the parameter is gone
        # `if topic is None: topic = ''`: what was passed, or what the branch sets
        return found + self._param_sources(definition, name, scope)

    def _param_sources(self, definition, name: str, scope: Scope) -> list[tuple[list, Scope]]:
        """What every call site passes as the parameter, read in the caller's scope (with `self` the
        same instance when the caller is a subclass's `super().__init__`); its default where left out."""
        if (definition.full, "") in self.pins:
            pinned = self.pins.get((definition.full, name))
            if pinned is not None:
                return [pinned]
            default = dict(definition.default_exprs).get(name)
            module = self.program.modules[definition.module]
            return [(default, Scope(module, definition.qualname.rpartition(".")[0]))] if default else []
        index = definition.params.index(name)
        owner = enclosing_class(scope)
        found = []
        unpassed = False
        for site in self.program.params.sites(definition.full):
            module, scope_name, args, kwargs, offset = site[:5]
            if definition.kind == "method" and offset == 0 and args[:1] != [["n", "self"]]:
                offset = 1  # `super().__init__(name, topic)`: `self` is bound, not passed
            position = index - offset
            arg = kwargs.get(name)
            if arg is None and 0 <= position < len(args) and not any(a[0] == "*" for a in args[:position + 1]):
                arg = args[position]
            if arg is None:
                unpassed = True
                continue
            caller_class = enclosing_class(Scope(module, scope_name))
            self_class = None
            if scope.self_class and caller_class:
                if caller_class in self.program.mro(scope.self_class):
                    self_class = scope.self_class  # the same instance, one `__init__` further up
                elif scope.self_class in self.program.all_subclasses(caller_class) or \
                        caller_class in self.program.all_subclasses(owner or ""):
                    continue  # another subclass's `super().__init__`: not this instance's
            if self_class is None and definition.qualname.endswith(".__init__") and len(site) > 5 and \
                    not constructs(self.program, module, scope_name, site[5], scope.self_class or owner):
                continue  # the construction of another class that inherits this `__init__`
            found.append((arg, Scope(module, scope_name, self_class=self_class)))
        if not found and definition.decorators:
            found = self._decorated_sources(definition, index)
        default = dict(definition.default_exprs).get(name)
        if default is not None and (unpassed or not found):
            module = self.program.modules[definition.module]
            found.append((default, Scope(module, definition.qualname.rpartition(".")[0])))
        return found

    def _decorated_sources(self, definition, index: int) -> list[tuple[list, Scope]]:
        """`@with_initialize def main(conf)`: the decorator's wrapper calls the function it was handed
        (`main_function(conf)`), a parameter of the decorator or of a function nested in it."""
        module = self.program.modules[definition.module]
        outer = Scope(module, definition.qualname.rpartition(".")[0])
        found = []
        for decorator in definition.decorators:
            callee = decorator[1] if decorator[0] == "c" else decorator
            for value in sorted(self.program.resolve(callee, outer)):
                wrapper = self.program.defs.get(value[1]) if value[0] == "func" else None
                if wrapper is None:
                    continue
                owner = self.program.modules[wrapper.module]
                nested = {q: d for q, d in owner.defs.items()
                          if q == wrapper.qualname or q.startswith(wrapper.qualname + ".")}
                handed = {p for d in nested.values() for p in d.params}
                for call in owner.calls():
                    if call[0] in nested and call[1][0] == "n" and call[1][1] in handed \
                            and index < len(call[5]) and not any(a[0] == "*" for a in call[5][:index + 1]):
                        found.append((call[5][index], Scope(owner, call[0])))
        return found

    def _attribute_sources(self, name: str, scope: Scope) -> list[tuple[list, Scope]]:
        cls = scope.self_class or enclosing_class(scope)
        if cls is None:
            return []
        found = []
        for owner in self.program.mro(cls):
            definition = self.program.defs.get(owner)
            if definition is None:
                continue
            module = self.program.modules[definition.module]
            for assigning, expr in module.self_assigns.get(name, []):
                if assigning == definition.qualname or assigning.startswith(definition.qualname + "."):
                    found.append((expr, Scope(module, assigning, self_class=cls if cls != owner else None)))
            for record in self.program.classes.class_assigns(owner, name):
                if record[0] == "assign":
                    found.append((record[1], Scope(module, definition.qualname)))
        _owner, member = self.program.find_member(cls, name)
        if member is not None and member.kind == "property":  # what its getter returns
            module = self.program.modules[member.module]
            found += [(expr, Scope(module, member.qualname, self_class=cls))
                      for returning, expr, _context in module.summary["returns"] if returning == member.qualname]
        return found


def _rebound(expr, name: str):
    """The expression with `name` marked as the parameter it was before this assignment rebinds it."""
    if isinstance(expr, list) and expr[:2] == ["n", name]:  # also ["n", name, "p"] (index.valueflow)
        return ["param", name]
    if isinstance(expr, list):
        return [_rebound(part, name) for part in expr]
    if isinstance(expr, dict):
        return {key: _rebound(value, name) for key, value in expr.items()}
    return expr


def runtime_group(program, expr, scope: Scope):
    """The expression naming the group of `CONF.get(group)` or `CONF[group]`, else None."""
    if expr[0] == "c" and expr[1][0] == "a" and expr[1][2] == "get" and len(expr[2]) == 1:
        conf, group = expr[1][1], expr[2][0]
    elif expr[0] == "i":
        conf, group = expr[1], expr[2]
    else:
        return None
    return group if any(v[0] == "ext" and v[1] == "oslo_config.cfg.CONF" for v in program.resolve(conf, scope)) else None


def constructs(program, module, scope_name: str, line: int, cls: str) -> bool:
    for call in module.calls():
        if call[0] == scope_name and call[2] == line:
            values = program.resolve(call[1], Scope(module, scope_name))
            if any(v[0] == "cls" and v[1] == cls for v in values):
                return True
    return False
