"""The wrap-up over the API: after an escalation the person check, the person's earlier
contacts, a further need, corrections with a reason, and finishing with one contact record
per need, linked. Every refusal says what to do and leaves the call as it was. Every test
runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import sqlalchemy as sa
from structlog.testing import capture_logs

from api.storage.schema import contacts
from tests.api.conftest import INFORMATION_CALL, Service
from tests.api.test_api_person_check import details_of, open_cases, search

ESCALATION = [("caller_type", "self"), ("danger_to_life", "yes")]


def post(service: Service, state: dict[str, Any], action: str, **body: Any
         ) -> httpx.Response:
    return service.post(f"/api/calls/{state['call_id']}/{action}",
                        {"version": state["version"], **body})


def ok(reply: httpx.Response) -> dict[str, Any]:
    assert reply.status_code == 200, reply.text
    state: dict[str, Any] = reply.json()
    return state


def escalated(service: Service) -> dict[str, Any]:
    """A call that reached emergency services at the red-flag screen (no person check)."""
    state = service.walk(service.start(), ESCALATION)
    assert state["phase"] == "wrap_up"
    assert state["outcome"]["kind"] == "emergency_services"
    return state


def rows_of(service: Service, call_id: str) -> list[dict[str, Any]]:
    with service.own_store() as store, store.engine.connect() as c:
        rows = c.execute(sa.select(contacts).where(contacts.c.call_id == call_id)
                         .order_by(contacts.c.need)).mappings().all()
    return [dict(r) for r in rows]


def test_an_outcome_starts_the_wrap_up_which_says_what_is_left_to_do(
        service: Service) -> None:
    state = escalated(service)
    wrap = state["wrap_up"]
    assert state["step"] is None and wrap["person_check_needed"] is True
    assert wrap["needs"][0]["kind"] == "emergency_services"
    assert wrap["may"] == ["search", "confirm_person", "add_need", "change", "finish",
                           "finish_without_person_check"]
    # The call is not finished: it is still in the handler's calls in progress.
    mine = service.get("/api/calls").json()
    assert state["call_id"] in [c["call_id"] for c in mine]


def test_finishing_after_an_escalation_needs_the_person_check_or_a_reason(
        service: Service) -> None:
    state = escalated(service)
    refused = post(service, state, "finish")
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "without_person_check"
    assert "Search for the person" in error["reason"]
    assert "the caller would not say" in error["reason"]
    assert service.get(f"/api/calls/{state['call_id']}").json()["version"] == state["version"]
    assert rows_of(service, state["call_id"]) == []

    record = ok(post(service, state, "finish", without_person_check="the caller would not say"))
    assert record["flags"][0]["kind"] == "finished_without_person_check"
    assert record["flags"][0]["reason"] == "the caller would not say"
    [row] = rows_of(service, state["call_id"])
    assert row["person_check_skipped"] == "the caller would not say"
    assert row["need"] == 1 and row["first_contact_id"] is None
    finished = service.get(f"/api/calls/{state['call_id']}").json()
    assert finished["phase"] == "finished" and finished["wrap_up"]["may"] == []


def test_the_person_check_in_the_wrap_up_keeps_the_outcome_and_shows_earlier_contacts(
        service: Service) -> None:
    person = open_cases(alerts=True)[0]
    # An earlier call about the same person, finished with its contact record.
    first = service.walk(service.start(), INFORMATION_CALL[:4])
    first = search(service, first, details_of(person))
    first = ok(service.answer(first, person.system_id))
    first = service.walk(first, INFORMATION_CALL[5:])
    ok(service.finish(first))
    [earlier] = rows_of(service, first["call_id"])

    state = escalated(service)
    state = search(service, state, details_of(person))
    assert state["last_search"]["candidates"][0]["person_id"] == person.system_id
    confirmed = ok(post(service, state, "person", answer=person.system_id))
    assert confirmed["phase"] == "wrap_up"
    assert confirmed["outcome"]["kind"] == "emergency_services"  # not routed again
    wrap = confirmed["wrap_up"]
    assert wrap["person_check_needed"] is False
    assert wrap["person"]["allocated_worker"] == person.allocated_worker
    assert wrap["person"]["alerts"]
    [shown] = wrap["earlier_contacts"]
    assert shown["contact_id"] == str(earlier["contact_id"])
    assert shown["outcome_kind"] == earlier["outcome_kind"]
    assert shown["reason"] == earlier["reason"]
    assert set(shown) >= {"started_at", "team", "open"}
    assert "finish_without_person_check" not in wrap["may"]

    with capture_logs() as logs:
        reply = service.get(f"/api/calls/{state['call_id']}/earlier-contacts")
    assert reply.status_code == 200, reply.text
    assert [c["contact_id"] for c in reply.json()] == [shown["contact_id"]]
    viewed = [line for line in logs if line["event"] == "earlier_contacts_viewed_by"]
    assert viewed and viewed[0]["user"] == "demo-handler" and viewed[0]["contacts"] == 1

    record = ok(service.finish(confirmed))
    assert record["person"]["person_id"] == person.system_id
    assert record["earlier_contacts"][0]["contact_id"] == shown["contact_id"]
    [row] = rows_of(service, state["call_id"])
    assert row["person_id"] == person.system_id and row["person_check_skipped"] is None


def test_earlier_contacts_need_a_confirmed_person(service: Service) -> None:
    state = escalated(service)
    reply = service.get(f"/api/calls/{state['call_id']}/earlier-contacts")
    assert reply.status_code == 422
    assert "confirm who the person is" in reply.json()["error"]["reason"]


def test_a_further_need_is_routed_and_finishing_writes_one_linked_record_per_need(
        service: Service) -> None:
    state = escalated(service)
    state = ok(post(service, state, "person", answer="not_known"))
    added = ok(post(service, state, "needs"))
    assert added["phase"] == "routing" and added["need"] == 2
    assert added["step"]["step_id"] == "reason"
    carried = {a["step"].rsplit("/")[-1]: a["answer"] for a in added["answered"]}
    assert carried["danger_to_life"] == "yes"
    state = service.walk(added, [("reason", "information_advice"),
                                 ("advice_topic", "community_support")])
    assert state["phase"] == "wrap_up"
    assert [n["need"] for n in state["wrap_up"]["needs"]] == [1, 2]
    assert [n["kind"] for n in state["wrap_up"]["needs"]] == ["emergency_services",
                                                               "signpost"]
    record = ok(service.finish(state))
    assert [c["need"] for c in record["contacts"]] == [1, 2]
    first, second = rows_of(service, state["call_id"])
    assert (first["need"], second["need"]) == (1, 2)
    assert first["first_contact_id"] is None
    assert second["first_contact_id"] == first["contact_id"]
    assert first["outcome_kind"] == "emergency_services"
    assert second["reason"] == "information_advice"
    assert json.loads(second["record"])["needs_on_call"] == 2


def test_a_further_need_before_the_outcome_is_refused_saying_what_to_do(
        service: Service) -> None:
    state = service.walk(service.start(), INFORMATION_CALL[:2])
    refused = post(service, state, "needs")
    assert refused.status_code == 422
    assert refused.json()["error"]["reason"] == (
        "A further need can be added once this need has reached its outcome: answer the "
        "remaining questions first.")
    now = service.get(f"/api/calls/{state['call_id']}").json()
    assert now["version"] == state["version"] and now["need"] == 1


def test_changing_a_red_flag_after_an_escalation_needs_a_reason_and_is_flagged(
        service: Service) -> None:
    state = escalated(service)
    refused = post(service, state, "change", step="danger_to_life", answer="no")
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "danger_to_life" and "needs a reason" in error["reason"]
    now = service.get(f"/api/calls/{state['call_id']}").json()
    assert now["version"] == state["version"]
    assert now["outcome"]["kind"] == "emergency_services"

    changed = ok(post(service, state, "change", step="danger_to_life", answer="no",
                      reason="the caller misheard the question"))
    assert changed["phase"] == "routing"
    assert changed["step"]["step_id"] == "abuse_or_neglect"
    changed = service.walk(changed, [("abuse_or_neglect", "no"),
                                     ("mental_health_crisis", "no"),
                                     ("find_person", "not_known"),
                                     ("reason", "information_advice"),
                                     ("advice_topic", "community_support")])
    record = ok(service.finish(changed))
    [flag] = [f for f in record["flags"] if f["kind"] == "red_flag_changed_after_escalation"]
    assert flag["reason"] == "the caller misheard the question"
    assert (flag["from"], flag["to"]) == ("yes", "no")
    corrected = [t for t in record["trail"] if t["kind"] == "corrected"]
    assert corrected[0]["answer"]["from"] == "yes"
    assert corrected[0]["why"] == "the caller misheard the question"
    [row] = rows_of(service, changed["call_id"])
    assert row["red_flag_changed"] is True


def test_two_handlers_adding_needs_at_once_one_wins_the_other_gets_409(
        service: Service) -> None:
    state = ok(post(service, escalated(service), "person", answer="not_known"))
    barrier = threading.Barrier(2)

    def race(_: int) -> httpx.Response:
        barrier.wait()
        return post(service, state, "needs")

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(race, range(2)))
    assert Counter(r.status_code for r in results) == {200: 1, 409: 1}, \
        [r.text for r in results]
    won = next(r.json() for r in results if r.status_code == 200)
    lost = next(r.json() for r in results if r.status_code == 409)
    assert lost["error"]["current_version"] == won["version"]
    now = service.get(f"/api/calls/{state['call_id']}").json()
    assert now["need"] == 2 and now["version"] == state["version"] + 1
    # Nothing lost: the first need's outcome is still on the call.
    state = service.walk(now, [("reason", "information_advice"),
                               ("advice_topic", "community_support")])
    assert [n["kind"] for n in state["wrap_up"]["needs"]] == ["emergency_services",
                                                               "signpost"]
