"""A call belongs to the handler who started it: others are refused and told whose it is,
a call can be taken over with a reason that its record keeps, and each handler lists their
own calls in progress. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api.service import hash_password
from tests.api.conftest import INFORMATION_CALL, PASSWORD, Service
from triage.adapters.clients import demo_people
from triage.matching.records import CaseStatus


@dataclass
class OtherHandler:
    """A second call handler on the same service, with a token of their own."""

    service: Service
    username: str
    display_name: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def post(self, url: str, body: Any = None) -> httpx.Response:
        return self.service.client.post(url, json=body, headers=self.headers)

    def get(self, url: str, **params: Any) -> httpx.Response:
        return self.service.client.get(url, headers=self.headers, params=params)


def add_handler(service: Service, display_name: str) -> OtherHandler:
    """A new handler user (put in the service's own store), signed in."""
    username = f"handler-{uuid.uuid4().hex[:8]}"
    service.app.state.front_door.repository.put_user(username, display_name, "handler",
                                                hash_password(PASSWORD))
    reply = service.client.post("/api/session",
                                json={"username": username, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    service.client.cookies.clear()
    return OtherHandler(service, username, display_name, reply.json()["token"])


def as_owner(service: Service, call_id: str) -> dict[str, Any]:
    reply = service.get(f"/api/calls/{call_id}")
    assert reply.status_code == 200, reply.text
    state: dict[str, Any] = reply.json()
    return state


def open_case() -> Any:
    return next(p for p in demo_people()
                if p.case_status is CaseStatus.OPEN)


# --- refusals ---------------------------------------------------------------------------

OPERATIONS = ["get", "answer", "back", "change", "search", "finish", "send-link"]


def attempt(other: OtherHandler, operation: str, state: dict[str, Any]) -> httpx.Response:
    """What another handler would send for ``operation``, valid in every other way."""
    call = f"/api/calls/{state['call_id']}"
    version = state["version"]
    if operation == "get":
        return other.get(call)
    body: dict[str, Any] = {
        "answer": {"version": version, "step": "caller_type", "answer": "self"},
        "back": {"version": version},
        "change": {"version": version, "step": "caller_type", "answer": "self"},
        "search": {"version": version, "nhs_number": open_case().nhs_number},
        "finish": {"version": version},
        "send-link": {"by": "sms", "to": "07700 900123"},
    }[operation]
    return other.post(f"{call}/{operation}", body)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_another_handler_is_refused_and_told_whose_call_it_is_and_nothing_changes(
        service: Service, operation: str) -> None:
    other = add_handler(service, "Robin Other")
    steps = INFORMATION_CALL if operation in ("finish", "send-link") else INFORMATION_CALL[:3]
    state = service.walk(service.start(), steps)

    reply = attempt(other, operation, state)

    assert reply.status_code == 403
    body = reply.json()
    assert set(body) == {"error"}
    assert body["error"]["field"] == "call_id"
    assert body["error"]["current_version"] is None
    reason = body["error"]["reason"]
    assert "belongs to Demo handler" in reason
    assert "Ask them" in reason and "take it over" in reason
    assert "candidates" not in reply.text and "search" not in body
    # The owner finds the call exactly as it was, and can carry on with it.
    now = as_owner(service, state["call_id"])
    assert (now["version"], now["answered"]) == (state["version"], state["answered"])
    if operation == "finish":
        assert service.finish(now).status_code == 200


def test_a_handler_is_refused_an_unknown_call_as_before(service: Service) -> None:
    other = add_handler(service, "Robin Other")
    reply = other.get("/api/calls/" + "0" * 32)
    assert reply.status_code == 404
    assert reply.json()["error"]["field"] == "call_id"


# --- taking over --------------------------------------------------------------------------

def test_a_taken_over_call_is_the_new_handlers_and_its_record_says_who_when_and_why(
        service: Service) -> None:
    other = add_handler(service, "Robin Other")
    state = service.walk(service.start(), INFORMATION_CALL[:3])
    why = "Demo handler went off shift; the caller rang back."

    reply = other.post(f"/api/calls/{state['call_id']}/take-over",
                       {"version": state["version"], "reason": why})

    assert reply.status_code == 200, reply.text
    taken = reply.json()
    assert taken["version"] == state["version"] + 1
    assert taken["step"]["step_id"] == state["step"]["step_id"]
    assert taken["answered"] == state["answered"]
    # The first handler is now the one refused, and told who has it.
    refused = service.get(f"/api/calls/{state['call_id']}")
    assert refused.status_code == 403
    assert "belongs to Robin Other" in refused.json()["error"]["reason"]
    mine = [c["call_id"] for c in service.get("/api/calls").json()]
    theirs = [c["call_id"] for c in other.get("/api/calls").json()]
    assert state["call_id"] not in mine and theirs == [state["call_id"]]

    # The new handler carries on; going back (which replays the answers) keeps the entry.
    back = other.post(f"/api/calls/{state['call_id']}/back", {"version": taken["version"]})
    assert back.status_code == 200, back.text
    current = back.json()
    for step, value in INFORMATION_CALL[2:]:
        assert current["step"]["step_id"] == step
        reply = other.post(f"/api/calls/{state['call_id']}/answer",
                           {"version": current["version"], "step": step, "answer": value})
        assert reply.status_code == 200, reply.text
        current = reply.json()
    finished = other.post(f"/api/calls/{state['call_id']}/finish",
                          {"version": current["version"]})
    assert finished.status_code == 200, finished.text
    assert finished.json()["handler"] == other.username

    record = service.contact(state["call_id"])["record"]
    assert record["handler"] == other.username
    handovers = [t for t in record["trail"] if t["kind"] == "taken_over"]
    assert len(handovers) == 1
    handover = handovers[0]
    assert handover["answer"] == {"from": "demo-handler", "from_name": "Demo handler",
                                  "to": other.username, "to_name": "Robin Other"}
    assert handover["why"] == why
    assert handover["step"].endswith("mental_health_crisis")
    started = dt.datetime.fromisoformat(record["started_at"]).timestamp()
    ended = dt.datetime.fromisoformat(record["ended_at"]).timestamp()
    assert started <= handover["at"] <= ended + 1  # ended_at is to the second
    answered = [(t["step"].rsplit("/")[-1], t["answer"]) for t in record["trail"]
                if t["kind"] == "answered"]
    assert answered == INFORMATION_CALL


def test_a_take_over_from_an_out_of_date_version_is_refused_and_changes_nothing(
        service: Service) -> None:
    other = add_handler(service, "Robin Other")
    state = service.walk(service.start(), INFORMATION_CALL[:2])
    # The owner answers again after the other handler last knew the call.
    moved = service.answer(state, "no").json()

    reply = other.post(f"/api/calls/{state['call_id']}/take-over",
                       {"version": state["version"], "reason": "They seem to have gone"})

    assert reply.status_code == 409
    assert reply.json()["error"] == {
        "field": "version", "current_version": moved["version"],
        "reason": f"The call has changed since the version you had; it is now at version "
                  f"{moved['version']}. Reload it and try again."}
    now = as_owner(service, state["call_id"])
    assert (now["version"], now["answered"]) == (moved["version"], moved["answered"])
    assert other.get(f"/api/calls/{state['call_id']}").status_code == 403
    assert state["call_id"] in [c["call_id"] for c in service.get("/api/calls").json()]


def test_two_handlers_taking_over_at_once_one_wins(service: Service) -> None:
    first, second = add_handler(service, "Robin Other"), add_handler(service, "Kim Third")
    state = service.walk(service.start(), INFORMATION_CALL[:2])
    body = {"version": state["version"], "reason": "Picking up the rung-back caller"}
    replies = [h.post(f"/api/calls/{state['call_id']}/take-over", body)
               for h in (first, second)]
    assert [r.status_code for r in replies] == [200, 409]
    assert first.get(f"/api/calls/{state['call_id']}").status_code == 200
    assert "belongs to Robin Other" in second.get(
        f"/api/calls/{state['call_id']}").json()["error"]["reason"]


def test_a_finished_call_cannot_be_taken_over(service: Service) -> None:
    other = add_handler(service, "Robin Other")
    state = service.walk(service.start(), INFORMATION_CALL)
    assert service.finish(state).status_code == 200
    now = as_owner(service, state["call_id"])

    reply = other.post(f"/api/calls/{state['call_id']}/take-over",
                       {"version": now["version"], "reason": "Want to add a note"})

    assert reply.status_code == 422
    assert reply.json()["error"]["field"] == "call_id"
    assert "finished" in reply.json()["error"]["reason"]
    record = service.contact(state["call_id"])["record"]
    assert record["handler"] == "demo-handler"
    assert not [t for t in record["trail"] if t["kind"] == "taken_over"]


@pytest.mark.parametrize(("reason", "field"), [("   ", "reason"), ("", "reason"),
                                               ("x" * 501, "reason")])
def test_a_take_over_needs_a_reason_of_at_most_500_characters(
        service: Service, reason: str, field: str) -> None:
    other = add_handler(service, "Robin Other")
    state = service.start()
    reply = other.post(f"/api/calls/{state['call_id']}/take-over",
                       {"version": state["version"], "reason": reason})
    assert reply.status_code == 422
    assert reply.json()["error"]["field"] == field
    assert as_owner(service, state["call_id"])["version"] == state["version"]


def test_a_handler_cannot_take_over_their_own_call(service: Service) -> None:
    state = service.start()
    reply = service.post(f"/api/calls/{state['call_id']}/take-over",
                         {"version": state["version"], "reason": "Just because"})
    assert reply.status_code == 422
    assert "already yours" in reply.json()["error"]["reason"]


# --- my calls -------------------------------------------------------------------------------

def test_a_handler_lists_only_their_own_calls_in_progress_newest_first_without_personal_details(
        service: Service) -> None:
    me = add_handler(service, "Alex Mine")
    someone_else = add_handler(service, "Robin Other")
    assert me.get("/api/calls").json() == []

    def start(handler: OtherHandler) -> dict[str, Any]:
        reply = handler.post("/api/calls", {"pathway": "front-door"})
        assert reply.status_code == 201, reply.text
        state: dict[str, Any] = reply.json()
        return state

    def answer(handler: OtherHandler, state: dict[str, Any], step: str, value: Any,
               path: str = "answer") -> dict[str, Any]:
        body = {"version": state["version"], "step": step, "answer": value}
        reply = handler.post(f"/api/calls/{state['call_id']}/{path}", body)
        assert reply.status_code == 200, reply.text
        new: dict[str, Any] = reply.json()
        return new

    oldest = start(me)
    start(someone_else)
    middle = start(me)
    for step, value in INFORMATION_CALL[:4]:
        middle = answer(me, middle, step, value)
    person = open_case()
    search = me.post(f"/api/calls/{middle['call_id']}/search", {
        "version": middle["version"], "nhs_number": person.nhs_number,
        "given_name": person.given_name, "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat()})
    assert search.status_code == 200, search.text
    middle = answer(me, search.json(), "find_person", person.system_id)
    newest = start(me)
    newest = answer(me, newest, "caller_type", "self")

    reply = me.get("/api/calls")

    assert reply.status_code == 200, reply.text
    listed = reply.json()
    assert [c["call_id"] for c in listed] == [newest["call_id"], middle["call_id"],
                                              oldest["call_id"]]
    assert me.get("/api/calls", status="active").json() == listed
    first = listed[0]
    assert set(first) == {"call_id", "status", "version", "pathway_id", "pathway_version",
                          "pathway_title", "started_at", "updated_at", "step_id",
                          "step_title", "outcome_kind"}
    assert (first["status"], first["version"], first["pathway_id"], first["pathway_version"]) \
        == ("active", newest["version"], "front-door", 1)
    assert first["pathway_title"]
    assert (first["step_id"], first["step_title"]) == ("danger_to_life",
                                                       newest["step"]["title"])
    assert listed[1]["step_id"] == middle["step"]["step_id"] == "consent"
    assert listed[2]["step_title"] == oldest["step"]["title"]
    assert listed[0]["started_at"] > listed[1]["started_at"] > listed[2]["started_at"]
    # Nothing about the person found at the person check.
    text = json.dumps(listed)
    for detail in (person.given_name, person.family_name, person.nhs_number,
                   person.system_id, person.date_of_birth.isoformat(), "family_friend"):
        assert str(detail) not in text


def test_a_finished_call_leaves_the_active_list_and_is_among_todays_finished(
        service: Service) -> None:
    me = add_handler(service, "Alex Mine")
    reply = me.post("/api/calls", {"pathway": "front-door"})
    state = reply.json()
    for step, value in INFORMATION_CALL:
        reply = me.post(f"/api/calls/{state['call_id']}/answer",
                        {"version": state["version"], "step": step, "answer": value})
        state = reply.json()
    at_outcome = me.get("/api/calls").json()
    assert [(c["call_id"], c["step_id"], c["outcome_kind"]) for c in at_outcome] == [
        (state["call_id"], None, "signpost")]
    assert me.get("/api/calls", status="finished").json() == []

    finished = me.post(f"/api/calls/{state['call_id']}/finish", {"version": state["version"]})
    assert finished.status_code == 200, finished.text

    assert me.get("/api/calls").json() == []
    done = me.get("/api/calls", status="finished").json()
    assert [(c["call_id"], c["status"], c["version"]) for c in done] == [
        (state["call_id"], "finished", state["version"] + 1)]


def test_the_list_refuses_an_unknown_status_and_other_roles(service: Service) -> None:
    reply = service.get("/api/calls", status="everything")
    assert reply.status_code == 422
    assert reply.json()["error"]["field"] == "query.status"
    assert service.get("/api/calls", role="supervisor").status_code == 403
    assert service.client.get("/api/calls").status_code == 401
