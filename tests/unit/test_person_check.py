"""The person check: the latest search is kept on the call, and a correction can search again."""

from __future__ import annotations

import json

import pytest

from triage.adapters.clients.sqlite_index import SqliteClientIndex
from triage.calls import CallEngine, CallSession
from triage.errors import LookupRefused, RestoreError, StepNotCurrent
from triage.matching.port import MatchBand, SearchDetails
from triage.routing.catalogue import Catalogue

# On the demo index (data/demo-clients.csv): Cleo Example (SYN0000203) has an open case
# with a risk-to-staff alert, Edie Dummy (SYN0000205) an open case with an allocated worker
# and no alert.
CLEO = SearchDetails(given_name="Cleo", family_name="Example", date_of_birth="1938-11-30")
EDIE = SearchDetails(family_name="Dummy", date_of_birth="1945-09-09", postcode="UB7 8WW")


@pytest.fixture
def engine(shipped_catalogue: Catalogue, demo_index: SqliteClientIndex) -> CallEngine:
    return CallEngine(shipped_catalogue, demo_index)


def at_person_check(engine: CallEngine) -> CallSession:
    # The caller has said the person knows about the call (the consent question after
    # the person check is pre-answered).
    call = engine.start("front-door", {"consent": "agrees"})
    engine.answer(call, "caller_type", "family_friend")
    for step in ("danger_to_life", "abuse_or_neglect", "mental_health_crisis"):
        engine.answer(call, step, "no")
    assert engine.current(call).kind == "lookup"
    return call


def cleo_at_her_outcome(engine: CallEngine) -> CallSession:
    """A call about Cleo (SYN0000203, known, with a risk-to-staff alert) at its outcome."""
    call = at_person_check(engine)
    engine.search(call, CLEO)
    engine.answer(call, "find_person", "SYN0000203")
    engine.answer(call, "reason", "existing_client")
    engine.answer(call, "needs_today", "no")
    engine.answer(call, "care_ending", "no")
    return call


def saved_and_restored(engine: CallEngine, call: CallSession) -> CallSession:
    return engine.restore(json.loads(json.dumps(call.to_dict())))


def test_the_last_search_is_kept_on_the_call_with_the_details_and_people_found(
        engine: CallEngine) -> None:
    call = at_person_check(engine)
    engine.search(call, CLEO)
    restored = saved_and_restored(engine, call)

    kept = restored.last_search
    assert kept is not None
    assert kept.step == "find_person"
    assert kept.details == {"given_name": "Cleo", "family_name": "Example",
                            "date_of_birth": "1938-11-30"}
    assert [c.person_id for c in kept.candidates] == ["SYN0000203"]
    first = kept.candidates[0]
    assert first.band is MatchBand.MATCH and first.score > 0
    assert first.summary and first.reasons["family_name"] == "agrees"
    assert restored.to_dict() == call.to_dict()
    # The restored call can confirm the person found before it was saved.
    engine.answer(restored, "find_person", "SYN0000203")
    assert restored.values["known_status"] == "open"


def test_a_search_that_needs_more_details_keeps_what_to_ask_for(engine: CallEngine) -> None:
    call = at_person_check(engine)
    engine.search(call, SearchDetails(given_name="Ada"))
    kept = saved_and_restored(engine, call).last_search
    assert kept is not None
    assert kept.details == {"given_name": "Ada"}
    assert kept.candidates == ()
    assert kept.missing == ("family_name",)
    assert kept.advice is not None and "Ask for the person's family name" in kept.advice


def test_a_call_saved_before_searches_were_kept_still_restores(engine: CallEngine) -> None:
    call = at_person_check(engine)
    engine.search(call, CLEO)
    old = call.to_dict()
    del old["last_search"]
    restored = engine.restore(old)
    assert restored.last_search is None
    assert restored.candidates == ["SYN0000203"]
    engine.answer(restored, "find_person", "SYN0000203")
    assert restored.values["allocated_worker"] == "Sam Example"


def test_a_damaged_saved_search_is_refused_clearly(engine: CallEngine) -> None:
    call = at_person_check(engine)
    engine.search(call, CLEO)
    saved = call.to_dict()
    saved["last_search"]["candidates"][0]["band"] = "certain"
    with pytest.raises(RestoreError, match="cannot be read"):
        engine.restore(saved)


def test_a_correction_of_the_person_check_can_search_again_and_confirm_someone_else(
        engine: CallEngine) -> None:
    call = cleo_at_her_outcome(engine)
    # SYN0000203's risk-to-staff alert sends the call to the duty team.
    assert engine.outcome(call).outcome_id == "existing-client:duty_alert_review"

    engine.search(call, EDIE, step="find_person")
    assert call.last_search is not None and call.last_search.details["family_name"] == "Dummy"
    assert call.state.endswith("duty_alert_review")  # searching changes no answer
    result = engine.change(call, "find_person", "SYN0000205")

    assert call.values["person_id"] == "SYN0000205"
    assert call.values["allocated_worker"] == "Alex Placeholder"
    assert call.values["allocated_team"] == "Occupational Therapy Team"
    assert call.values["alerts"] == []
    assert result.dropped == ()
    # No alert now: an open case goes to the allocated worker.
    assert result.view.step_id == "worker_available"
    assert result.view.known["known_status"] == "open"


def test_a_correction_to_not_known_drops_the_answers_that_needed_a_known_person(
        engine: CallEngine) -> None:
    call = cleo_at_her_outcome(engine)
    result = engine.change(call, "find_person", "not_known")
    assert call.values["known_status"] == "not_known"
    assert call.values["person_id"] is None and call.values["alerts"] == []
    assert result.dropped == ("to_existing_client/needs_today",
                              "to_existing_client/care_ending")
    assert result.view.step_id == "person_date_of_birth"


def test_a_person_confirmed_earlier_stays_confirmed_when_a_later_search_did_not_find_them(
        engine: CallEngine) -> None:
    call = at_person_check(engine)
    engine.search(call, CLEO)
    engine.answer(call, "find_person", "SYN0000203")
    engine.answer(call, "reason", "existing_client")
    engine.search(call, EDIE, step="find_person")  # looked again, kept the first person
    engine.change(call, "caller_type", "unpaid_carer")
    assert call.values["person_id"] == "SYN0000203"
    assert engine.current(call).step_id == "needs_today"


def test_a_search_from_a_step_that_is_not_a_person_check_is_refused(
        engine: CallEngine) -> None:
    call = at_person_check(engine)
    engine.answer(call, "find_person", "not_known")
    with pytest.raises(LookupRefused, match="not at a person search"):
        engine.search(call, CLEO)
    with pytest.raises(LookupRefused, match="is a question, not a person search"):
        engine.search(call, CLEO, step="danger_to_life")
    with pytest.raises(StepNotCurrent, match="has not been answered"):
        engine.search(call, CLEO, step="advice_topic")
    assert call.last_search is None
