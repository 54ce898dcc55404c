"""Every outcome of every shipped pathway has at least one scenario that reaches it."""

from __future__ import annotations

import re
from pathlib import Path

from gherkin.parser import Parser
from gherkin.pickles.compiler import Compiler

from triage.definitions import OutcomeStep
from triage.pipeline import check_paths

ROOT = Path(__file__).resolve().parent.parent
OUTCOME_STEP = re.compile(r'^the outcome is "([^"]+)"$')


def asserted_outcomes() -> dict[str, list[str]]:
    """Outcome ids named in 'Then the outcome is "..."', with the scenarios naming them."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "features").rglob("*.feature")):
        document = Parser().parse(path.read_text(encoding="utf-8"))
        document["uri"] = str(path.relative_to(ROOT))
        for pickle in Compiler().compile(document):
            for step in pickle["steps"]:
                match = OUTCOME_STEP.match(step["text"])
                if match:
                    found.setdefault(match.group(1), []).append(pickle["name"])
    return found


def shipped_outcomes() -> set[str]:
    """pathway-id:outcome-step-id for every outcome step of every shipped pathway."""
    lib, _ = check_paths([ROOT / "pathways", ROOT / "scripts"])
    return {f"{pid}:{step.id}" for pid, located in lib.pathways.items()
            for step in located.value.steps if isinstance(step, OutcomeStep)}


def test_every_outcome_of_every_shipped_pathway_has_a_scenario() -> None:
    missing = sorted(shipped_outcomes() - asserted_outcomes().keys())
    assert not missing, (
        "These outcomes have no scenario with 'Then the outcome is \"...\"': " + ", ".join(missing)
    )


def test_scenarios_name_only_outcomes_that_exist() -> None:
    unknown = sorted(asserted_outcomes().keys() - shipped_outcomes())
    assert not unknown, "Scenarios expect outcomes no pathway has: " + ", ".join(unknown)
