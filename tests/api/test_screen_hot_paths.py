"""The screen's hot paths: every page of a call is built from the call loaded once for the
request, and the start page lists the pathways without drawing a diagram of each."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import api.service.pathways
from tests.api.conftest import INFORMATION_CALL, Service


def page(service: Service, path: str) -> httpx.Response:
    reply = service.client.get(path, headers={
        "Accept": "text/html", "Cookie": f"triage_session={service.token('handler')}"})
    assert reply.status_code == 200, reply.text
    return reply


def counting(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    """Count the calls of ``owner.name`` from now on."""
    calls = [0]
    original: Callable[..., Any] = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_every_page_of_a_call_loads_the_call_once(service: Service,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    at_question = service.walk(service.start(), INFORMATION_CALL[:3])
    finished = service.walk(service.start(), INFORMATION_CALL)
    repository = service.app.state.front_door.repository
    loads = counting(monkeypatch, repository, "load_call")
    for path in (f"/calls/{at_question['call_id']}",
                 f"/calls/{at_question['call_id']}/check",
                 f"/calls/{at_question['call_id']}/change?step=danger_to_life",
                 f"/calls/{finished['call_id']}/outcome"):
        loads[0] = 0
        page(service, path)
        assert loads[0] == 1, path


def test_the_start_page_lists_the_pathways_without_drawing_their_diagrams(
        service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = counting(monkeypatch, api.service.pathways, "mermaid")
    home = page(service, "/").text
    assert re.search(r'name="pathway" value="front-door"', home)
    assert drawn[0] == 0
    # Asked for through the API, each version's diagram is drawn once, then kept.
    service.app.state.front_door.library._diagrams.clear()
    first = service.get("/api/pathways", role="designer").json()
    assert all(p["diagram"].startswith("flowchart") for p in first)
    assert drawn[0] == len(first)
    assert service.get("/api/pathways", role="designer").json() == first
    assert drawn[0] == len(first)
