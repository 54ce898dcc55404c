"""The package's public surface is deliberate: this list changes only on purpose."""

from __future__ import annotations

import doctest

import triage
from tests.conftest import ROOT


def test_the_public_surface_is_pinned() -> None:
    assert triage.__all__ == sorted(triage.__all__)
    assert triage.__all__ == [
        "CallEngine", "CallError", "CallFinished", "CallSession", "CannotGoBack", "Catalogue",
        "CompiledPathway", "InvalidAnswer", "LookupRefused", "NoRouteMatched", "OutcomeView",
        "PathwayProblems", "PathwayVersionNotLoaded", "Problem", "RestoreError",
        "StepNotCurrent", "StepView", "TriageError", "check_paths", "load_catalogue",
    ]


def test_every_exported_error_and_class_has_a_docstring() -> None:
    for name in triage.__all__:
        assert getattr(triage, name).__doc__, name


def test_the_package_example_runs(monkeypatch: object) -> None:
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        failures, _ = doctest.testmod(triage)
    finally:
        os.chdir(cwd)
    assert failures == 0
