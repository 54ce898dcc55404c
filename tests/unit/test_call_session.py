"""Guided calls: answers, refusals that change nothing, going back, corrections, save/restore."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from triage.adapters.clients.sqlite_index import SqliteClientIndex
from triage.adapters.machine import MachineRouter
from triage.calls import CallEngine, CallSession
from triage.errors import (
    CallFinished,
    CannotGoBack,
    InvalidAnswer,
    LookupRefused,
    PathwayVersionNotLoaded,
    RestoreError,
    StepNotCurrent,
)
from triage.matching.port import SearchDetails
from triage.routing.catalogue import Catalogue
from triage.timeframes import parse_timeframe

ADULT_DOB = "1950-04-01"
CHILD_DOB = (dt.date.today() - dt.timedelta(days=365 * 10)).isoformat()


@pytest.fixture
def engine(mini_catalogue: Catalogue) -> CallEngine:
    return CallEngine(mini_catalogue)


def test_a_call_starts_at_the_first_question_with_the_greeting_to_read(
        engine: CallEngine) -> None:
    call = engine.start("mini", handler="Sam")
    view = engine.current(call)
    assert view.step_id == "danger"
    assert view.words.startswith("Hello, Social Care Direct, Sam speaking.")
    assert "Is anyone in danger right now?" in view.words
    assert [c.code for c in view.choices] == ["yes", "no", "not_sure"]


def test_not_sure_on_a_risk_question_is_routed_as_yes(engine: CallEngine) -> None:
    call = engine.start("mini")
    engine.answer(call, "danger", "not sure")
    out = engine.outcome(call)
    assert out.outcome_id == "mini:call_999" and out.kind == "emergency_services"
    assert call.answered()[0].answer == "not_sure"


def test_an_invalid_answer_is_refused_and_leaves_the_call_exactly_as_it_was(
        engine: CallEngine) -> None:
    call = engine.start("mini")
    before = copy.deepcopy(call.to_dict())
    with pytest.raises(InvalidAnswer, match="'maybe' is not one of the answers: yes, no, "
                       "not_sure"):
        engine.answer(call, "danger", "maybe")
    assert call.to_dict() == before


def test_a_date_of_birth_in_the_future_is_refused(engine: CallEngine) -> None:
    call = engine.start("mini")
    engine.answer(call, "danger", "no")
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    with pytest.raises(InvalidAnswer, match="is in the future"):
        engine.answer(call, "dob", future)
    assert engine.current(call).step_id == "dob"


def test_an_answer_to_a_step_that_is_not_current_is_refused(engine: CallEngine) -> None:
    call = engine.start("mini")
    before = copy.deepcopy(call.to_dict())
    with pytest.raises(StepNotCurrent, match="'online' is not the current step; the call is at "
                       "'danger'"):
        engine.answer(call, "online", "yes")
    assert call.to_dict() == before


def test_calculated_age_routes_a_child_away_from_adult_services(engine: CallEngine) -> None:
    call = engine.start("mini")
    engine.answer(call, "danger", "no")
    engine.answer(call, "dob", CHILD_DOB)
    assert engine.outcome(call).outcome_id == "mini:not_adult"
    assert call.values["age"] == 9 or call.values["age"] == 10


def test_going_back_past_the_start_is_refused(engine: CallEngine) -> None:
    call = engine.start("mini")
    with pytest.raises(CannotGoBack, match="no earlier answer"):
        engine.back(call)


def test_going_back_reopens_the_previous_question(engine: CallEngine) -> None:
    call = engine.start("mini")
    engine.answer(call, "danger", "no")
    engine.answer(call, "dob", ADULT_DOB)
    assert engine.back(call).step_id == "dob"
    assert "person_date_of_birth" not in call.values and "age" not in call.values
    assert [h.state for h in call.answered()] == ["danger"]


def test_changing_an_answer_recomputes_the_route_and_drops_what_no_longer_applies(
        engine: CallEngine) -> None:
    call = engine.start("mini")
    engine.answer(call, "danger", "no")
    engine.answer(call, "dob", ADULT_DOB)
    engine.answer(call, "online", "no")
    assert engine.outcome(call).outcome_id == "mini:assisted"
    result = engine.change(call, "dob", CHILD_DOB)
    assert result.dropped == ("online",)
    assert engine.outcome(call).outcome_id == "mini:not_adult"


def test_changing_an_answer_keeps_later_answers_that_still_apply(engine: CallEngine) -> None:
    call = engine.start("mini")
    engine.answer(call, "danger", "no")
    engine.answer(call, "dob", ADULT_DOB)
    engine.answer(call, "online", "no")
    result = engine.change(call, "dob", "1960-01-01")
    assert result.dropped == ()
    assert engine.outcome(call).outcome_id == "mini:assisted"


def test_changing_an_answer_to_an_invalid_one_changes_nothing(engine: CallEngine) -> None:
    call = engine.start("mini")
    engine.answer(call, "danger", "no")
    before = copy.deepcopy(call.to_dict())
    with pytest.raises(InvalidAnswer):
        engine.change(call, "danger", "perhaps")
    assert call.to_dict() == before


def test_a_finished_call_takes_no_more_answers(engine: CallEngine) -> None:
    call = engine.start("mini")
    engine.answer(call, "danger", "yes")
    with pytest.raises(CallFinished):
        engine.answer(call, None, "yes")


def test_facts_given_at_the_start_pre_answer_their_questions(engine: CallEngine) -> None:
    call = engine.start("mini", {"person_date_of_birth": ADULT_DOB, "can_use_online": "yes"})
    engine.answer(call, "danger", "no")
    assert engine.outcome(call).outcome_id == "mini:deflect"
    assert [h.kind for h in call.history if h.kind != "passed"] == [
        "answered", "pre-answered", "pre-answered", "outcome"]


def test_an_unknown_fact_at_the_start_is_refused(engine: CallEngine) -> None:
    with pytest.raises(InvalidAnswer, match="'colour' is not a call fact"):
        engine.start("mini", {"colour": "blue"})


def test_the_outcome_says_what_to_tell_the_caller_and_the_route_taken(
        engine: CallEngine) -> None:
    call = engine.start("mini")
    engine.answer(call, "danger", "no")
    engine.answer(call, "dob", ADULT_DOB)
    engine.answer(call, "online", "yes")
    out = engine.outcome(call)
    assert out.words == ("Please use Online care and support self-assessment at "
                         "https://portal.example.gov.uk/self-assessment.")
    assert out.service is not None and out.service["id"] == "self-assessment"
    assert out.timeframe == "5 working days"
    assert out.codes == {"cld_request": True, "route_of_access": "community",
                         "request_outcome": "assessment"}
    answered = [(r.state, r.answer) for r in out.route if r.how == "answered"]
    assert answered == [("danger", "no"), ("dob", ADULT_DOB), ("online", "yes")]
    assert out.pathway_id == "mini" and out.pathway_version == 1


def test_a_call_saved_as_json_restores_exactly(engine: CallEngine) -> None:
    call = engine.start("mini", language="cy")
    engine.answer(call, "danger", "no")
    saved = json.loads(json.dumps(call.to_dict()))
    restored = engine.restore(saved)
    assert restored.to_dict() == call.to_dict()
    engine.answer(restored, "dob", ADULT_DOB)
    assert engine.current(restored).step_id == "online"


def test_restoring_on_a_version_that_is_not_loaded_fails_clearly_and_keeps_the_save(
        engine: CallEngine) -> None:
    call = engine.start("mini")
    saved = call.to_dict()
    saved["version"] = 7
    kept = copy.deepcopy(saved)
    with pytest.raises(PathwayVersionNotLoaded, match="version 7, which is not loaded "
                       r"\(loaded versions: 1\)"):
        engine.restore(saved)
    assert saved == kept


def test_restoring_a_damaged_save_fails_clearly(engine: CallEngine) -> None:
    with pytest.raises(RestoreError, match="missing or has a bad"):
        engine.restore({"pathway_id": "mini"})


def test_welsh_words_are_shown_and_missing_welsh_falls_back_to_english_with_a_note(
        engine: CallEngine) -> None:
    call = engine.start("mini", language="cy", handler="Sam")
    view = engine.current(call)
    assert view.words.startswith("Helo, Social Care Direct, Sam sy'n siarad.")
    assert view.note == "No Welsh (cy) words for this step; showing English."


def test_many_calls_share_one_machine(mini_catalogue: Catalogue, engine: CallEngine) -> None:
    router = mini_catalogue.get("mini").router
    assert isinstance(router, MachineRouter)
    machine = router.machine
    calls = [engine.start("mini") for _ in range(50)]
    assert all(isinstance(c, CallSession) for c in calls)
    assert machine.models == []  # calls are plain objects, never added to the machine


def test_a_sub_pathway_cannot_be_started_directly(shipped_catalogue: Catalogue) -> None:
    engine = CallEngine(shipped_catalogue)
    with pytest.raises(LookupRefused, match="is a sub-pathway"):
        engine.start("applications")


def test_the_person_check_searches_the_index_and_routes_on_what_is_confirmed(
        shipped_catalogue: Catalogue, demo_index: SqliteClientIndex) -> None:
    engine = CallEngine(shipped_catalogue, demo_index)
    call = engine.start("front-door", {"caller_type": "family_friend"})
    for step in ("danger_to_life", "abuse_or_neglect", "mental_health_crisis"):
        engine.answer(call, step, "no")
    with pytest.raises(LookupRefused, match="not among the people found"):
        engine.answer(call, "find_person", "SYN0000203")
    result = engine.search(call, SearchDetails(family_name="Example", date_of_birth="1938-11-30"))
    assert [c.person_id for c in result.candidates] == ["SYN0000203"]
    engine.answer(call, "find_person", "SYN0000203")
    view = engine.current(call)
    assert view.known["known_status"] == "open"
    assert view.known["alerts"] == ["risk_to_staff"]
    assert call.values["allocated_worker"] == "Sam Example"


def test_a_search_without_enough_detail_says_what_is_missing(
        shipped_catalogue: Catalogue, demo_index: SqliteClientIndex) -> None:
    engine = CallEngine(shipped_catalogue, demo_index)
    call = engine.start("front-door", {"caller_type": "self"})
    for step in ("danger_to_life", "abuse_or_neglect", "mental_health_crisis"):
        engine.answer(call, step, "no")
    result = engine.search(call, SearchDetails(given_name="Ada"))
    assert result.missing and not result.candidates


def test_the_due_time_is_counted_in_uk_time_whatever_the_server_zone(
        shipped_catalogue: Catalogue) -> None:
    engine = CallEngine(shipped_catalogue)
    call = engine.start("front-door", {"caller_type": "self"})
    # 16:30 UTC on 1 July 2026 is 17:30 in London: after the working day has ended.
    call.started_at = "2026-07-01T16:30:00.000+00:00"
    engine.answer(call, "danger_to_life", "no")
    engine.answer(call, "abuse_or_neglect", "no")
    engine.answer(call, "mental_health_crisis", "yes")
    assert engine.outcome(call).due == "2026-07-01T17:30+01:00"  # immediate: now, UK time
    start = dt.datetime(2026, 7, 1, 17, 30)  # after 17:00: the same working day is tomorrow
    assert parse_timeframe("same working day").due(start) == dt.datetime(2026, 7, 2, 17, 0)


def test_the_demo_index_accepts_uk_style_dates(demo_index: SqliteClientIndex) -> None:
    result = demo_index.search(SearchDetails(family_name="Testpatient",
                                             date_of_birth="14/02/1941"))
    assert [c.person_id for c in result.candidates] == ["SYN0000201"]


def test_the_demo_index_finds_a_person_whose_surname_is_misspelt_by_one_letter(
        demo_index: SqliteClientIndex) -> None:
    result = demo_index.search(SearchDetails(given_name="Cleo", family_name="Exampel",
                                             date_of_birth="30/11/1938"))
    assert [c.person_id for c in result.candidates] == ["SYN0000203"]
    assert result.candidates[0].reasons["family_name"] == "partly agrees"
