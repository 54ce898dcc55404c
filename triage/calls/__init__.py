"""Calls: the call as data, saving it, the engine that guides it, the person check, and
what the handler sees."""

from __future__ import annotations

from triage.calls.engine import CallEngine, ChangeResult
from triage.calls.history import ContactHistory, EarlierContact
from triage.calls.model import CallSession, HistoryEntry, SavedSearch
from triage.calls.views import (
    AnswerChoice,
    KnownRow,
    NeedSummary,
    OutcomeView,
    RouteStep,
    StepView,
    WrapUpView,
    known_so_far,
)

__all__ = [
    "AnswerChoice",
    "CallEngine",
    "CallSession",
    "ChangeResult",
    "ContactHistory",
    "EarlierContact",
    "HistoryEntry",
    "KnownRow",
    "NeedSummary",
    "OutcomeView",
    "RouteStep",
    "SavedSearch",
    "StepView",
    "WrapUpView",
    "known_so_far",
]
