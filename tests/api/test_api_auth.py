"""Sign-in, roles and session expiry. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from api.service import token_hash
from api.storage.schema import auth_sessions
from tests.api.conftest import (
    INFORMATION_CALL,
    PASSWORD,
    MakeService,
    Service,
    sign_in_form_token,
)

OPEN_ROUTES = {"/health", "/api/session"}  # /api/session: POST signs in; DELETE needs a user

# Which role may use each route; every other signed-in role gets 403.
ROUTE_ROLES = {
    ("GET", "/api/pathways"): {"handler", "designer", "supervisor"},
    ("DELETE", "/api/session"): {"handler", "designer", "supervisor"},
    ("GET", "/api/pathways/problems"): {"designer"},
    ("POST", "/api/pathways/reload"): {"designer"},
    ("GET", "/api/contacts"): {"supervisor"},
    ("GET", "/api/contacts/{contact_id}"): {"supervisor"},
    ("GET", "/api/pathways/{pathway_id}/diff"): {"designer"},
    ("GET", "/api/pathways/{pathway_id}/versions"): {"designer"},
    ("POST", "/api/pathways/{pathway_id}/publish"): {"designer"},
    ("POST", "/api/pathways/{pathway_id}/rollback"): {"designer"},
    ("GET", "/api/reviews"): {"designer", "supervisor"},
    ("GET", "/api/reviews/figures"): {"designer", "supervisor", "manager"},
    ("GET", "/api/reviews/{item_id}"): {"designer", "supervisor"},
    ("GET", "/api/reviews/{item_id}/contact"): {"supervisor"},
    ("POST", "/api/reviews/{item_id}/reviewed"): {"designer", "supervisor"},
    ("POST", "/api/reviews/{item_id}/close"): {"designer", "supervisor"},
    ("POST", "/api/reviews/{item_id}/reason"): {"supervisor"},
    ("GET", "/api/audits/form"): {"supervisor"},
    ("GET", "/api/audits/{month}"): {"supervisor"},
    ("POST", "/api/audits/{month}/sample"): {"supervisor"},
    ("POST", "/api/audits/{month}/contacts/{contact_id}/score"): {"supervisor"},
    ("GET", "/api/reports/contacts"): {"supervisor"},
    ("GET", "/api/reports/{report}"): {"supervisor", "manager"},
    ("GET", "/api/reports/{report}/{figure}.csv"): {"supervisor", "manager"},
}


def api_routes(service: Service) -> list[tuple[str, str]]:
    """Every (method, path) of the API, from the app itself (its routers' routes too), so
    a new route is covered."""
    found = []
    for route in iter_route_contexts(service.app.routes):
        if isinstance(route.original_route, APIRoute) and route.path.startswith("/api"):
            for method in sorted(route.methods):
                found.append((method, route.path))
    return found


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def roles_for(method: str, path: str) -> set[str]:
    return ROUTE_ROLES.get((method, path), {"handler"})


def test_every_route_except_health_and_sign_in_needs_a_signed_in_user(
        service: Service) -> None:
    routes = api_routes(service)
    assert ("POST", "/api/calls/{call_id}/answer") in routes
    for method, path in routes:
        if (method, path) == ("POST", "/api/session"):
            continue
        reply = service.client.request(method, concrete(path), json={})
        assert reply.status_code == 401, (method, path, reply.text)
        assert reply.json()["error"]["reason"] == "Sign in first (or your session has expired)."
        assert reply.headers["www-authenticate"] == "Bearer"
        bad = service.client.request(method, concrete(path), json={},
                                     headers={"Authorization": "Bearer not-a-token"})
        assert bad.status_code == 401, (method, path)
    assert service.client.get("/health").json() == {"status": "ok"}


@pytest.mark.parametrize("role", ["handler", "designer", "supervisor"])
def test_each_role_gets_403_with_a_clear_message_outside_its_routes(
        service: Service, role: str) -> None:
    for method, path in api_routes(service):
        if path == "/api/session" or role in roles_for(method, path):
            continue
        reply = service.client.request(method, concrete(path), json={},
                                       headers=service.headers(role))
        assert reply.status_code == 403, (role, method, path, reply.text)
        error = reply.json()["error"]
        assert error["field"] == "role"
        assert f"you are signed in as a {role}" in error["reason"]


def test_designers_see_pathways_and_problems_but_no_personal_data(service: Service) -> None:
    state = service.walk(service.start(), INFORMATION_CALL)
    service.finish(state)
    pathways = service.get("/api/pathways", role="designer")
    assert pathways.status_code == 200
    assert {"front-door", "safeguarding"} <= {p["id"] for p in pathways.json()}
    assert pathways.json()[0]["diagram"].startswith("flowchart")
    assert service.get("/api/pathways/problems", role="designer").json() == {"problems": []}
    for url in (f"/api/calls/{state['call_id']}", "/api/contacts", "/api/contacts/1"):
        assert service.get(url, role="designer").status_code == 403


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(service: Service) -> None:
    service.client.cookies.clear()
    wrong = service.client.post("/api/session",
                                json={"username": "demo-handler", "password": "nope"})
    unknown = service.client.post("/api/session",
                                  json={"username": "nobody", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"error": {
        "field": "password", "reason": "The user name or password is wrong.",
        "current_version": None}}


def test_the_session_cookie_signs_in_a_browser_and_signing_out_ends_it(
        service: Service) -> None:
    reply = service.client.post("/api/session",
                                json={"username": "demo-handler", "password": PASSWORD})
    assert reply.status_code == 200
    token = reply.json()["token"]
    cookie = reply.cookies["triage_session"]
    assert cookie == token
    assert "httponly" in reply.headers["set-cookie"].lower()
    service.client.cookies.clear()
    cookies = {"Cookie": f"triage_session={token}"}
    assert service.client.get("/api/pathways", headers=cookies).status_code == 200
    out = service.client.delete("/api/session", headers={"Authorization": f"Bearer {token}"})
    assert out.status_code == 200
    service.client.cookies.clear()
    assert service.client.get("/api/pathways", headers=cookies).status_code == 401
    assert service.client.get("/api/pathways", headers={
        "Authorization": f"Bearer {token}"}).status_code == 401


def test_a_session_ended_in_the_database_is_refused_after_the_cache_time(
        make_service: MakeService, backend: str) -> None:
    # Another instance (or an administrator) ends the session in the database; this
    # instance looked the token up moments ago and may use that for session_cache_seconds.
    service = make_service(backend, session_cache_seconds=0.5)
    reply = service.client.post("/api/session",
                                json={"username": "demo-handler", "password": PASSWORD})
    token = reply.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert service.client.get("/api/pathways", headers=headers).status_code == 200
    with service.own_store() as store, store.engine.begin() as connection:
        connection.execute(sa.update(auth_sessions)
                           .where(auth_sessions.c.token_hash == token_hash(token))
                           .values(expires_at=dt.datetime.now(dt.UTC)
                                   - dt.timedelta(seconds=1)))
    service.client.cookies.clear()
    time.sleep(0.6)
    expired = service.client.get("/api/pathways", headers=headers)
    assert expired.status_code == 401
    assert "expired" in expired.json()["error"]["reason"]


def test_sessions_last_as_long_as_the_setting_says(make_service: MakeService) -> None:
    short = make_service("sqlite", session_hours=1.5 / 3600)
    headers = short.headers("handler")
    assert short.client.get("/api/pathways", headers=headers).status_code == 200
    time.sleep(2)
    assert short.client.get("/api/pathways", headers=headers).status_code == 401


# --- changes signed by the session cookie must come from this service ------------------

def cookie_write_routes(service: Service) -> list[tuple[str, str]]:
    """Every API route that changes something and takes a signed-in user."""
    return [(method, path) for method, path in api_routes(service)
            if method not in ("GET", "HEAD") and (method, path) != ("POST", "/api/session")]


def cookie_of(service: Service, role: str = "handler") -> dict[str, str]:
    return {"Cookie": f"triage_session={service.token(role)}"}


def test_every_cookie_signed_change_without_an_origin_is_refused_before_anything_happens(
        service: Service) -> None:
    routes = cookie_write_routes(service)
    assert ("POST", "/api/calls/{call_id}/take-over") in routes
    before = service.get("/api/calls").json()
    for method, path in routes:
        for where in ({}, {"Origin": "https://elsewhere.example"},
                      {"Referer": "https://elsewhere.example/page"},
                      {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
            reply = service.client.request(method, concrete(path), json={"pathway":
                                           "front-door"}, headers={**cookie_of(service),
                                                                   **where})
            assert reply.status_code == 403, (method, path, where, reply.text)
            error = reply.json()["error"]
            assert error["field"] == "origin"
            assert "nothing was changed" in error["reason"]
    assert service.get("/api/calls").json() == before  # no call was started
    assert service.get("/api/pathways").status_code == 200  # the cookie still works


@pytest.mark.parametrize("where", [
    {"Origin": "http://testserver"},
    {"Referer": "http://testserver/docs"},
    {"Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
])
def test_a_cookie_signed_change_from_this_service_is_accepted(
        service: Service, where: dict[str, str]) -> None:
    reply = service.client.post("/api/calls", json={"pathway": "front-door"},
                                headers={**cookie_of(service), **where})
    assert reply.status_code == 201, reply.text


def test_a_bearer_token_needs_no_origin_and_a_cookie_read_needs_none_either(
        service: Service) -> None:
    reply = service.client.post("/api/calls", json={"pathway": "front-door"},
                                headers={**service.headers(), "Origin": "https://elsewhere.example",
                                         "Cookie": f"triage_session={service.token('handler')}"})
    assert reply.status_code == 201, reply.text
    assert service.client.get("/api/calls", headers=cookie_of(service)).status_code == 200


def test_the_session_cookie_is_the_same_from_the_api_and_the_screen_and_secure_over_https(
        service: Service) -> None:
    def cookie_attributes(header: str) -> set[str]:
        name_value, *attributes = [part.strip() for part in header.split(";")]
        assert name_value.startswith("triage_session=")
        return {a.lower() for a in attributes}

    for base, secure in (("https://testserver", True), ("http://testserver", False)):
        client = TestClient(service.app, base_url=base)
        api = client.post("/api/session", json={"username": "demo-handler",
                                                "password": PASSWORD})
        assert api.status_code == 200
        token = sign_in_form_token(client.get("/sign-in").text)
        screen = client.post("/sign-in", data={"csrf": token, "username": "demo-handler",
                                               "password": PASSWORD},
                             headers={"Origin": base}, follow_redirects=False)
        assert screen.status_code == 303, screen.text
        session = [h for h in screen.headers.get_list("set-cookie")
                   if h.startswith("triage_session=")]
        from_api = cookie_attributes(api.headers["set-cookie"])
        assert from_api == cookie_attributes(session[0])
        assert ("secure" in from_api) is secure
        assert {"httponly", "samesite=lax", "path=/"} <= from_api
