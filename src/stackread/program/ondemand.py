"""The Program over a tree's modules summarised when first asked for, not all at once.

The entry-point, service and route readers ask a few dozen modules of a tree what a name, an
import or a class member is (program.constants); summarising the whole tree for that would cost
the whole index. They ask the same Program the call graph asks (its names and classes parts,
one implementation), over this mapping: a module is summarised on its first lookup, and what
is learned of it is kept for every reader of the same tree (one Program per ModuleIndex).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackread.index.summary import summarize
from stackread.program.facts import ModuleFacts
from stackread.program.modules import Module, ModuleIndex

if TYPE_CHECKING:
    from stackread.program.resolve import Program


class FactsOnDemand(dict):
    """Module name -> ModuleFacts, for every module of the index (a module is in it when its file is
    in the tree, as `import` would find it); each summarised on first use. A module that does not
    parse is in it but has no facts (`get` gives None), as the index reports it. A module's facts leave
    its function bodies out (index.summary's outline): these readers read those in the AST."""

    def __init__(self, index: ModuleIndex):
        super().__init__()
        self.index = index
        self.defs: dict = {}  # the Program's definitions, grown as modules are summarised
        self._by_path: dict[str, ModuleFacts] = {}
        self.parsed: dict[str, Module] = {}  # the parsed module of each name summarised, for its AST
        self.refs: dict = {}  # program.constants' DefRef of each definition asked for, made once

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.index.path_of(name) is not None

    def get(self, name: str, default=None):
        if not isinstance(name, str) or self.index.path_of(name) is None:
            return default
        module = self.index.get(name)
        return self.of(module) if module is not None else default

    def __getitem__(self, name: str) -> ModuleFacts:
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def of(self, module: Module) -> ModuleFacts:
        """The facts of a parsed module (also one not importable by name: a WSGI script)."""
        facts = self._by_path.get(module.path)
        if facts is None:
            facts = self._by_path[module.path] = ModuleFacts(module.name, module.path, module.is_package,
                                                             summarize(module.tree, module.text, bodies=False))
            self.parsed[module.name] = module
            for definition in facts.defs.values():
                self.defs[definition.full] = definition
            if self.index.path_of(module.name) == module.path:
                dict.__setitem__(self, module.name, facts)
        return facts


def program_on_demand(index: ModuleIndex) -> Program:
    """The one Program of this index's tree, made on first use and shared by every evaluator of it."""
    if index.engine is None:
        from stackread.program.resolve import Program

        modules = FactsOnDemand(index)
        program = Program(modules, diagnostics=index.diagnostics)
        program.follow_parameters = False  # what callers pass would ask every module of the tree
        modules.defs = program.defs
        program.names.is_project = index.owns  # the tree's packages, not only the modules summarised so far
        from stackread.program.constants import Constants

        program.constants = Constants(index)
        index.engine = program
    return index.engine
