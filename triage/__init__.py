"""Front-door contact triage and call-script engine for English adult social care.

The public surface: load pathways into a catalogue, then run calls on it.

    >>> from triage import CallEngine, load_catalogue
    >>> engine = CallEngine(load_catalogue())
    >>> call = engine.start("front-door", {"caller_type": "self"})
    >>> engine.current(call).step_id
    'danger_to_life'
"""

from __future__ import annotations

from triage.calls import CallEngine, CallSession, OutcomeView, StepView
from triage.errors import (
    CallError,
    CallFinished,
    CannotGoBack,
    InvalidAnswer,
    LookupRefused,
    NoRouteMatched,
    PathwayProblems,
    PathwayVersionNotLoaded,
    RestoreError,
    StepNotCurrent,
    TriageError,
)
from triage.pipeline import check_paths, load_catalogue
from triage.problems import Problem
from triage.routing.catalogue import Catalogue, CompiledPathway

__all__ = [
    "CallEngine",
    "CallError",
    "CallFinished",
    "CallSession",
    "CannotGoBack",
    "Catalogue",
    "CompiledPathway",
    "InvalidAnswer",
    "LookupRefused",
    "NoRouteMatched",
    "OutcomeView",
    "PathwayProblems",
    "PathwayVersionNotLoaded",
    "Problem",
    "RestoreError",
    "StepNotCurrent",
    "StepView",
    "TriageError",
    "check_paths",
    "load_catalogue",
]
