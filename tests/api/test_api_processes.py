"""Real server processes: a call survives ``kill -9``, and two instances sharing one
PostgreSQL database serve the same call alternately without losing an answer."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from tests.api.conftest import INFORMATION_CALL, PASSWORD, Databases, ServerProcess


class Remote:
    """A handler talking to a server process over HTTP."""

    def __init__(self, server: ServerProcess, token: str | None = None) -> None:
        self.server = server
        self.client = httpx.Client(base_url=server.url, timeout=30)
        if token is None:
            reply = self.client.post("/api/session", json={"username": "demo-handler",
                                                           "password": PASSWORD})
            assert reply.status_code == 200, reply.text
            token = str(reply.json()["token"])
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}"}

    def close(self) -> None:
        self.client.close()

    def start(self) -> dict[str, Any]:
        reply = self.client.post("/api/calls", json={"pathway": "front-door"},
                                 headers=self.headers)
        assert reply.status_code == 201, reply.text
        state: dict[str, Any] = reply.json()
        return state

    def call(self, call_id: str) -> dict[str, Any]:
        reply = self.client.get(f"/api/calls/{call_id}", headers=self.headers)
        assert reply.status_code == 200, reply.text
        state: dict[str, Any] = reply.json()
        return state

    def answer(self, state: dict[str, Any], value: str) -> httpx.Response:
        return self.client.post(f"/api/calls/{state['call_id']}/answer", headers=self.headers,
                                json={"version": state["version"],
                                      "step": state["step"]["step_id"], "answer": value})


def test_a_call_continues_at_the_same_step_with_every_answer_after_kill_9(
        tmp_path: Path, backend: str, databases: Databases,
        servers: Callable[..., ServerProcess]) -> None:
    url = databases.fresh() if backend == "postgresql" else None
    home = tmp_path / "home"
    first = servers(home, database_url=url)
    handler = Remote(first)
    state = handler.start()
    for step, value in INFORMATION_CALL[:4]:
        assert state["step"]["step_id"] == step
        reply = handler.answer(state, value)
        assert reply.status_code == 200, reply.text
        state = reply.json()
    handler.close()
    first.kill()  # SIGKILL straight after the last reply: no shutdown, no flush

    second = servers(home, database_url=url, port=first.port)
    handler = Remote(second, token=handler.token)  # the session survives too
    resumed = handler.call(state["call_id"])
    assert resumed["version"] == state["version"] == 5
    assert resumed["step"]["step_id"] == "find_person"
    assert [(a["step"], a["answer"]) for a in resumed["answered"]] == INFORMATION_CALL[:4]
    for step, value in INFORMATION_CALL[4:]:
        assert resumed["step"]["step_id"] == step
        reply = handler.answer(resumed, value)
        assert reply.status_code == 200, reply.text
        resumed = reply.json()
    assert resumed["outcome"] is not None
    finish = handler.client.post(f"/api/calls/{state['call_id']}/finish",
                                 json={"version": resumed["version"]}, headers=handler.headers)
    assert finish.status_code == 200, finish.text
    assert len([t for t in finish.json()["trail"] if t["kind"] == "answered"]) == \
        len(INFORMATION_CALL)
    handler.close()


def test_two_instances_on_one_postgresql_database_serve_a_call_alternately(
        tmp_path: Path, databases: Databases, servers: Callable[..., ServerProcess]) -> None:
    url = databases.fresh()
    # Each instance has its own home (its own disk), as on two machines; only the database
    # is shared.
    one = servers(tmp_path / "one", database_url=url)
    two = servers(tmp_path / "two", database_url=url)
    assert one.port != two.port
    first = Remote(one)
    second = Remote(two, token=first.token)  # a session made on one works on the other
    state = first.start()
    for n, (step, value) in enumerate(INFORMATION_CALL):
        here = first if n % 2 == 0 else second
        state = here.call(state["call_id"])  # what the other instance saved
        assert state["step"]["step_id"] == step
        reply = here.answer(state, value)
        assert reply.status_code == 200, reply.text
        state = reply.json()

    # Both instances now hold the last version; one stale write on each side is refused.
    stale = {"version": 5, "step": "advice_topic", "answer": "community_support"}
    for remote in (first, second):
        reply = remote.client.post(f"/api/calls/{state['call_id']}/answer", json=stale,
                                   headers=remote.headers)
        assert reply.status_code == 409, reply.text
        assert reply.json()["error"]["current_version"] == len(INFORMATION_CALL) + 1
    final = second.call(state["call_id"])
    assert [(a["step"].rsplit("/")[-1], a["answer"]) for a in final["answered"]] == \
        INFORMATION_CALL
    assert final["version"] == len(INFORMATION_CALL) + 1 == first.call(state["call_id"])[
        "version"]

    # The same call answered from the same version on both instances at once: one wins.
    race = first.start()
    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda r: r.answer(race, "self"), (first, second)))
    assert sorted(r.status_code for r in replies) == [200, 409]
    assert first.call(race["call_id"])["answered"] == [{"step": "caller_type",
                                                        "answer": "self"}]
    first.close()
    second.close()
