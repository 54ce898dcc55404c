"""What the handlers return about a call: its state (version, step or outcome, answers
so far), a line of a handler's list, an override of the suggested outcome, and a call
loaded once for a request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from api.storage.port import CallStatus, StoredCall
from triage.calls import CallEngine, CallSession, OutcomeView, SavedSearch, StepView
from triage.vocabulary import OutcomeKind, StepKind

__all__ = ["OVERRIDE_KINDS", "CallState", "CallStatus", "CallSummary", "OpenCall", "Override",
           "state_of"]

OVERRIDE_KINDS = tuple(OutcomeKind)
"""The outcomes a handler may choose instead of the one suggested: every outcome kind."""


@dataclass
class CallState:
    """What a screen needs about a call: its version, and its step or outcome.

    At a person check, ``last_search`` is the latest search made there (the details
    given, the people found with their bands and reasons, advice and what is missing).
    """

    call_id: str
    version: int
    pathway_id: str
    pathway_version: int
    step: StepView | None
    outcome: OutcomeView | None
    answered: list[dict[str, Any]]
    dropped: list[str] = field(default_factory=list)
    last_search: SavedSearch | None = None


@dataclass
class CallSummary:
    """One of a handler's own calls in a list: where it is, and no personal details."""

    call_id: str
    status: str
    version: int
    pathway_id: str
    pathway_version: int
    pathway_title: str
    started_at: str
    updated_at: str | None
    step_id: str | None
    step_title: str | None
    outcome_kind: str | None


@dataclass
class Override:
    """A handler's decision to use a different outcome than the one suggested."""

    kind: str
    team: str | None
    reason: str


@dataclass(frozen=True)
class OpenCall:
    """A handler's own call loaded once for a request: the stored row, the restored
    session (for what the state does not carry) and the state built from them."""

    stored: StoredCall
    session: CallSession
    state: CallState

    @property
    def call_id(self) -> str:
        """The call's id (its reference)."""
        return self.stored.call_id

    @property
    def finished(self) -> bool:
        """True once its contact record is written."""
        return self.stored.status == CallStatus.FINISHED


def state_of(engine: CallEngine, version: int, session: CallSession,
             dropped: Sequence[str] = ()) -> CallState:
    """The state of ``session`` stored at row ``version`` (``dropped``: answers a change
    removed)."""
    node = engine.catalogue.get(session.pathway_id, session.version).node(session.state)
    step, outcome = None, None
    if node.kind == StepKind.OUTCOME:
        outcome = engine.outcome(session)
    else:
        step = engine.current(session)
    answered = [{"step": h.state, "answer": h.answer} for h in session.answered()]
    searched = session.last_search
    if node.kind != StepKind.LOOKUP or searched is None or searched.step != node.state:
        searched = None
    return CallState(session.call_id, version, session.pathway_id, session.version, step,
                     outcome, answered, list(dropped), searched)
