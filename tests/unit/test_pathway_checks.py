"""Each broken pathway file gets a located, actionable problem (and never a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MakeLibrary, problems_in
from triage import checks
from triage.errors import PathwayProblems
from triage.pipeline import load_catalogue


def only(folder: Path, check: str | None = None) -> list[str]:
    found = problems_in(folder)
    return [f"{p.line}:{p.column}: {p.where}: {p.message}" for p in found
            if check is None or p.check == check]


def test_the_mini_library_is_valid_and_compiles(make_library: MakeLibrary) -> None:
    assert problems_in(make_library()) == []
    assert load_catalogue([make_library()]).get("mini").version == 1


def test_invalid_yaml_is_reported_with_its_line(make_library: MakeLibrary) -> None:
    folder = make_library(("  - id: hello\n", "  - id: hello\n   bad: [\n"))
    found = problems_in(folder)
    assert len(found) == 1
    assert found[0].file.endswith("mini.yaml") and found[0].check == "yaml"
    assert found[0].line == 14
    assert found[0].message.startswith("invalid YAML")


def test_a_duplicate_yaml_key_is_reported(make_library: MakeLibrary) -> None:
    found = problems_in(make_library(("  owner: QA\n", "  owner: QA\n  owner: Again\n")))
    assert [p.check for p in found] == ["yaml"]
    assert "duplicate key" in found[0].message


def test_an_unknown_key_names_the_valid_keys(make_library: MakeLibrary) -> None:
    found = only(make_library(("    kind: say\n", "    kind: say\n    nxt: danger\n")))
    assert found == ["15:5: steps.hello.nxt: unknown key 'nxt' (valid keys here: id, kind, "
                     "next, script, text, title)"]


def test_a_missing_required_field_is_named(make_library: MakeLibrary) -> None:
    found = only(make_library(("  owner: QA\n", "")))
    assert found == ["2:3: pathway.owner: missing required key 'owner'"]


def test_an_unknown_step_kind_lists_the_kinds(make_library: MakeLibrary) -> None:
    found = only(make_library(("    kind: say\n", "    kind: speak\n")))
    assert len(found) == 1 and "unknown step kind 'speak'" in found[0]
    assert "say, question, lookup, handover, return, outcome" in found[0]


def test_words_like_no_and_on_stay_words(make_library: MakeLibrary) -> None:
    folder = make_library(("  change_note: Test fixture.", "  change_note: on"))
    assert problems_in(folder) == []


def test_check_step_references_finds_an_unknown_goto(make_library: MakeLibrary) -> None:
    found = only(make_library(("goto: not_adult}", "goto: not_adlt}")), "references")
    assert found == ["29:34: steps.dob.routes[0].goto: unknown step 'not_adlt'; steps in this "
                     "pathway are: assisted, call_999, danger, deflect, dob, hello, not_adult, "
                     "online"]


def test_check_duplicate_step_ids(make_library: MakeLibrary) -> None:
    found = only(make_library(("  - id: not_adult\n", "  - id: deflect\n")), "duplicate_ids")
    assert found == ["54:9: steps.deflect.id: duplicate step id 'deflect'"]


def test_check_other_references_unknown_script_team_service_and_fact(
        make_library: MakeLibrary) -> None:
    folder = make_library(
        ("    script: hello\n", "    script: helo\n"),
        ("      service: self-assessment\n      timeframe: 5", "      service: self-asess\n"
         "      timeframe: 5"),
        ("    fact: can_use_online\n", "    fact: can_use_internet\n"),
    )
    found = only(folder, "references")
    assert any("unknown script 'helo'" in f for f in found)
    assert any("unknown online service 'self-asess'" in f for f in found)
    assert any("unknown fact 'can_use_internet'" in f for f in found)


def test_check_unreachable_steps(make_library: MakeLibrary) -> None:
    found = only(make_library(("goto: not_adult}", "goto: deflect}")), "unreachable")
    assert found == ["46:5: steps.not_adult: step 'not_adult' is unreachable: no route from the "
                     "start ('hello') leads to it"]


def test_check_dead_ends_finds_a_loop_with_no_way_out(make_library: MakeLibrary) -> None:
    folder = make_library(
        ("      - {when: \"can_use_online == 'yes'\", goto: deflect}\n"
         "      - {when: \"can_use_online == 'no'\", goto: assisted}\n",
         "      - {when: \"can_use_online == 'yes'\", goto: online}\n"
         "      - {when: \"can_use_online == 'no'\", goto: online}\n"))
    found = only(folder, "dead_ends")
    assert any("step 'online' cannot reach any outcome" in f for f in found)


def test_check_conditions_reports_a_syntax_error(make_library: MakeLibrary) -> None:
    found = only(make_library(("\"age < 18\"", "\"age < \"")), "conditions")
    assert len(found) == 1
    assert found[0].startswith("29:16: steps.dob.routes[0].when: the condition 'age < ' is "
                               "not valid")


def test_check_conditions_reports_an_unknown_name(make_library: MakeLibrary) -> None:
    found = only(make_library(("\"age < 18\"", "\"agee < 18\"")), "conditions")
    assert len(found) == 1 and "unknown name 'agee' in 'agee < 18'" in found[0]


def test_check_conditions_reports_a_code_the_question_does_not_offer(
        make_library: MakeLibrary) -> None:
    found = only(make_library(("\"danger == 'yes'\"", "\"danger == 'yess'\"")), "conditions")
    assert any("'yess' is not an answer to danger" in f for f in found)


def test_check_conditions_reports_a_comparison_of_the_wrong_type(
        make_library: MakeLibrary) -> None:
    found = only(make_library(("\"age < 18\"", "\"age < 'eighteen'\"")), "conditions")
    assert any("compares age (a number) with 'eighteen' (a text)" in f for f in found)


def test_conditions_cannot_call_python(make_library: MakeLibrary) -> None:
    found = only(make_library(("\"age < 18\"", "\"__import__('os').getcwd() == 'x'\"")),
                 "conditions")
    assert len(found) == 1, found
    assert "not a condition function" in found[0] or "do not allow" in found[0]


def test_check_option_coverage_needs_a_default(make_library: MakeLibrary) -> None:
    folder = make_library(("      - {when: \"can_use_online == 'no'\", goto: assisted}\n", ""))
    found = only(folder, "coverage")
    assert found == ["36:7: steps.online.routes: no route covers the answer(s) no and there is "
                     "no 'default'; add a route for them or a default"]


def test_check_placeholders_finds_a_placeholder_with_no_source(
        make_library: MakeLibrary) -> None:
    found = only(make_library(("call {emergency_number} now", "call {emergency_numbr} now")),
                 "placeholders")
    assert len(found) == 1 and "uses {emergency_numbr}, which nothing in this call fills" \
        in found[0]


def test_outcome_placeholders_only_work_in_outcome_words(make_library: MakeLibrary) -> None:
    found = only(make_library(("Is anyone in danger right now?", "Is {team} in danger?")),
                 "placeholders")
    assert len(found) == 1 and "only work in outcome words" in found[0]


def test_check_english_text(make_library: MakeLibrary) -> None:
    found = only(make_library(("text: {en: \"Can you use the internet?\"}",
                               "text: {cy: \"Allwch chi?\"}")), "english")
    assert found == ["34:11: steps.online.text: inline text needs English ('en')"]


def test_check_subpathway_cycles(make_library: MakeLibrary) -> None:
    loop = ("pathway: {id: loop, title: Loop, version: 1, owner: QA, status: draft, "
            "change_note: x, usage: subpathway}\nstart: again\nsteps:\n"
            "  - {id: again, kind: handover, pathway: loop}\n")
    folder = make_library(loop_yaml=loop)
    found = only(folder, "cycles")
    assert found == ["4:42: steps.again.pathway: sub-pathways hand over in a cycle: loop -> loop"]


def test_a_timeframe_that_cannot_be_read(make_library: MakeLibrary) -> None:
    found = only(make_library(("timeframe: 5 working days", "timeframe: soonish")), "outcomes")
    assert found[0].endswith("'soonish' is not a timeframe (valid: immediate, same working "
                             "day, next working day, N working days, N working hours, N hours)")


def test_safety_rule_catches_a_deflection_before_the_red_flag_screen(
        make_library: MakeLibrary) -> None:
    folder = make_library(("    next: danger\n", "    next: online\n"),
                          ("    default: dob\n", "    default: dob\n    title: Danger\n"))
    found = only(folder, "safety")
    assert any("safety rule: the deflect_online outcome 'mini:deflect' can be reached without "
               "the red-flag step(s) danger" in f for f in found)


def test_safety_rule_catches_a_red_flag_yes_that_does_not_escalate(
        make_library: MakeLibrary) -> None:
    folder = make_library(("goto: call_999, why: Danger to life}",
                           "goto: online, why: Danger to life}"))
    found = only(folder, "safety")
    assert any("a 'yes' to red-flag step 'danger' can end at " in f
               and "'mini:deflect' (deflect_online)" in f for f in found), found


def test_not_sure_counts_as_yes_on_a_red_flag_question(make_library: MakeLibrary) -> None:
    folder = make_library(('answer: {type: yes_no_unsure, unsure_means: "yes"}',
                           "answer: {type: yes_no_unsure}"),
                          ("    default: dob\n", "      - {when: \"danger == 'no'\", goto: dob}\n"
                           "    default: online\n"))
    found = only(folder, "safety")
    assert any("a 'not sure' to red-flag step 'danger' can end at " in f
               and "'mini:deflect' (deflect_online)" in f for f in found), found


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


def test_the_valid_keys_named_are_those_of_the_step_with_the_typo(
        make_library: MakeLibrary) -> None:
    found = only(make_library(("    default: online\n", "    defualt: online\n")))
    assert any("unknown key 'defualt' (valid keys here: answer, default, fact, id, kind, next, "
               "routes, script, text, title)" in f for f in found), found
