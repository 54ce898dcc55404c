"""The API documentation is for signed-in users only, served from this service alone,
and the OpenAPI document says what the API really answers: every status, the bounds of
every parameter, and the links from one operation to the next."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.conftest import Service

CALL_OPERATIONS = ("get_call", "answer", "back", "change", "search", "finish", "take_over",
                   "send_link")


def document(service: Service) -> dict[str, Any]:
    reply = service.get("/openapi.json", role="designer")
    assert reply.status_code == 200
    found: dict[str, Any] = reply.json()
    return found


def operations(doc: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Every operation by its id: (method, path, operation)."""
    return {op["operationId"]: (method.upper(), path, op)
            for path, methods in doc["paths"].items() for method, op in methods.items()}


def test_nobody_reads_the_api_documentation_without_signing_in(service: Service) -> None:
    client = service.client
    client.cookies.clear()
    reply = client.get("/openapi.json")
    assert reply.status_code == 401
    assert reply.json()["error"]["field"] == "authorization"
    assert client.get("/openapi.json", headers={"Authorization": "Bearer nope"}
                      ).status_code == 401
    docs = client.get("/docs", follow_redirects=False)
    assert docs.status_code == 303
    assert docs.headers["location"] == "/sign-in?next=%2Fdocs"
    for gone in ("/redoc", "/docs/oauth2-redirect"):
        assert client.get(gone, follow_redirects=False).status_code == 404


@pytest.mark.parametrize("role", ["handler", "designer", "supervisor"])
def test_every_role_reads_the_document_and_a_browser_opens_the_docs_with_its_cookie(
        service: Service, role: str) -> None:
    assert service.get("/openapi.json", role=role).json()["info"]["title"] == (
        "Front-door triage")
    page = service.client.get("/docs", headers={
        "Cookie": f"triage_session={service.token(role)}"})
    assert page.status_code == 200
    assert "swagger-ui" in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe" not in policy
    # Everything the page loads is this service's own: no host names, no inline script.
    assert re.findall(r'(?:src|href)="([^"]+)"', page.text) and all(
        url.startswith(("/", "data:")) for url in re.findall(r'(?:src|href)="([^"]+)"',
                                                             page.text))
    assert "<script>" not in page.text
    for asset in ("/assets/swagger-ui/swagger-ui-bundle.js",
                  "/assets/swagger-ui/swagger-ui.css", "/assets/api-docs.js"):
        assert service.client.get(asset).status_code == 200, asset


def test_the_document_declares_the_404_409_and_429_answers(service: Service) -> None:
    ops = operations(document(service))
    for name in CALL_OPERATIONS:
        method, path, op = ops[name]
        assert "404" in op["responses"], (name, "unknown call")
        assert "409" in op["responses"], (name, "stale version or pathway not loaded")
    assert "404" in ops["contact"][2]["responses"]
    session = ops["sign_in"][2]["responses"]
    assert {"200", "401", "429", "422"} <= set(session)
    assert "Retry-After" in session["429"]["headers"]
    # Nothing answers 400: a body that cannot be decoded is a 422 like every malformed body.
    assert not any("400" in op["responses"] for _m, _p, op in ops.values())


def test_the_bounds_of_limit_and_offset_are_in_the_document_and_enforced_by_it(
        service: Service) -> None:
    params = {p["name"]: p["schema"] for p in operations(document(service))["contacts"][2][
        "parameters"]}
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, 500)
    assert (params["offset"]["minimum"], params["offset"]["maximum"]) == (0, 2**31 - 1)
    reply = service.get("/api/contacts", role="supervisor", limit="501")
    assert reply.status_code == 422
    assert reply.json()["error"] == {"field": "query.limit", "current_version": None,
                                     "reason": "Input should be less than or equal to 500; "
                                               "limit was '501'."}


def test_links_chain_starting_a_call_into_every_operation_on_it(service: Service) -> None:
    ops = operations(document(service))
    started = ops["start_call"][2]["responses"]["201"]["links"]
    assert set(started) == {*CALL_OPERATIONS, "answer_with_first_choice"}
    assert started["answer_with_first_choice"]["requestBody"]["answer"] == (
        "$response.body#/step/choices/0/code")
    assert started["answer"]["parameters"] == {"call_id": "$response.body#/call_id"}
    assert started["answer"]["requestBody"] == {"version": "$response.body#/version",
                                                "step": "$response.body#/step/step_id"}
    for name in ("answer", "back", "change", "search", "take_over", "get_call"):
        assert set(ops[name][2]["responses"]["200"]["links"]) == {
            *CALL_OPERATIONS, "answer_with_first_choice"}, name
    for _method, _path, op in ops.values():  # every link names an operation that exists
        for response in op["responses"].values():
            for link in response.get("links", {}).values():
                assert link["operationId"] in ops
