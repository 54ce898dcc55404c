"""The red-flag rule: a 'yes' or 'not sure' on a red-flag question always reaches an
escalation, and no way of writing the pathway can hide a 'not sure' from the validator.

The kinds of pathway that could hide it are fixture files under
tests/fixtures/pathways/invalid/red-flag-*; these tests cover the shipped pathways and
the run time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import ROOT, MakeLibrary
from triage.calls import CallEngine
from triage.pipeline import check_paths, load_catalogue
from triage.routing.explore import explore


def shipped_copy(tmp_path: Path) -> Path:
    target = tmp_path / "library"
    for name in ("pathways", "scripts"):
        shutil.copytree(ROOT / name, target / name)
    return target


def test_not_sure_counted_as_no_on_the_front_doors_abuse_question_fails_validation(
        tmp_path: Path) -> None:
    library = shipped_copy(tmp_path)
    front_door = library / "pathways" / "front-door.yaml"
    text = front_door.read_text()
    question = text.index("  - id: abuse_or_neglect\n")
    edited = text[:question] + text[question:].replace("unsure_means: yes", 'unsure_means: "no"',
                                                       1)
    front_door.write_text(edited)
    lib, _ = check_paths([library / "pathways", library / "scripts"])
    safety = [p for p in lib.problems if p.check == "safety"]
    assert safety, "validation passed with 'not sure' counted as 'no' on a red flag"
    line = edited[:question].count("\n") + 1
    assert {(p.line, p.where) for p in safety} == {(line, "steps.abuse_or_neglect")}
    message = safety[0].message
    assert message.startswith("safety rule: a 'not sure' to red-flag step 'abuse_or_neglect' "
                              "can end at ")
    assert "'information-advice:" in message and "(signpost)" in message
    assert "needs unsure_means: yes, not no" in message


def test_the_shipped_pathways_escalate_every_red_flag_yes_and_not_sure() -> None:
    catalogue = load_catalogue([ROOT / "pathways", ROOT / "scripts"])
    graph = catalogue.get("front-door").graph
    escalations = {"emergency_services", "urgent_escalation"}
    seen: set[tuple[str, str]] = set()
    for route in explore(graph):
        end = graph.nodes[route.end].outcome
        assert route.complete and end is not None
        for step in route.steps:
            if step.state in graph.red_flag_states:
                assert step.values is not None and len(step.values) == 1
                (answer,) = step.values
                seen.add((step.state, answer))
                if answer in ("yes", "not_sure"):
                    assert end.kind.value in escalations, (step.state, answer, route.end)
    # Each answer to each red-flag question was explored on a route of its own.
    assert seen == {(flag, answer) for flag in graph.red_flag_states
                    for answer in ("yes", "no", "not_sure")}


def test_a_red_flag_question_is_asked_even_when_its_answer_is_already_known(
        make_library: MakeLibrary) -> None:
    """A fact given at the start (or a sub-pathway's output) never answers a red flag."""
    folder = make_library(
        ('    answer: {type: yes_no_unsure, unsure_means: "yes"}\n',
         '    fact: can_use_online\n    answer: {type: yes_no}\n'),
        ("when: \"danger == 'yes'\"", "when: \"can_use_online == 'yes'\""))
    engine = CallEngine(load_catalogue([folder]))
    call = engine.start("mini", {"can_use_online": "no"})
    assert engine.current(call).step_id == "danger"
    engine.answer(call, "danger", "yes")
    assert engine.outcome(call).kind == "emergency_services"
