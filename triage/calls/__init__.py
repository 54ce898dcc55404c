"""Calls: the call as data, saving it, the engine that guides it, the person check, and
what the handler sees."""

from __future__ import annotations

from triage.calls.engine import CallEngine, ChangeResult
from triage.calls.model import CallSession, HistoryEntry, SavedSearch
from triage.calls.views import (
    AnswerChoice,
    KnownRow,
    OutcomeView,
    RouteStep,
    StepView,
    known_so_far,
)

__all__ = [
    "AnswerChoice",
    "CallEngine",
    "CallSession",
    "ChangeResult",
    "HistoryEntry",
    "KnownRow",
    "OutcomeView",
    "RouteStep",
    "SavedSearch",
    "StepView",
    "known_so_far",
]
