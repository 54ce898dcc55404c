"""Sign-in, roles and session expiry. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute

from api.auth import token_hash
from api.store import auth_sessions
from tests.api.conftest import INFORMATION_CALL, PASSWORD, MakeService, Service

OPEN_ROUTES = {"/health", "/api/session"}  # /api/session: POST signs in; DELETE needs a user

# Which role may use each route; every other signed-in role gets 403.
ROUTE_ROLES = {
    ("GET", "/api/pathways"): {"handler", "designer", "supervisor"},
    ("DELETE", "/api/session"): {"handler", "designer", "supervisor"},
    ("GET", "/api/pathways/problems"): {"designer"},
    ("POST", "/api/pathways/reload"): {"designer"},
    ("GET", "/api/contacts"): {"supervisor"},
    ("GET", "/api/contacts/{contact_id}"): {"supervisor"},
}


def api_routes(service: Service) -> list[tuple[str, str]]:
    """Every (method, path) of the API, from the app itself, so a new route is covered."""
    found = []
    for route in service.app.routes:
        if isinstance(route, APIRoute) and route.path.startswith("/api"):
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
