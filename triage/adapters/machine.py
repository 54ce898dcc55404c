"""The ``transitions`` state machine behind a compiled pathway's router.

One flat ``Machine`` per pathway version, built once and shared by every call (calls are
plain objects with a ``state``; see LIBRARIES.md for why). Each route out of a step is
one ``transitions`` event, named by its place among the step's routes (``route_0``,
``route_1``, ...; the step's default is its last). The router asks the routes' compiled
conditions in order, as designers wrote them, and fires the event of the first that
holds: ``transitions`` then checks that the call is at that step and moves it on. No
designer-written name is ever passed to ``transitions``. This is the only module that
imports it.

Why not one ``advance`` event whose transitions are guarded by the conditions (how it
was until issue 10's figures): ``transitions`` then starts, logs and abandons a
transition for every route whose condition fails before the one that holds, which cost
about a tenth of each generated call (``benchmarks/engine_bench.py`` measures a trigger).
"""

from __future__ import annotations

from typing import Any

from transitions import Event, Machine

from triage.routing.plan import ComposedGraph, Edge, Node

ROUTE = "route_{}"
"""The event of a step's route, by its place among the step's routes."""


def build_machine(graph: ComposedGraph) -> Machine:
    """One flat machine for a composed pathway (auto_transitions off: see LIBRARIES.md)."""
    transitions = [{"trigger": ROUTE.format(n), "source": node.state, "dest": edge.target}
                   for node in graph.nodes.values() for n, edge in enumerate(node.edges)]
    return Machine(
        model=None,
        states=list(graph.nodes),
        transitions=transitions,
        initial=graph.start,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
    )


class MachineRouter:
    """A :class:`~triage.routing.catalogue.Router` over one ``transitions`` machine."""

    def __init__(self, graph: ComposedGraph) -> None:
        self.machine = build_machine(graph)
        longest = max((len(node.edges) for node in graph.nodes.values()), default=0)
        self._events: list[Event] = [self.machine.events[ROUTE.format(n)]
                                     for n in range(longest)]

    def trigger(self, call: Any, node: Node) -> Edge | None:
        """Move a call at ``node`` along its first route that holds: the edge taken, or
        None if none applies (a step whose routes all have conditions and none holds)."""
        values = call.values
        for n, edge in enumerate(node.edges):
            if edge.condition is None or edge.condition.holds(values):
                self._events[n].trigger(call)
                return edge
        return None
