"""The person check over the API: the latest search is part of the saved call, and a
correction of the person check can search again and confirm someone else. Every test runs
on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import INFORMATION_CALL, MakeService, Service
from triage.adapters.clients import demo_people
from triage.matching.port import BAND_WORDS, MatchBand
from triage.matching.records import CaseStatus, PersonRecord


def open_cases(*, alerts: bool) -> list[PersonRecord]:
    """People in the demo client index with an open case, with or without alerts."""
    return [p for p in demo_people()
            if p.case_status is CaseStatus.OPEN and p.allocated_worker and p.nhs_number
            and bool(p.alerts) == alerts]


def details_of(person: PersonRecord) -> dict[str, Any]:
    assert person.date_of_birth is not None
    return {"given_name": person.given_name.split()[0], "family_name": person.family_name,
            "date_of_birth": person.date_of_birth.isoformat(), "postcode": person.postcode}


def search(service: Service, state: dict[str, Any], details: dict[str, Any],
           step: str | None = None) -> dict[str, Any]:
    body = {"version": state["version"], **details, **({"step": step} if step else {})}
    reply = service.post(f"/api/calls/{state['call_id']}/search", body)
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def test_the_people_found_are_kept_on_the_call_across_a_restart(
        backend: str, make_service: MakeService) -> None:
    person = open_cases(alerts=False)[0]
    first = make_service(backend)
    state = first.walk(first.start(), INFORMATION_CALL[:4])
    searched = search(first, state, details_of(person))
    shown = first.get(f"/api/calls/{state['call_id']}").json()["last_search"]
    assert shown["details"] == details_of(person)
    assert shown["candidates"][0]["person_id"] == person.system_id
    assert shown["candidates"][0]["band"] == "match"
    assert shown["candidates"] == searched["search"]["candidates"]
    first.stop()

    # A new app on the same database (a restart, or another instance) shows the same.
    again = make_service(backend, settings=first.settings)
    now = again.get(f"/api/calls/{state['call_id']}").json()
    assert now["step"]["step_id"] == "find_person"
    assert now["last_search"] == shown
    candidate = now["last_search"]["candidates"][0]
    assert candidate["summary"]["year_of_birth"] == str(person.date_of_birth.year)
    assert candidate["reasons"]["family_name"] == "agrees"
    confirmed = again.answer(now, person.system_id)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["step"]["known"]["allocated_worker"] == person.allocated_worker
    # Past the person check the state no longer carries the search.
    assert confirmed.json()["last_search"] is None


def test_a_search_that_needs_more_details_is_kept_with_what_to_ask_for(
        service: Service) -> None:
    state = service.walk(service.start(), INFORMATION_CALL[:4])
    search(service, state, {"given_name": "Ada"})
    kept = service.get(f"/api/calls/{state['call_id']}").json()["last_search"]
    assert kept["details"] == {"given_name": "Ada"}
    assert kept["candidates"] == [] and kept["missing"]


def test_a_correction_of_the_person_check_searches_again_and_the_routing_follows(
        service: Service) -> None:
    flagged = next(p for p in open_cases(alerts=True) if "safeguarding" in p.alerts)
    clear = open_cases(alerts=False)[1]
    state = service.walk(service.start(), INFORMATION_CALL[:4])
    found = search(service, state, details_of(flagged))
    state = service.walk(found, [("find_person", flagged.system_id),
                                 ("consent", "agrees"),
                                 ("reason", "existing_client"), ("needs_today", "no"),
                                 ("care_ending", "no")])
    # The alert on the first person's record sends the call to the duty team.
    assert state["outcome"]["outcome_id"] == "existing-client:duty_alert_review"

    again = search(service, state, details_of(clear), step="find_person")
    assert again["outcome"]["outcome_id"] == "existing-client:duty_alert_review"
    assert again["search"]["candidates"][0]["person_id"] == clear.system_id
    reply = service.post(f"/api/calls/{state['call_id']}/change", {
        "version": again["version"], "step": "find_person", "answer": clear.system_id})
    assert reply.status_code == 200, reply.text
    changed = reply.json()
    assert changed["dropped"] == []
    assert changed["step"]["step_id"] == "worker_available"
    assert changed["step"]["known"]["allocated_worker"] == clear.allocated_worker
    assert changed["step"]["known"]["allocated_team"] == clear.team
    assert "alerts" not in changed["step"]["known"]  # no alerts now

    state = service.walk(changed, [("worker_available", "yes")])
    assert state["outcome"]["kind"] == "allocated_worker"
    record = service.finish(state).json()
    assert record["person"]["person_id"] == clear.system_id
    assert record["person"]["allocated_worker"] == clear.allocated_worker
    assert record["person"]["alerts"] == []


def test_a_correction_to_not_known_after_a_search_drops_what_needed_a_known_person(
        service: Service) -> None:
    person = open_cases(alerts=False)[2]
    state = service.walk(service.start(), INFORMATION_CALL[:4])
    found = search(service, state, details_of(person))
    state = service.walk(found, [("find_person", person.system_id),
                                 ("consent", "agrees"),
                                 ("reason", "existing_client"), ("needs_today", "no"),
                                 ("care_ending", "no")])
    search(service, state, {"family_name": "Nobody-Here", "date_of_birth": "1901"},
           step="find_person")
    latest = service.get(f"/api/calls/{state['call_id']}").json()
    reply = service.post(f"/api/calls/{state['call_id']}/change", {
        "version": latest["version"], "step": "find_person", "answer": "not_known"})
    assert reply.status_code == 200, reply.text
    changed = reply.json()
    assert changed["dropped"] == ["to_existing_client/needs_today",
                                  "to_existing_client/care_ending"]
    assert changed["step"]["step_id"] == "person_date_of_birth"
    assert changed["step"]["known"]["known_status"] == "not_known"
    assert "allocated_worker" not in changed["step"]["known"]


def test_a_search_for_a_step_that_is_not_an_answered_person_check_is_422(
        service: Service) -> None:
    state = service.walk(service.start(), INFORMATION_CALL[:6])
    for step, reason in (("danger_to_life", "not a person search"),
                         ("advice_topic", "has not been answered")):
        reply = service.post(f"/api/calls/{state['call_id']}/search", {
            "version": state["version"], "family_name": "Smith", "step": step})
        assert reply.status_code == 422
        assert reason in reply.json()["error"]["reason"]
    assert service.get(f"/api/calls/{state['call_id']}").json()["version"] == state["version"]


def test_the_people_found_are_shown_in_words_not_scores(service: Service) -> None:
    person = open_cases(alerts=False)[0]
    state = service.walk(service.start(), INFORMATION_CALL[:4])
    searched = search(service, state, details_of(person))
    kept = service.get(f"/api/calls/{state['call_id']}").json()["last_search"]
    for shown in (searched["search"]["candidates"], kept["candidates"]):
        assert shown, "the search found nobody"
        for candidate in shown:
            assert candidate["words"] == BAND_WORDS[MatchBand(candidate["band"])]
            assert "score" not in candidate
    assert shown[0]["words"] == "very likely the same person: confirm with the caller"
    # The OpenAPI document gives the same shape.
    schema = service.get("/openapi.json", role="designer").json()["components"]["schemas"]
    assert "words" in schema["ShownCandidate"]["properties"]
    assert "score" not in schema["ShownCandidate"]["properties"]
