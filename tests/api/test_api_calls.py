"""Durable calls through the API: committed answers, restarts, pinned pathway versions and
optimistic concurrency. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from api.bootstrap import build_app
from api.storage import database_url
from tests.api.conftest import INFORMATION_CALL, MakeService, Service


def stored_call(service: Service, call_id: str) -> tuple[int, dict[str, Any]]:
    """The row version and saved session, read through a new connection of our own."""
    with service.own_store() as store:
        stored = store.load_call(call_id)
    return stored.row_version, stored.data


def test_every_answer_is_committed_before_the_response(service: Service) -> None:
    state = service.start()
    for step, value in INFORMATION_CALL[:4]:
        reply = service.answer(state, value)
        assert reply.status_code == 200, reply.text
        state = reply.json()
        version, data = stored_call(service, state["call_id"])
        assert version == state["version"]
        assert data["state"] == state["step"]["state"]
        assert [h["state"] for h in data["history"] if h["kind"] == "answered"][-1] == step


def test_a_call_resumes_at_the_same_step_with_every_answer_after_a_restart(
        make_service: MakeService, backend: str) -> None:
    first = make_service(backend)
    state = first.walk(first.start(), INFORMATION_CALL[:3])
    token = first.token("handler")
    first.stop()
    # A new app on the same home and database: a restarted service. Sessions survive too.
    with TestClient(build_app(first.settings)) as client:
        reply = client.get(f"/api/calls/{state['call_id']}",
                           headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200, reply.text
        resumed = reply.json()
        assert resumed["version"] == state["version"]
        assert resumed["step"]["step_id"] == "mental_health_crisis"
        assert resumed["answered"] == state["answered"]
        reply = client.post(f"/api/calls/{state['call_id']}/answer",
                            headers={"Authorization": f"Bearer {token}"},
                            json={"version": resumed["version"], "step": "mental_health_crisis",
                                  "answer": "no"})
        assert reply.status_code == 200, reply.text
        assert reply.json()["step"]["step_id"] == "find_person"


def test_two_updates_from_the_same_version_one_wins_and_the_other_gets_409(
        service: Service) -> None:
    state = service.start()
    first = service.answer(state, "self")
    second = service.answer(state, "family_friend")
    assert first.status_code == 200, first.text
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["field"] == "version"
    assert error["current_version"] == first.json()["version"] == 2
    assert "Reload it and try again" in error["reason"]
    now = service.get(f"/api/calls/{state['call_id']}").json()
    assert now["answered"] == [{"step": "caller_type", "answer": "self"}]


def test_concurrent_handlers_on_one_call_never_lose_an_answer(service: Service) -> None:
    """Eight threads race to give each answer from the same version: one wins per round."""
    state = service.start()
    for step, value in INFORMATION_CALL:
        barrier = threading.Barrier(8)

        def race(current: dict[str, Any], step: str, value: str,
                 barrier: threading.Barrier) -> httpx.Response:
            barrier.wait()
            return service.answer(current, value, step=step)

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(race, [state] * 8, [step] * 8, [value] * 8,
                                    [barrier] * 8))
        codes = Counter(r.status_code for r in results)
        assert codes == {200: 1, 409: 7}, [r.text for r in results if r.status_code >= 500]
        state = next(r.json() for r in results if r.status_code == 200)
        assert all(r.json()["error"]["current_version"] == state["version"]
                   for r in results if r.status_code == 409)
    assert state["version"] == len(INFORMATION_CALL) + 1
    assert [(a["step"].rsplit("/")[-1], a["answer"]) for a in state["answered"]] == \
        INFORMATION_CALL
    assert state["outcome"]["outcome_id"].endswith("signpost_directory")


def test_going_back_and_changing_an_answer_are_durable_changes_too(service: Service) -> None:
    state = service.walk(service.start(), INFORMATION_CALL[:3])
    reply = service.post(f"/api/calls/{state['call_id']}/back", {"version": state["version"]})
    assert reply.status_code == 200, reply.text
    back = reply.json()
    assert back["version"] == state["version"] + 1
    assert back["step"]["step_id"] == "abuse_or_neglect"
    reply = service.post(f"/api/calls/{state['call_id']}/change",
                         {"version": back["version"], "step": "danger_to_life",
                          "answer": "yes"})
    assert reply.status_code == 200, reply.text
    changed = reply.json()
    assert changed["outcome"]["kind"] == "emergency_services"
    assert "abuse_or_neglect" not in [a["step"] for a in changed["answered"]]
    assert stored_call(service, state["call_id"])[0] == changed["version"]


def test_a_call_keeps_its_pathway_version_when_a_new_version_is_loaded_mid_call(
        make_service: MakeService, backend: str, pathway_copy: Any) -> None:
    paths = pathway_copy()
    service = make_service(backend, paths=paths)
    old_call = service.walk(service.start(), INFORMATION_CALL[:2])
    assert old_call["pathway_version"] == 1

    front_door = Path(paths[0]) / "front-door.yaml"
    text = front_door.read_text()
    text = text.replace("  version: 1\n", "  version: 2\n", 1)
    text = text.replace("title: Reason for the call", "title: Why they are calling", 1)
    front_door.write_text(text)
    reply = service.post("/api/pathways/reload", role="designer")
    assert reply.json() == {"loaded": True, "problems": []}
    # Loaded is not live: new calls stay on version 1 until version 2 is published.
    assert service.start()["pathway_version"] == 1
    assert service.publish(2, expected_live=1).status_code == 200

    new_call = service.walk(service.start(), INFORMATION_CALL[:6])
    assert new_call["pathway_version"] == 2
    assert new_call["step"]["title"] == "Why they are calling"

    old_call = service.walk(old_call, INFORMATION_CALL[2:6])
    assert (old_call["pathway_version"], old_call["step"]["title"]) == (1, "Reason for the call")
    old_call = service.walk(old_call, INFORMATION_CALL[6:])
    record = service.finish(old_call).json()
    assert record["pathway"] == {"id": "front-door", "version": 1}


def call_left_on_version_1(make_service: MakeService, paths: Any
                           ) -> tuple[Service, dict[str, Any]]:
    """A call started on front-door v1; then the file becomes v2 and the service stops."""
    service = make_service("sqlite", paths=paths)
    old_call = service.walk(service.start(), INFORMATION_CALL[:2])
    front_door = Path(paths[0]) / "front-door.yaml"
    front_door.write_text(front_door.read_text().replace("  version: 1\n", "  version: 2\n", 1))
    service.stop()
    return service, old_call


def test_a_call_on_a_version_neither_on_disk_nor_kept_is_refused_not_broken(
        make_service: MakeService, pathway_copy: Any) -> None:
    service, old_call = call_left_on_version_1(make_service, pathway_copy())
    # As if the database came from before versions were kept (migration 0002).
    import sqlalchemy as sa

    engine = sa.create_engine(database_url(service.settings.database_url, service.settings.home))
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM pathway_sources"))
    engine.dispose()
    restarted = make_service("sqlite", settings=service.settings)
    reply = restarted.get(f"/api/calls/{old_call['call_id']}")
    assert reply.status_code == 409
    assert "front-door" in reply.json()["error"]["reason"]
    assert reply.json()["error"]["field"] == "pathway"
    stored = stored_call(restarted, old_call["call_id"])
    assert stored[0] == old_call["version"]  # kept as it was, for when v1 is back


def test_a_call_keeps_its_pathway_version_across_a_restart_after_the_file_changed(
        make_service: MakeService, pathway_copy: Any) -> None:
    service, old_call = call_left_on_version_1(make_service, pathway_copy())
    restarted = make_service("sqlite", settings=service.settings)
    reply = restarted.get(f"/api/calls/{old_call['call_id']}")
    assert reply.status_code == 200
    assert reply.json()["pathway_version"] == 1  # finished on the version it started on
    assert reply.json()["step"]["step_id"] == old_call["step"]["step_id"]
    # New calls stay on the live version until the new one is published.
    assert restarted.start()["pathway_version"] == 1
    assert restarted.publish(2, expected_live=1).status_code == 200
    assert restarted.start()["pathway_version"] == 2
