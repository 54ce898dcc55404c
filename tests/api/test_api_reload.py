"""Pathway reloads: designers change files on disk; the service takes up a new version only
when it validates, and a broken file never replaces a working version."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from structlog.testing import capture_logs

from tests.api.conftest import INFORMATION_CALL, MakeService, Service

BROKEN_ROUTE = ("goto: to_complaints", "goto: to_nowhere")


def edit(path: Path, *replacements: tuple[str, str]) -> None:
    text = path.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text)


def front_door_versions(service: Service) -> list[int]:
    return [p["version"] for p in service.get("/api/pathways", role="designer").json()
            if p["id"] == "front-door"]


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the change was not picked up in time"
        time.sleep(0.1)


def test_a_pathway_broken_while_calls_are_live_is_refused_and_the_calls_go_on(
        make_service: MakeService, backend: str,
        pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service(backend, paths=paths)
    live = service.walk(service.start(), INFORMATION_CALL[:3])

    edit(paths[0] / "front-door.yaml", BROKEN_ROUTE)
    with capture_logs() as logs:
        reply = service.post("/api/pathways/reload", role="designer")
    assert reply.status_code == 200
    assert reply.json()["loaded"] is False
    problems = reply.json()["problems"]
    assert "front-door.yaml:131:15: steps.reason.routes[15].goto: unknown step 'to_nowhere'" \
        in problems[0]
    assert service.get("/api/pathways/problems", role="designer").json() == {
        "problems": problems}
    rejected = [e for e in logs if e["event"] == "pathways_rejected"]
    assert rejected and rejected[0]["log_level"] == "warning"
    assert any("front-door.yaml" in f for f in rejected[0]["files"])

    # The working version stays in use, for live calls and new ones alike.
    assert front_door_versions(service) == [1]
    live = service.walk(live, INFORMATION_CALL[3:])
    assert service.finish(live).status_code == 200
    assert service.walk(service.start(), INFORMATION_CALL)["outcome"] is not None

    edit(paths[0] / "front-door.yaml", BROKEN_ROUTE[::-1])
    assert service.post("/api/pathways/reload", role="designer").json() == {
        "loaded": True, "problems": []}
    assert service.get("/api/pathways/problems", role="designer").json() == {"problems": []}


def test_a_changed_file_that_keeps_its_version_number_is_refused(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service("sqlite", paths=paths)
    edit(paths[0] / "front-door.yaml",
         ("title: Reason for the call", "title: Why they are calling"))
    reply = service.post("/api/pathways/reload", role="designer").json()
    assert reply["loaded"] is False
    assert "version 1 of 'front-door' is already in use with different content; give the " \
           "changed pathway a new version" in reply["problems"][0]
    state = service.walk(service.start(), INFORMATION_CALL[:5])
    assert state["step"]["title"] == "Reason for the call"


def test_a_file_that_is_not_yaml_is_a_problem_not_a_server_error(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service("sqlite", paths=paths)
    (paths[0] / "front-door.yaml").write_text("pathway: [unclosed\n  steps: {\n")
    reply = service.post("/api/pathways/reload", role="designer")
    assert reply.status_code == 200
    assert reply.json()["loaded"] is False
    assert any("front-door.yaml" in p for p in reply.json()["problems"])
    assert service.start()["pathway_version"] == 1


def test_the_service_notices_changed_files_by_itself(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service("sqlite", paths=paths, reload_seconds=0.2)
    front_door = paths[0] / "front-door.yaml"
    edit(front_door, ("  version: 1\n", "  version: 2\n"),
         ("title: Reason for the call", "title: Why they are calling"))
    wait_for(lambda: front_door_versions(service) == [2, 1])
    state: dict[str, Any] = service.start()
    assert state["pathway_version"] == 2

    edit(front_door, BROKEN_ROUTE)
    wait_for(lambda: bool(service.get("/api/pathways/problems", role="designer")
                          .json()["problems"]))
    assert front_door_versions(service) == [2, 1]
    assert service.start()["pathway_version"] == 2
