"""Sub-pathways: composed at compile time, with inputs, outputs, return and scoped names."""

from __future__ import annotations

from tests.conftest import MINI, MakeLibrary, problems_in
from triage.calls import CallEngine
from triage.pipeline import load_catalogue

CHILD = """\
pathway: {id: child, title: Child, version: 2, owner: QA, status: draft, change_note: x,
          usage: subpathway}
start: severity
inputs:
  - {name: concern_text, answer: {type: text}}
outputs: [severity]
steps:
  - id: severity
    kind: question
    text: {en: "You said: {concern_text}. How serious is it?"}
    answer:
      type: choice
      options:
        - {code: minor, label: Minor}
        - {code: serious, label: Serious}
    next: back_to_parent
  - id: back_to_parent
    kind: return
"""

PARENT_STEPS = """\
  - id: concern
    kind: question
    text: {en: "What is the concern?"}
    answer: {type: text}
    next: assess
  - id: assess
    kind: handover
    pathway: child
    inputs: {concern_text: concern}
    outputs: {how_bad: severity}
    next: after
  - id: after
    kind: question
    fact: can_use_online
    text: {en: "Can you use the internet?"}
    routes:
      - {when: "how_bad == 'serious'", goto: call_999, why: Serious concern}
    default: dob
  - id: dob
"""


def test_a_handover_with_inputs_outputs_and_return_composes_and_runs(
        make_library: MakeLibrary) -> None:
    folder = make_library(("    default: dob\n", "    default: concern\n"),
                          ("  - id: dob\n", PARENT_STEPS), child_yaml=CHILD)
    assert problems_in(folder) == []
    engine = CallEngine(load_catalogue([folder]))
    call = engine.start("mini")
    engine.answer(call, "danger", "no")
    engine.answer(call, "concern", "Neighbour has not been seen")
    view = engine.current(call)
    assert view.state == "assess/severity" and view.pathway_id == "child"
    assert view.words == "You said: Neighbour has not been seen. How serious is it?"
    engine.answer(call, "severity", "serious")
    assert engine.current(call).step_id == "after"
    engine.answer(call, "after", "yes")
    out = engine.outcome(call)
    assert out.outcome_id == "mini:call_999"
    assert call.values["assess/severity"] == "serious"
    assert "severity" not in call.values  # the child's own answers are scoped


def test_a_handover_must_give_every_input(make_library: MakeLibrary) -> None:
    folder = make_library(("    default: dob\n", "    default: concern\n"),
                          ("  - id: dob\n", PARENT_STEPS.replace(
                              "    inputs: {concern_text: concern}\n", "")), child_yaml=CHILD)
    messages = [p.message for p in problems_in(folder) if p.check == "references"]
    assert "the handover does not give 'child' its input 'concern_text'" in messages


def test_a_handover_output_must_exist(make_library: MakeLibrary) -> None:
    folder = make_library(("    default: dob\n", "    default: concern\n"),
                          ("  - id: dob\n", PARENT_STEPS.replace("how_bad: severity",
                                                                  "how_bad: severty")),
                          child_yaml=CHILD)
    messages = [p.message for p in problems_in(folder) if p.check == "references"]
    assert any("'child' has no output 'severty' (its outputs: severity)" in m for m in messages)


def test_a_handover_to_an_unknown_pathway_is_named(make_library: MakeLibrary) -> None:
    folder = make_library(("    default: dob\n", "    default: concern\n"),
                          ("  - id: dob\n", PARENT_STEPS.replace("pathway: child",
                                                                  "pathway: chlid")),
                          child_yaml=CHILD)
    messages = [p.message for p in problems_in(folder) if p.check == "references"]
    assert any(m.startswith("unknown pathway 'chlid'; pathways are: child, mini")
               for m in messages)


def test_a_returning_sub_pathway_needs_next_on_the_handover(make_library: MakeLibrary) -> None:
    folder = make_library(("    default: dob\n", "    default: concern\n"),
                          ("  - id: dob\n", PARENT_STEPS.replace("    next: after\n", "")),
                          child_yaml=CHILD)
    messages = [p.message for p in problems_in(folder) if p.check == "references"]
    assert any("'child' can return, so this handover needs 'next'" in m for m in messages)


def test_an_unknown_team_in_an_outcome_is_named(make_library: MakeLibrary) -> None:
    folder = make_library(("      summary: Children's services\n",
                           "      summary: Children's services\n      team: childrens\n"))
    messages = [p.message for p in problems_in(folder) if p.check == "references"]
    assert any(m.startswith("unknown team 'childrens'; teams are: brokerage") for m in messages)


def test_two_pathways_with_one_id_are_reported(make_library: MakeLibrary) -> None:
    folder = make_library(copy_yaml=(MINI / "mini.yaml").read_text())
    messages = [p.message for p in problems_in(folder) if p.check == "duplicate_ids"]
    assert any(m.startswith("duplicate pathway id 'mini' (already defined in") for m in messages)


def test_sub_pathways_are_checked_for_safety_where_they_are_used(
        make_library: MakeLibrary) -> None:
    child = CHILD.replace("    next: back_to_parent\n", "    routes:\n"
                          "      - {when: \"severity == 'minor'\", goto: online_form}\n"
                          "    default: back_to_parent\n") + """\
  - id: online_form
    kind: outcome
    outcome:
      kind: deflect_online
      summary: Online
      service: self-assessment
      timeframe: 5 working days
      text: {en: "Use {service_url}"}
      codes: {route_of_access: community, request_outcome: assessment}
"""
    steps = PARENT_STEPS
    folder = make_library(("    next: danger\n", "    next: concern\n"),
                          ("    default: dob\n", "    default: concern\n"),
                          ("  - id: dob\n", steps), child_yaml=child)
    found = [p.message for p in problems_in(folder) if p.check == "safety"]
    assert any("'child:online_form' can be reached without the red-flag step(s) danger" in m
               for m in found), found


def test_a_declared_output_that_nothing_provides_is_reported(make_library: MakeLibrary) -> None:
    folder = make_library(("    default: dob\n", "    default: concern\n"),
                          ("  - id: dob\n", PARENT_STEPS),
                          child_yaml=CHILD.replace("outputs: [severity]",
                                                   "outputs: [severity, sent_to]"))
    messages = [p.message for p in problems_in(folder) if p.check == "references"]
    assert "'child' declares an output 'sent_to' that none of its answers, facts or " \
        "calculations provides" in messages
