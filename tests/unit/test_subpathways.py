"""Sub-pathways: composed at compile time, with inputs, outputs, return and scoped names."""

from __future__ import annotations

from tests.conftest import MakeLibrary, problems_in
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
