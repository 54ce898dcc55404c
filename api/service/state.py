"""What the handlers return about a call: its state (version, phase, step or outcome,
answers so far, the wrap-up after the outcome), a line of a handler's list, an override of
the suggested outcome, and a call loaded once for a request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from api.storage.port import CallStatus, StoredCall
from triage.calls import CallEngine, CallSession, OutcomeView, SavedSearch, StepView
from triage.matching.port import Candidate
from triage.vocabulary import CallPhase, OutcomeKind

__all__ = ["OVERRIDE_KINDS", "CallState", "CallStatus", "CallSummary", "NeedLine",
           "OpenCall", "Override", "ShownCandidate", "ShownSearch", "WrapUp", "shown_candidates",
           "shown_search", "state_of"]

OVERRIDE_KINDS = tuple(OutcomeKind)
"""The outcomes a handler may choose instead of the one suggested: every outcome kind."""


@dataclass(frozen=True)
class NeedLine:
    """One need routed on a call, as the wrap-up lists it."""

    need: int
    outcome_id: str
    kind: str
    summary: str
    team: str | None
    reason: str | None


@dataclass(frozen=True)
class ShownCandidate:
    """One person found, as a handler is shown them: the band and its words (``words``,
    from ``BAND_WORDS``), what confirms identity (``summary``) and, per field, whether
    it agrees (``reasons``). No score: a handler reads words, not four-decimal numbers
    (the score stays in the Python API, for sorting and for QA)."""

    person_id: str
    band: str
    words: str
    summary: dict[str, str]
    reasons: dict[str, str]


@dataclass(frozen=True)
class ShownSearch:
    """The latest search at a person check, as a handler is shown it: the details given
    (by field name), the people found, the advice and what to ask for."""

    step: str
    at: str
    details: dict[str, str]
    candidates: list[ShownCandidate]
    advice: str | None
    missing: list[str]


def shown_candidates(candidates: Sequence[Candidate]) -> list[ShownCandidate]:
    """The people found, in the words a handler is shown."""
    return [ShownCandidate(c.person_id, c.band.value, c.words, dict(c.summary),
                           dict(c.reasons)) for c in candidates]


def shown_search(saved: SavedSearch) -> ShownSearch:
    """A saved search as a handler is shown it."""
    return ShownSearch(saved.step, saved.at, dict(saved.details),
                       shown_candidates(saved.candidates), saved.advice, list(saved.missing))


@dataclass
class WrapUp:
    """The call after its outcome (phase ``wrap_up``, or ``finished``): the needs routed,
    whether the person check is still to do, the person and their earlier contacts of
    the last 28 days, what is flagged for the record, and what the handler may do now
    (``may``: ``search``, ``confirm_person``, ``add_need``, ``change``, ``finish``,
    ``finish_without_person_check``)."""

    needs: list[NeedLine]
    person_check_needed: bool
    person: dict[str, Any] | None
    earlier_contacts: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    may: list[str]


@dataclass
class CallState:
    """What a screen needs about a call: its version, phase, and its step or outcome.

    ``phase`` is the engine's :class:`~triage.vocabulary.CallPhase`: ``routing`` (a step
    to answer), ``wrap_up`` (the outcome is fixed; ``wrap_up`` says what is left) or
    ``finished`` (the contact records are written). At a person check, ``last_search``
    is the latest search made there (the details given, the people found with their
    bands and reasons, advice and what is missing).
    """

    call_id: str
    version: int
    pathway_id: str
    pathway_version: int
    step: StepView | None
    outcome: OutcomeView | None
    answered: list[dict[str, Any]]
    dropped: list[str] = field(default_factory=list)
    last_search: ShownSearch | None = None
    phase: str = CallPhase.ROUTING.value
    need: int = 1
    wrap_up: WrapUp | None = None


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


def wrap_up_of(engine: CallEngine, session: CallSession) -> WrapUp:
    """What the wrap-up shows, and what may be done in it."""
    view = engine.wrap_up(session)
    needs = [NeedLine(n.need, n.outcome.outcome_id, n.outcome.kind, n.outcome.summary,
                      (n.outcome.team or {}).get("id"), n.values.get("reason"))
             for n in view.needs]
    may: list[str] = []
    if view.phase is CallPhase.WRAP_UP:
        if view.person_check_needed:
            may += ["search", "confirm_person"]
        may += ["add_need", "change", "finish"]
        if view.person_check_needed:
            may.append("finish_without_person_check")
    return WrapUp(needs, view.person_check_needed, view.person,
                  [dict(c) for c in view.earlier_contacts], [dict(f) for f in view.flags],
                  may)


def state_of(engine: CallEngine, version: int, session: CallSession,
             dropped: Sequence[str] = ()) -> CallState:
    """The state of ``session`` stored at row ``version`` (``dropped``: answers a change
    removed)."""
    node = engine.catalogue.get(session.pathway_id, session.version).node(session.state)
    step, outcome, wrap_up = None, None, None
    if session.phase is CallPhase.ROUTING:
        step = engine.current(session)
    else:
        outcome = engine.outcome(session)
        wrap_up = wrap_up_of(engine, session)
    answered = [{"step": h.state, "answer": h.answer} for h in session.answered()]
    searched = session.last_search
    if searched is None or (searched.step != node.state and not (
            wrap_up is not None and wrap_up.person_check_needed)):
        searched = None
    return CallState(session.call_id, version, session.pathway_id, session.version, step,
                     outcome, answered, list(dropped),
                     None if searched is None else shown_search(searched), session.phase.value,
                     session.need, wrap_up)
