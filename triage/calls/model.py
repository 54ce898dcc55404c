"""A call as data: where it is, what is known, and how it got there.

A :class:`CallSession` is a small plain object that the pathway version's router moves
from state to state; :mod:`triage.calls.saving` turns it into plain data and back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from triage.matching.port import Candidate, MatchBand, SearchDetails, SearchResult
from triage.plaindata import plain
from triage.vocabulary import CallPhase, TrailKind

SAVE_FORMAT = 2
"""The version of the saved form of a call (format 1, before the wrap-up, is read too: its
``finished_at`` was when the outcome was reached)."""


def now_text() -> str:
    """The time now (UTC) as ISO 8601 with milliseconds, as calls record it."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass
class HistoryEntry:
    """One line of a call's audit trail."""

    at: float  # seconds since the epoch (UTC); cheap to take on every answer
    state: str
    kind: str  # a TrailKind
    answer: Any = None
    why: str = ""  # the plain words of the route taken
    route: str = ""  # that route's condition, or default / next / handover / return

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        data: dict[str, Any] = plain(self)
        return data


@dataclass(frozen=True)
class SavedSearch:
    """The latest person search on a call: the details searched on and what was shown.

    It is part of the saved call (the call record), so whoever opens the call next, on
    any instance or after a restart, sees the same people found and can refill the form.
    """

    step: str  # the person-check step it was made from
    at: str  # when (UTC, ISO 8601)
    details: dict[str, str]  # the details given, by field name (blank fields left out)
    candidates: tuple[Candidate, ...] = ()
    advice: str | None = None
    missing: tuple[str, ...] = ()

    @classmethod
    def of(cls, step: str, details: SearchDetails, result: SearchResult) -> SavedSearch:
        """The record of one search and its result."""
        given = {name: str(getattr(details, name)).strip() for name in details.given_fields()}
        return cls(step, now_text(), given, tuple(result.candidates), result.advice,
                   tuple(result.missing))

    def result(self) -> SearchResult:
        """The result as the client index gave it."""
        return SearchResult(self.candidates, self.missing, self.advice)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"step": self.step, "at": self.at, "details": dict(self.details),
                "candidates": [{"person_id": c.person_id, "band": c.band.value,
                                "score": c.score, "summary": dict(c.summary),
                                "reasons": dict(c.reasons)} for c in self.candidates],
                "advice": self.advice, "missing": list(self.missing)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SavedSearch:
        """Read a saved search (KeyError, TypeError or ValueError if it is damaged)."""
        candidates = tuple(
            Candidate(str(c["person_id"]), float(c["score"]), MatchBand(c["band"]),
                      {str(k): str(v) for k, v in dict(c.get("summary") or {}).items()},
                      {str(k): str(v) for k, v in dict(c.get("reasons") or {}).items()})
            for c in data.get("candidates") or [])
        details = {str(k): str(v) for k, v in dict(data.get("details") or {}).items()}
        advice = data.get("advice")
        return cls(str(data["step"]), str(data["at"]), details, candidates,
                   None if advice is None else str(advice),
                   tuple(str(m) for m in data.get("missing") or []))


@dataclass
class CallSession:
    """A call in progress: where it is, what is known, and how it got there."""

    call_id: str
    pathway_id: str
    version: int
    state: str
    language: str = "en"
    handler: str = ""
    started_at: str = field(default_factory=now_text)
    outcome_at: str | None = None  # when the need being routed reached its outcome
    finished_at: str | None = None  # when the handler finished the call (wrap-up over)
    facts: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    words_from: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    last_search: SavedSearch | None = None
    need: int = 1  # the need being routed: 1 for the reason the caller gave first
    earlier_needs: list[dict[str, Any]] = field(default_factory=list)
    """Each need routed before this one: need, state, outcome_at, values and history."""
    person: dict[str, Any] | None = None
    """The confirmed person check (its facts, how and when), kept across corrections."""
    earlier_contacts: list[dict[str, Any]] = field(default_factory=list)
    """The person's contacts of the last 28 days, as shown at the person check."""
    flags: list[dict[str, Any]] = field(default_factory=list)
    """What a reviewer must see on the record: a red-flag answer changed after an
    escalation, a call finished without a person check, and why."""
    clock: dict[str, Any] = field(default_factory=dict)
    """The clock facts the call is routed on (in_hours, out_of_hours, next_opening) and
    the time they were read (``at``): set when the call starts, kept on the record."""

    def clock_values(self) -> dict[str, Any]:
        """The clock facts as call values (without the time they were read)."""
        return {k: v for k, v in self.clock.items() if k != "at"}

    def to_dict(self) -> dict[str, Any]:
        """Everything needed to restore the call exactly (read back by
        :func:`triage.calls.saving.restore`)."""
        data: dict[str, Any] = plain(self)
        data["last_search"] = self.last_search.to_dict() if self.last_search else None
        data["format"] = SAVE_FORMAT
        return data

    def answered(self) -> list[HistoryEntry]:
        """The answers of the need being routed, in order: those the handler gave, and on a
        further need those carried over from the first (not pre-answered facts)."""
        return [h for h in self.history if h.kind in (TrailKind.ANSWERED, TrailKind.CARRIED)]

    @property
    def phase(self) -> CallPhase:
        """Routing, wrapping up after the outcome, or finished."""
        if self.finished_at is not None:
            return CallPhase.FINISHED
        if self.outcome_at is not None:
            return CallPhase.WRAP_UP
        return CallPhase.ROUTING

    @property
    def at_outcome(self) -> bool:
        """True once the need being routed has reached its outcome (wrap-up or finished)."""
        return self.outcome_at is not None
