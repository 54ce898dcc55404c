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


@dataclass(frozen=True)
class Waiver:
    """A signed waiver in a version's metadata: the cross-version check lets this route,
    which reached an escalation in the live version, end early in this one."""

    route: str
    """The route's answers exactly as ``triage diff`` prints them."""
    signed_by: str
    reason: str


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
    waivers: tuple[Waiver, ...] = ()
    """Signed waivers of the cross-version check, from the pathway's metadata."""
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


READY = "ready"
"""The status of a version that may be published (``draft``: not ready to publish)."""


@dataclass
class Catalogue:
    """The compiled pathways a service or command has loaded, by id and version.

    Which version a new call starts on: the **live** version where one is set (the
    service sets them from its store: :meth:`set_live`). With ``live_only`` (the service)
    a pathway with no live version cannot be started. Without it (the ``triage``
    command, with no store) a new call starts on the highest ``ready`` version, or on the
    highest draft when there is no ready one, so a designer can try a draft.
    """

    pathways: dict[tuple[str, int], CompiledPathway] = field(default_factory=dict)
    newest: dict[str, CompiledPathway] = field(default_factory=dict)
    """The highest version loaded of each pathway, whatever its status (not what calls
    start on: see :meth:`get`)."""
    live: dict[str, int] = field(default_factory=dict)
    """The live version of each pathway that has one."""
    live_only: bool = False

    def add(self, compiled: CompiledPathway) -> None:
        """Add (or replace) one pathway version."""
        self.pathways[(compiled.id, compiled.version)] = compiled
        current = self.newest.get(compiled.id)
        if current is None or compiled.version >= current.version:
            self.newest[compiled.id] = compiled

    def set_live(self, live: Mapping[str, int]) -> None:
        """Make these the live versions (all at once: a reader sees the old map or the
        new one, never a mix)."""
        self.live = dict(live)

    def versions(self, pathway_id: str) -> list[int]:
        """Loaded versions of a pathway, oldest first."""
        return sorted(v for (pid, v) in self.pathways if pid == pathway_id)

    def ids(self) -> list[str]:
        """Ids of every loaded pathway."""
        return sorted({pid for pid, _ in self.pathways})

    def default_version(self, pathway_id: str) -> int | None:
        """The version a new call on ``pathway_id`` starts on (None: it cannot start)."""
        live = self.live.get(pathway_id)
        if live is not None or self.live_only:
            return live
        versions = self.versions(pathway_id)
        ready = [v for v in versions if self.pathways[(pathway_id, v)].status == READY]
        chosen = ready or versions
        return chosen[-1] if chosen else None

    def get(self, pathway_id: str, version: int | None = None) -> CompiledPathway:
        """A pathway version (when ``version`` is None, the one a new call starts on:
        :meth:`default_version`); KeyError if absent."""
        if version is not None:  # the common case, on every step of every call: one look-up
            found = self.pathways.get((pathway_id, version))
            if found is not None:
                return found
        if not self.versions(pathway_id):
            raise KeyError(
                f"Unknown pathway '{pathway_id}'; pathways are: {', '.join(self.ids()) or 'none'}"
            )
        chosen = self.default_version(pathway_id) if version is None else version
        if chosen is None:
            raise KeyError(f"Pathway '{pathway_id}' has no live version: a designer must "
                           "publish one of its ready versions before calls can start on it")
        found = self.pathways.get((pathway_id, chosen))
        if found is None:
            raise KeyError(f"Pathway '{pathway_id}' version {chosen} is not loaded")
        return found

    def __iter__(self) -> Iterator[CompiledPathway]:
        return iter(self.pathways.values())
