"""Bad input gets the right status code and a clear message, never a 500, and the call is
left exactly as it was. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from api.routes.bodies import MAX_BODY
from tests.api.conftest import INFORMATION_CALL, Service
from tests.api.test_api_auth import roles_for


@pytest.fixture
def live_call(service: Service) -> Iterator[dict[str, Any]]:
    """A call two answers in; after the test it must be exactly as it was."""
    state = service.walk(service.start(), INFORMATION_CALL[:2])
    yield state
    now = service.get(f"/api/calls/{state['call_id']}").json()
    assert (now["version"], now["answered"], now["step"]["step_id"]) == (
        state["version"], state["answered"], state["step"]["step_id"])


def raw_post(service: Service, url: str, content: bytes) -> Any:
    return service.client.post(url, content=content, headers={
        **service.headers(), "Content-Type": "application/json"})


def test_malformed_json_is_422_saying_the_body_is_not_json(
        service: Service, live_call: dict[str, Any]) -> None:
    reply = raw_post(service, f"/api/calls/{live_call['call_id']}/answer",
                     b'{"version": 3, "step": "abuse_or_neglect", "answer": "no"')
    assert reply.status_code == 422
    assert reply.json()["error"]["field"] == "body"
    assert reply.json()["error"]["reason"].startswith("The body is not valid JSON")


@pytest.mark.parametrize(("body", "field"), [
    ({"version": "three", "step": "abuse_or_neglect", "answer": "no"}, "version"),
    ({"version": 3, "step": "abuse_or_neglect", "answer": {"a": 1}}, "answer"),
    ({"version": 3, "step": 7, "answer": "no"}, "step"),
    ({"version": 0, "step": "abuse_or_neglect", "answer": "no"}, "version"),
    ({"step": "abuse_or_neglect", "answer": "no"}, "version"),
    ({"version": 3, "step": "abuse_or_neglect", "answer": "no", "extra": 1}, "extra"),
])
def test_wrong_types_and_fields_are_422_naming_the_field(
        service: Service, live_call: dict[str, Any], body: dict[str, Any], field: str) -> None:
    reply = service.post(f"/api/calls/{live_call['call_id']}/answer", body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["field"].startswith(field)


def test_a_body_that_is_not_an_object_is_422(service: Service,
                                             live_call: dict[str, Any]) -> None:
    reply = raw_post(service, f"/api/calls/{live_call['call_id']}/answer", b"[1, 2]")
    assert reply.status_code == 422
    assert reply.json()["error"]["field"] == "body"


def test_an_answer_that_does_not_fit_the_question_is_422_listing_the_answers(
        service: Service, live_call: dict[str, Any]) -> None:
    reply = service.answer(live_call, "maybe")
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["field"] == "abuse_or_neglect"
    assert "'maybe'" in error["reason"] and "yes" in error["reason"]


def test_an_answer_to_a_step_that_is_not_current_is_422_naming_the_current_step(
        service: Service, live_call: dict[str, Any]) -> None:
    reply = service.answer(live_call, "no", step="mental_health_crisis")
    assert reply.status_code == 422
    assert reply.json()["error"]["reason"] == (
        "'mental_health_crisis' is not the current step; the call is at 'abuse_or_neglect'. "
        "Answer that, or go back to change an earlier answer.")


def test_a_stale_version_is_409_with_the_current_version(
        service: Service, live_call: dict[str, Any]) -> None:
    reply = service.answer(live_call, "no", version=live_call["version"] - 1)
    assert reply.status_code == 409
    assert reply.json()["error"]["current_version"] == live_call["version"]
    ahead = service.answer(live_call, "no", version=live_call["version"] + 5)
    assert ahead.status_code == 409


@pytest.mark.parametrize("action", ["answer", "back", "change", "search", "finish"])
def test_an_unknown_call_id_is_404(service: Service, action: str) -> None:
    body: dict[str, Any] = {"version": 1}
    if action in ("answer", "change"):
        body.update(step="caller_type", answer="self")
    reply = service.post(f"/api/calls/no-such-call/{action}", body)
    assert reply.status_code == 404
    assert reply.json()["error"] == {"field": "call_id", "reason": "There is no call with "
                                     "this id.", "current_version": None}
    assert service.get("/api/calls/no-such-call").status_code == 404
    link = service.post("/api/calls/no-such-call/send-link", {"by": "sms", "to": "07700900123"})
    assert link.status_code == 404


def test_an_oversized_body_is_413(service: Service, live_call: dict[str, Any]) -> None:
    padding = "x" * (MAX_BODY + 1)
    reply = service.post(f"/api/calls/{live_call['call_id']}/answer",
                         {"version": live_call["version"], "step": "abuse_or_neglect",
                          "answer": padding})
    assert reply.status_code == 413
    assert reply.json()["error"]["reason"] == (
        f"The request body is larger than {MAX_BODY} bytes.")


def test_an_oversized_body_without_a_content_length_is_413_too(
        service: Service, live_call: dict[str, Any]) -> None:
    def chunks() -> Iterator[bytes]:  # sent chunked: no Content-Length to check up front
        yield b'{"version": 3, "step": "abuse_or_neglect", "answer": "'
        for _ in range(MAX_BODY // 1024 + 1):
            yield b"x" * 1024
        yield b'"}'

    reply = service.client.post(f"/api/calls/{live_call['call_id']}/answer", content=chunks(),
                                headers={**service.headers(),
                                         "Content-Type": "application/json"})
    assert reply.status_code == 413
    assert reply.json()["error"]["field"] == "body"


@pytest.mark.parametrize(("body", "reason"), [
    ({"pathway": "no-such-pathway"}, "no-such-pathway"),
    ({"pathway": "safeguarding"}, "is a sub-pathway"),
    ({"pathway": "front-door", "facts": {"caller_type": "martian"}}, "'martian'"),
    ({"pathway": "front-door", "facts": {"shoe_size": "9"}}, "'shoe_size' is not a call fact"),
])
def test_a_call_that_cannot_start_is_422_with_the_reason(
        service: Service, body: dict[str, Any], reason: str) -> None:
    reply = service.post("/api/calls", body)
    assert reply.status_code == 422, reply.text
    assert reason in reply.json()["error"]["reason"]


def test_going_back_from_the_first_question_is_422(service: Service) -> None:
    state = service.start()
    reply = service.post(f"/api/calls/{state['call_id']}/back", {"version": 1})
    assert reply.status_code == 422
    assert "no earlier answer" in reply.json()["error"]["reason"]


def test_a_search_away_from_the_person_check_is_422(
        service: Service, live_call: dict[str, Any]) -> None:
    reply = service.post(f"/api/calls/{live_call['call_id']}/search",
                         {"version": live_call["version"], "family_name": "Smith"})
    assert reply.status_code == 422
    assert "not at a person search" in reply.json()["error"]["reason"]


def test_confirming_a_person_the_search_did_not_find_is_422(service: Service) -> None:
    state = service.walk(service.start(), INFORMATION_CALL[:4])
    reply = service.answer(state, "SYN0000001")
    assert reply.status_code == 422
    assert "was not among the people found" in reply.json()["error"]["reason"]


def test_sending_a_link_before_the_outcome_is_422_and_nothing_is_sent(
        service: Service, live_call: dict[str, Any]) -> None:
    reply = service.post(f"/api/calls/{live_call['call_id']}/send-link",
                         {"by": "sms", "to": "07700900123"})
    assert reply.status_code == 422
    assert "not reached an outcome" in reply.json()["error"]["reason"]
    wrong = service.post(f"/api/calls/{live_call['call_id']}/send-link",
                         {"by": "pigeon", "to": "07700900123"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["field"] == "by"


def test_a_link_is_never_reported_sent_when_notify_is_not_configured(
        service: Service) -> None:
    state = service.walk(service.start(), INFORMATION_CALL)
    assert state["outcome"]["service"]
    reply = service.post(f"/api/calls/{state['call_id']}/send-link",
                         {"by": "sms", "to": "07700900123"})
    assert reply.status_code == 200
    assert reply.json()["status"] == "not sent"


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 501}, {"offset": -1},
                                   {"limit": "ten"}])
def test_a_bad_page_of_contact_records_is_422(service: Service, query: dict[str, Any]) -> None:
    reply = service.get("/api/contacts", role="supervisor", **query)
    assert reply.status_code == 422
    # Checked by the schema (Query bounds), named as every other query parameter is.
    assert reply.json()["error"]["field"] == f"query.{next(iter(query))}"
    assert reply.json()["error"]["reason"].endswith(".")


# --- bodies that cannot be decoded ------------------------------------------------------

UNREADABLE = {
    "not UTF-8": b'{"version": 3, "step": "caller\xff\xfe"}',
    "nested too deeply": b"[" * 50_000,
    "broken JSON": b'{"version": 3,',
    "not an object": b'"no"',
    "empty": b"",
}


def body_routes(service: Service) -> list[str]:
    """Every API route that takes a JSON body (signing in included)."""
    return sorted(body_route_roles(service))


def body_route_roles(service: Service) -> dict[str, str]:
    """Every API route that takes a JSON body, with a role that may use it."""
    return {re.sub(r"\{[^}]+\}", "1", route.path.replace("{month}", "2026-11")):
            sorted(roles_for("POST", route.path))[0]
            for route in iter_route_contexts(service.app.routes)
            if isinstance(route.original_route, APIRoute)
            and route.path.startswith("/api") and route.body_field is not None}


@pytest.mark.parametrize("kind", sorted(UNREADABLE))
def test_an_anonymous_request_is_told_to_sign_in_before_anything_about_its_body(
        service: Service, kind: str) -> None:
    routes = body_routes(service)
    assert "/api/calls/1/answer" in routes
    for path in routes:
        if path == "/api/session":
            continue
        reply = service.client.post(path, content=UNREADABLE[kind],
                                    headers={"Content-Type": "application/json"})
        assert reply.status_code == 401, (path, reply.text)
        assert reply.json()["error"]["field"] == "authorization"


@pytest.mark.parametrize(("kind", "reason"), [
    ("not UTF-8", "The body is not valid JSON: it is not UTF-8 text (byte 30 cannot be read)."),
    ("nested too deeply", "The body is not valid JSON that can be read: it is nested too "
                          "deeply."),
    ("broken JSON", "The body is not valid JSON: Expecting property name enclosed in double "
                    "quotes."),
    ("not an object", "The body must be a JSON object (in braces), not a list or a value."),
    ("empty", "The body is empty; send a JSON object with the request's fields."),
])
def test_every_body_that_cannot_be_read_is_422_with_a_sentence_on_every_route(
        service: Service, kind: str, reason: str) -> None:
    routes = body_route_roles(service)
    assert {"/api/session", "/api/calls", "/api/calls/1/search"} <= set(routes)
    for path, role in sorted(routes.items()):
        reply = service.client.post(path, content=UNREADABLE[kind], headers={
            **service.headers(role), "Content-Type": "application/json"})
        assert reply.status_code == 422, (path, reply.text)
        assert reply.json()["error"] == {"field": "body", "reason": reason,
                                         "current_version": None}, path


def test_a_body_not_sent_as_json_is_422_saying_how_to_send_it(
        service: Service, live_call: dict[str, Any]) -> None:
    reply = service.client.post(f"/api/calls/{live_call['call_id']}/answer",
                                content=b'{"version": 3, "step": "abuse_or_neglect"}',
                                headers={**service.headers(), "Content-Type": "text/plain"})
    assert reply.status_code == 422
    assert reply.json()["error"]["reason"] == (
        "The body must be JSON, sent with the header Content-Type: application/json.")
