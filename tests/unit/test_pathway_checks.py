"""The checker as a whole: every problem at once, and checks that are named functions.

Each kind of bad pathway input is a fixture file with its exact expected problems
(tests/fixtures/pathways/invalid/, run by test_fixture_files.py).
"""

from __future__ import annotations

import pytest

from tests.conftest import MakeLibrary
from triage import checks
from triage.errors import PathwayProblems
from triage.pipeline import load_catalogue


def test_load_catalogue_raises_with_every_problem(make_library: MakeLibrary) -> None:
    folder = make_library(("goto: not_adult}", "goto: nowhere}"),
                          ("call {emergency_number} now", "call {nobody} now"))
    with pytest.raises(PathwayProblems) as caught:
        load_catalogue([folder])
    assert {p.check for p in caught.value.problems} >= {"references", "placeholders"}
    assert "mini.yaml:" in str(caught.value)


def test_every_check_is_a_named_function_with_a_docstring() -> None:
    for check in checks.CHECKS:
        assert check.__name__.startswith("check_") and check.__doc__
