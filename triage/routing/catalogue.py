"""Compiled pathway versions, ready to run calls, and the catalogue that holds them.

A :class:`CompiledPathway` is a pathway version in its run-time form: the composed graph,
the words, the places and the facts, with a :class:`Router` that moves a call from state to
state. The router is a port: the state machine library behind it is an adapter
(:mod:`triage.adapters.machine`), so the run time never imports it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from triage.routing.plan import (
    AnswerRule,
    Calc,
    ComposedGraph,
    Edge,
    LocalText,
    Node,
    Places,
    Policy,
)


class Router(Protocol):
    """Moves a call on from the state it is at, along the first route that fits."""

    def trigger(self, call: Any, node: Node) -> Edge | None:
        """Move ``call`` (at ``node``) on: the edge taken, or None if no route applied."""


@dataclass
class CompiledPathway:
    """A pathway version ready to run calls."""

    id: str
    version: int
    title: str
    status: str
    usage: str
    owner: str
    change_note: str
    graph: ComposedGraph
    router: Router
    scripts: Mapping[str, LocalText]
    places: Places
    facts: Mapping[str, AnswerRule]
    policy: Policy = Policy()
    guidance: Mapping[str, LocalText] = field(default_factory=dict)
    """Each script's words for the handler (never read out), by script id."""
    calcs: Mapping[str, Calc] = field(init=False)

    def __post_init__(self) -> None:
        self.calcs = {calc.name: calc for calc in self.graph.calcs}

    @property
    def start(self) -> str:
        """The first state."""
        return self.graph.start

    def node(self, state: str) -> Node:
        """The composed step for ``state``."""
        return self.graph.nodes[state]

    def trigger(self, call: Any, node: Node) -> Edge | None:
        """Move ``call`` on from ``node``: the edge taken, or None if none applied."""
        return self.router.trigger(call, node)


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
