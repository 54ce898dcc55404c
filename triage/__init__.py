"""Front-door contact triage and call-script engine for English adult social care.

The public surface: load pathways into a catalogue, then run calls on it.

    >>> from triage import CallEngine, load_catalogue
    >>> engine = CallEngine(load_catalogue())
    >>> call = engine.start("front-door", {"caller_type": "self"})
    >>> engine.current(call).step_id
    'danger_to_life'

Names are imported when first used, so ``import triage.calls`` (the run time) does not
load the file loader, and ``import triage`` loads nothing but this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage.lazy import lazy_surface

if TYPE_CHECKING:
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

_HOMES = {
    "CallEngine": "triage.calls", "CallSession": "triage.calls", "OutcomeView": "triage.calls",
    "StepView": "triage.calls",
    "CallError": "triage.errors", "CallFinished": "triage.errors",
    "CannotGoBack": "triage.errors", "InvalidAnswer": "triage.errors",
    "LookupRefused": "triage.errors", "NoRouteMatched": "triage.errors",
    "PathwayProblems": "triage.errors", "PathwayVersionNotLoaded": "triage.errors",
    "RestoreError": "triage.errors", "StepNotCurrent": "triage.errors",
    "TriageError": "triage.errors",
    "check_paths": "triage.pipeline", "load_catalogue": "triage.pipeline",
    "Problem": "triage.problems",
    "Catalogue": "triage.routing.catalogue", "CompiledPathway": "triage.routing.catalogue",
}

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


__getattr__, __dir__ = lazy_surface(__name__, _HOMES, globals())
