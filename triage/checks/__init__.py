"""The named checks on pathway, script, facts and directory files, by family.

Each check is a named function over the :class:`CheckContext` that returns located
problems; :data:`CHECKS` lists them in the order they run. The safety rule
(:func:`check_safety_rule`) runs on each entry pathway once it has been composed (see
:mod:`triage.pipeline`)."""

from __future__ import annotations

from collections.abc import Callable

from triage.checks.context import ROOT_CAUSES, CheckContext
from triage.checks.expressions import check_conditions, check_option_coverage
from triage.checks.graph import check_dead_ends, check_unreachable_steps
from triage.checks.hazards import hazard_check
from triage.checks.references import (
    check_directory_present,
    check_duplicate_step_ids,
    check_other_references,
    check_step_references,
    check_subpathway_cycles,
)
from triage.checks.safety import check_safety_rule
from triage.checks.words import (
    check_english_text,
    check_handler_words,
    check_placeholders,
    placeholders,
)
from triage.problems import Problem

STRUCTURAL = frozenset({"yaml", "schema", "files", "references", "cycles", "duplicate_ids",
                        "conditions"})
"""Problems that stop a pathway being composed (and so its safety being checked)."""

CHECKS: tuple[Callable[[CheckContext], list[Problem]], ...] = (
    check_directory_present,
    check_duplicate_step_ids,
    check_step_references,
    check_other_references,
    check_subpathway_cycles,
    check_unreachable_steps,
    check_dead_ends,
    check_conditions,
    check_option_coverage,
    check_placeholders,
    check_english_text,
    check_handler_words,
)
CHECK_NAMES = frozenset({c.__name__.removeprefix("check_") for c in CHECKS}
                        | {"safety_rule", "hazards"})
"""The names a hazard's control may give for a check of the validator."""
CHECKS = (*CHECKS, hazard_check(CHECK_NAMES))


__all__ = [
    "CHECKS",
    "CHECK_NAMES",
    "ROOT_CAUSES",
    "STRUCTURAL",
    "CheckContext",
    "check_conditions",
    "check_dead_ends",
    "check_directory_present",
    "check_duplicate_step_ids",
    "check_english_text",
    "check_handler_words",
    "check_option_coverage",
    "check_other_references",
    "check_placeholders",
    "check_safety_rule",
    "check_step_references",
    "check_subpathway_cycles",
    "check_unreachable_steps",
    "placeholders",
]
