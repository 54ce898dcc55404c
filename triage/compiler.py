"""Compiled pathways: one ``transitions`` Machine per pathway version, shared by every call.

The loading pipeline is :func:`load_catalogue`: parse -> models -> semantic checks ->
composition -> machines. Every state has one event, ``advance``, whose transitions are
the step's routes in order (each guarded by a compiled condition we own) followed by its
default. No designer-written name is ever passed to ``transitions``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transitions import Machine

from triage.checks import CheckContext, check_directory_present, run_checks
from triage.definitions import Directory, Fact, Script
from triage.errors import PathwayProblems
from triage.expressions import Expression
from triage.graph import ComposedGraph, Node
from triage.library import Library, read_library

EVENT = "advance"
DEFAULT_PATHS = (Path("pathways"), Path("scripts"))


def _guard(expression: Expression) -> Callable[[Any], bool]:
    """A transition condition evaluating ``expression`` on the call's answers."""

    def condition(event_data: Any) -> bool:
        return expression.holds(event_data.model.values)

    return condition


def build_machine(graph: ComposedGraph) -> Machine:
    """One flat machine for a composed pathway (auto_transitions off: see LIBRARIES.md)."""
    transitions: list[dict[str, Any]] = []
    for node in graph.nodes.values():
        for edge in node.edges:
            spec: dict[str, Any] = {"trigger": EVENT, "source": node.state, "dest": edge.target}
            if edge.condition is not None:
                spec["conditions"] = [_guard(edge.condition)]
            transitions.append(spec)
    return Machine(
        model=None,
        states=list(graph.nodes),
        transitions=transitions,
        initial=graph.start,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
    )


@dataclass
class CompiledPathway:
    """A pathway version ready to run calls: its composed graph and its machine."""

    id: str
    version: int
    title: str
    status: str
    usage: str
    owner: str
    change_note: str
    graph: ComposedGraph
    machine: Machine
    scripts: dict[str, Script]
    directory: Directory
    facts: dict[str, Fact]

    @property
    def start(self) -> str:
        """The first state."""
        return self.graph.start

    def node(self, state: str) -> Node:
        """The composed step for ``state``."""
        return self.graph.nodes[state]

    def __post_init__(self) -> None:
        self._advance = self.machine.events[EVENT]
        self.calcs = {calc.name: calc for calc in self.graph.calcs}

    def trigger(self, call: Any) -> bool:
        """Fire ``advance`` for a call; False when no route applied."""
        return bool(self._advance.trigger(call))

    def outcome_states(self) -> list[str]:
        """Every outcome state reachable in this composed pathway."""
        return [s for s, n in self.graph.nodes.items() if n.outcome is not None]


@dataclass
class Catalogue:
    """The compiled pathways a service or command has loaded, by id and version."""

    pathways: dict[tuple[str, int], CompiledPathway] = field(default_factory=dict)
    newest: dict[str, CompiledPathway] = field(default_factory=dict)

    def add(self, compiled: CompiledPathway) -> None:
        """Add (or replace) one pathway version."""
        self.pathways[(compiled.id, compiled.version)] = compiled
        current = self.newest.get(compiled.id)
        if current is None or compiled.version >= current.version:
            self.newest[compiled.id] = compiled

    def versions(self, pathway_id: str) -> list[int]:
        """Loaded versions of a pathway, oldest first."""
        return sorted(v for (pid, v) in self.pathways if pid == pathway_id)

    def ids(self) -> list[str]:
        """Ids of every loaded pathway."""
        return sorted({pid for pid, _ in self.pathways})

    def get(self, pathway_id: str, version: int | None = None) -> CompiledPathway:
        """A pathway version (the newest when ``version`` is None); KeyError if absent."""
        found = (self.pathways.get((pathway_id, version)) if version is not None
                 else self.newest.get(pathway_id))
        if found is not None:
            return found
        versions = self.versions(pathway_id)
        if not versions:
            raise KeyError(
                f"Unknown pathway '{pathway_id}'; pathways are: {', '.join(self.ids()) or 'none'}"
            )
        chosen = versions[-1] if version is None else version
        if (pathway_id, chosen) not in self.pathways:
            raise KeyError(f"Pathway '{pathway_id}' version {chosen} is not loaded")
        return self.pathways[(pathway_id, chosen)]

    def __iter__(self) -> Iterator[CompiledPathway]:
        return iter(self.pathways.values())


def compile_library(lib: Library, composed: dict[str, ComposedGraph]) -> Catalogue:
    """Build a machine for every composed pathway of a library without problems."""
    catalogue = Catalogue()
    if lib.directory is None:
        if composed:  # the checks refuse this; say so rather than fail on it here
            raise PathwayProblems(check_directory_present(CheckContext(lib)))
        return catalogue  # the files held no pathways: nothing to compile
    scripts = {sid: loc.value for sid, loc in lib.scripts.items()}
    facts = {name: loc.value for name, loc in lib.facts.items()}
    for pid, graph in composed.items():
        meta = lib.pathways[pid].value.pathway
        catalogue.add(CompiledPathway(
            pid, meta.version, meta.title, meta.status, meta.usage, meta.owner, meta.change_note,
            graph, build_machine(graph), scripts, lib.directory.value, facts,
        ))
    return catalogue


@contextmanager
def _bulk_build() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many long-lived objects.

    Loading creates millions of objects that all survive; without the pause the collector
    re-scans them again and again (about a third of the load time for 200 pathways).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def settle_memory() -> None:
    """After loading, collect once and move what survives out of later collections.

    A long-running process (the service, a benchmark standing in for it) calls this so
    the compiled pathways are not re-scanned by every collection during calls.
    """
    gc.collect()
    gc.freeze()


def check_paths(paths: Sequence[Path] = DEFAULT_PATHS) -> tuple[Library, CheckContext]:
    """Read and check files; ``lib.problems`` lists every problem (empty when all is well)."""
    with _bulk_build():
        lib = read_library(paths)
        return lib, run_checks(lib)


def load_catalogue(paths: Sequence[Path] = DEFAULT_PATHS) -> Catalogue:
    """The whole pipeline; raises PathwayProblems listing every problem in every file."""
    lib, ctx = check_paths(paths)
    if lib.problems:
        raise PathwayProblems(lib.problems)
    with _bulk_build():
        return compile_library(lib, ctx.composed)
