"""The ``transitions`` state machine behind a compiled pathway's router.

One flat ``Machine`` per pathway version, built once and shared by every call (calls are
plain objects with a ``state``; see LIBRARIES.md for why). Every state has one event,
``advance``, whose transitions are the step's routes in order, each guarded by a compiled
condition we own, followed by its default. No designer-written name is ever passed to
``transitions``. This is the only module that imports it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from transitions import Machine

from triage.routing.plan import ComposedGraph, Edge, Node

EVENT = "advance"


class _Fired(threading.local):
    """The edge whose condition let the last trigger through, per thread."""

    edge: Edge | None = None


_FIRED = _Fired()


def _guard(edge: Edge) -> Callable[[Any], bool]:
    """A transition condition evaluating the edge's condition on the call's answers.

    It also notes which edge it let through, so the call records the route that fired,
    not merely a route that leads to the same step.
    """
    expression = edge.condition
    assert expression is not None

    def condition(event_data: Any) -> bool:
        if expression.holds(event_data.model.values):
            _FIRED.edge = edge
            return True
        return False

    return condition


def build_machine(graph: ComposedGraph) -> Machine:
    """One flat machine for a composed pathway (auto_transitions off: see LIBRARIES.md)."""
    transitions: list[dict[str, Any]] = []
    for node in graph.nodes.values():
        for edge in node.edges:
            spec: dict[str, Any] = {"trigger": EVENT, "source": node.state, "dest": edge.target}
            if edge.condition is not None:
                spec["conditions"] = [_guard(edge)]
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


class MachineRouter:
    """A :class:`~triage.routing.catalogue.Router` over one ``transitions`` machine."""

    def __init__(self, graph: ComposedGraph) -> None:
        self.machine = build_machine(graph)
        # A sub-pathway that is only an outcome (reached by a handover) has no way out.
        self._advance = self.machine.events.get(EVENT)

    def trigger(self, call: Any, node: Node) -> Edge | None:
        """Fire ``advance`` for a call at ``node``: the edge taken, or None if none applied."""
        _FIRED.edge = None
        if self._advance is None or not self._advance.trigger(call):
            return None
        fired = _FIRED.edge
        if fired is None:  # no condition was asked: the step's default or next
            fired = next(e for e in node.edges if e.condition is None)
        return fired
