"""Demo users and the demo client index come only with TRIAGE_DEMO=1 (which `make serve`
sets): a service started without it has no demo users, removes any an earlier demo start
left, says it has no client index, and its person searches answer with a sentence."""

from __future__ import annotations

import os
import subprocess

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import DEMO_PASSWORD_ALONE, NO_CLIENT_INDEX
from api.service import hash_password
from api.settings import ROOT, Settings
from tests.api.conftest import INFORMATION_CALL, PASSWORD, MakeService


def sign_in(client: TestClient, username: str = "demo-handler") -> int:
    reply = client.post("/api/session", json={"username": username, "password": PASSWORD})
    client.cookies.clear()
    return reply.status_code


def test_without_triage_demo_there_are_no_demo_users_and_start_up_says_why(
        make_service: MakeService, capsys: pytest.CaptureFixture[str]) -> None:
    service = make_service("sqlite", demo=False)  # TRIAGE_DEMO_PASSWORD is still set
    printed = capsys.readouterr().out
    assert DEMO_PASSWORD_ALONE in printed and NO_CLIENT_INDEX in printed
    assert "Demo sign-in" not in printed
    assert sign_in(service.client) == 401
    with service.own_store() as store:
        assert [store.user(f"demo-{role}") for role in ("handler", "designer",
                                                        "supervisor")] == [None] * 3


def test_a_start_without_triage_demo_removes_the_demo_users_an_earlier_one_left(
        make_service: MakeService, backend: str) -> None:
    demo = make_service(backend)  # as a `make serve` on this database once did
    token = demo.token("handler")
    demo.stop()
    production = make_service(backend, settings=demo.settings.model_copy(
        update={"demo": False}))
    assert sign_in(production.client) == 401  # the printed password signs no one in
    reply = production.client.get("/api/calls", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 401  # and the sessions it gave have ended


def test_without_a_client_index_a_person_search_answers_with_a_sentence(
        make_service: MakeService) -> None:
    demo = make_service("sqlite")
    demo.stop()
    # The same database, without the demo: a handler of the council's own signs in.
    settings = demo.settings.model_copy(update={"demo": False})
    with demo.own_store() as store:
        store.put_user("sam", "Sam Example", "handler", hash_password(PASSWORD))
    service = make_service("sqlite", settings=settings)
    reply = service.client.post("/api/session", json={"username": "sam",
                                                      "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    service.client.cookies.clear()
    service.tokens["handler"] = reply.json()["token"]
    state = service.walk(service.start(), INFORMATION_CALL[:4])
    found = service.post(f"/api/calls/{state['call_id']}/search",
                         {"version": state["version"], "family_name": "Example"})
    assert found.status_code == 422
    assert found.json()["error"]["reason"] == (
        "No client index is configured, so people cannot be searched for; answer "
        "'not_known' or 'possible_match'.")
    assert service.answer(state, "not_known").status_code == 200


def test_triage_demo_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().demo is False
    monkeypatch.setenv("TRIAGE_DEMO", "1")
    assert Settings().demo is True


def test_make_serve_asks_for_the_demo() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRIAGE_", "MAKE"))}
    planned = subprocess.run(["make", "-n", "serve"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=60, check=True).stdout
    assert "TRIAGE_DEMO=${TRIAGE_DEMO:-1} .venv/bin/python -m api" in planned
