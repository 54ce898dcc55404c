"""Pathway reloads: designers change files on disk; the service takes up a new version only
when it validates, and a broken file never replaces a working version."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from structlog.testing import capture_logs

from tests.api.conftest import INFORMATION_CALL, MakeService, Service

BROKEN_ROUTE = ("goto: to_complaints", "goto: to_nowhere")


def edit(path: Path, *replacements: tuple[str, str]) -> None:
    text = path.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text)


def where(path: Path, text: str) -> tuple[int, int, int]:
    """The line and column of the value after `goto:` in `text`, and which route of the
    reason step holds it, read from the file as edited (not from a copy of its numbers)."""
    lines = path.read_text().splitlines()
    line = next(n for n, body in enumerate(lines, 1) if text in body)
    column = lines[line - 1].index(text) + len("goto: ") + 1
    steps = yaml.safe_load(path.read_text())["steps"]
    routes = next(s for s in steps if s["id"] == "reason")["routes"]
    route = next(n for n, r in enumerate(routes) if r["goto"] == text.split()[-1])
    return line, column, route


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
    line, column, route = where(paths[0] / "front-door.yaml", "goto: to_nowhere")
    assert (f"front-door.yaml:{line}:{column}: steps.reason.routes[{route}].goto: "
            "unknown step 'to_nowhere'") in problems[0]
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
    state = service.walk(service.start(), INFORMATION_CALL[:6])
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
    # Loaded, not live: new calls stay on the live version until version 2 is published.
    assert service.start()["pathway_version"] == 1
    assert service.publish(2, expected_live=1).status_code == 200
    state: dict[str, Any] = service.start()
    assert state["pathway_version"] == 2

    edit(front_door, BROKEN_ROUTE)
    wait_for(lambda: bool(service.get("/api/pathways/problems", role="designer")
                          .json()["problems"]))
    assert front_door_versions(service) == [2, 1]
    assert service.start()["pathway_version"] == 2


# --- files a designer can get wrong in ways that used to take the service down -------------

REFUSE = "pathway sources for front-door are refused"


@contextmanager
def sources_refused(service: Service) -> Iterator[None]:
    """Make the database itself refuse to store front-door's sources (a real failure:
    a trigger on pathway_sources), and accept them again afterwards."""
    if service.backend == "sqlite":
        create = [f"""CREATE TRIGGER refuse_front_door BEFORE INSERT ON pathway_sources
                      WHEN NEW.pathway_id = 'front-door'
                      BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END"""]
        drop = ["DROP TRIGGER refuse_front_door"]
    else:
        create = [f"""CREATE FUNCTION refuse_front_door() RETURNS trigger AS $$
                      BEGIN
                        IF NEW.pathway_id = 'front-door' THEN RAISE EXCEPTION '{REFUSE}';
                        END IF;
                        RETURN NEW;
                      END $$ LANGUAGE plpgsql""",
                  """CREATE TRIGGER refuse_front_door BEFORE INSERT ON pathway_sources
                     FOR EACH ROW EXECUTE FUNCTION refuse_front_door()"""]
        drop = ["DROP TRIGGER refuse_front_door ON pathway_sources",
                "DROP FUNCTION refuse_front_door()"]
    with service.own_store() as store, store.transaction() as connection:
        for statement in create:
            connection.execute(sa.text(statement))
    try:
        yield
    finally:
        with service.own_store() as store, store.transaction() as connection:
            for statement in drop:
                connection.execute(sa.text(statement))


def kept_versions(service: Service) -> list[tuple[str, int]]:
    with service.own_store() as store:
        return sorted((pid, version) for pid, version, _ in store.pathway_sources())


def versions_of(service: Service, pathway_id: str) -> list[int]:
    return [p["version"] for p in service.get("/api/pathways", role="designer").json()
            if p["id"] == pathway_id]


def test_an_absurd_version_number_is_refused_with_its_range_and_calls_go_on(
        make_service: MakeService, backend: str,
        pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service(backend, paths=paths)
    front_door = paths[0] / "front-door.yaml"
    edit(front_door, ("  version: 1\n", f"  version: {10**40}\n"),
         ("title: Reason for the call", "title: Why they are calling"))
    reply = service.post("/api/pathways/reload", role="designer")
    assert reply.status_code == 200
    assert reply.json()["loaded"] is False
    assert [p for p in reply.json()["problems"] if "pathway.version" in p] == [
        f"{front_door}:9:12: pathway.version: the version must be a whole number from 1 to "
        "2147483647 (the range a 32-bit database column holds) (got "
        "10000000000000000000000000000000000000000)"]
    assert service.get("/api/pathways/problems", role="designer").json()["problems"] == \
        reply.json()["problems"]
    # Every new call used to fail from here on, until a restart.
    assert service.start()["pathway_version"] == 1

    edit(front_door, (f"  version: {10**40}\n", "  version: 2\n"))
    assert service.post("/api/pathways/reload", role="designer").json() == {
        "loaded": True, "problems": []}
    assert service.publish(2, expected_live=1).status_code == 200
    state = service.walk(service.start(), INFORMATION_CALL[:6])
    assert state["pathway_version"] == 2 and state["step"]["title"] == "Why they are calling"


def test_a_reload_whose_sources_cannot_be_stored_takes_up_nothing_and_says_why(
        make_service: MakeService, backend: str,
        pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service(backend, paths=paths)
    front_door, complaints = paths[0] / "front-door.yaml", paths[0] / "complaints.yaml"
    edit(front_door, BROKEN_ROUTE)
    earlier = service.post("/api/pathways/reload", role="designer").json()["problems"]
    assert earlier
    kept = kept_versions(service)

    # Two new versions at once; the database takes complaints' sources but not front-door's.
    edit(front_door, BROKEN_ROUTE[::-1], ("  version: 1\n", "  version: 2\n"),
         ("title: Reason for the call", "title: Why they are calling"))
    edit(complaints, ("  version: 1\n", "  version: 2\n"))
    with sources_refused(service):
        reply = service.post("/api/pathways/reload", role="designer")
        assert reply.status_code == 503
        assert reply.json()["error"]["field"] == "pathways"
        assert reply.json()["error"]["reason"] == (
            "The new pathway versions (complaints v2, front-door v2) validated, but could not "
            f"be stored in the database ({REFUSE}), so none of them was taken up and the "
            "versions in use are unchanged. Try again once the database accepts changes.")
        # Exactly as before: the versions in use, the problems shown, the sources kept.
        assert versions_of(service, "front-door") == [1]
        assert versions_of(service, "complaints") == [1]
        assert service.get("/api/pathways/problems", role="designer").json() == {
            "problems": earlier}
        assert kept_versions(service) == kept  # complaints v2 was rolled back with the rest
        state = service.walk(service.start(), INFORMATION_CALL[:6])
        assert state["pathway_version"] == 1 and state["step"]["title"] == "Reason for the call"

    # Version 2 was never taken up, so it may still change before it is.
    edit(front_door, ("title: Why they are calling", "title: Why are they calling?"))
    assert service.post("/api/pathways/reload", role="designer").json() == {
        "loaded": True, "problems": []}
    assert versions_of(service, "front-door") == [2, 1]
    assert versions_of(service, "complaints") == [2, 1]
    assert {("front-door", 2), ("complaints", 2)} <= set(kept_versions(service))
    assert service.publish(2, expected_live=1).status_code == 200
    state = service.walk(service.start(), INFORMATION_CALL[:6])
    assert state["step"]["title"] == "Why are they calling?"


def test_files_that_used_to_break_a_reload_are_problems_the_designer_sees(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service("sqlite", paths=paths)
    folder = paths[0]
    (folder / "deep.yaml").write_text("pathway:\n" + "".join(
        "  " * i + f"k{i}:\n" for i in range(1, 300)) + "  " * 300 + "x: 1\n")
    (folder / "loop.yaml").symlink_to("loop.yaml")
    (folder / "included.yaml").write_text("scripts:\n  - id: secret\n    text: {en: !include "
                                          "secrets.yaml}\n")
    os.mkfifo(folder / "pipe.yaml")
    reply = service.post("/api/pathways/reload", role="designer")
    assert reply.status_code == 200
    assert reply.json()["loaded"] is False
    problems = reply.json()["problems"]
    assert [p.split(": ", 1)[0].rsplit("/", 1)[-1] for p in problems] == [
        "deep.yaml:65:129", "included.yaml:3:16", "loop.yaml:1:1", "pipe.yaml:1:1"]
    assert "nested more than 64 levels deep" in problems[0]
    assert "'!include' is a YAML tag" in problems[1]
    assert "leads round in a loop" in problems[2] and "named pipe" in problems[3]
    assert service.get("/api/pathways/problems", role="designer").json() == {
        "problems": problems}
    assert service.start()["pathway_version"] == 1


def test_the_watcher_outlives_a_reload_that_fails_and_takes_up_the_files_later(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service("sqlite", paths=paths, reload_seconds=0.2)
    front_door = paths[0] / "front-door.yaml"
    with capture_logs() as logs, sources_refused(service):
        edit(front_door, ("  version: 1\n", "  version: 2\n"))
        wait_for(lambda: any(e["event"] == "pathway_watch_failed" for e in logs))
        failed = next(e for e in logs if e["event"] == "pathway_watch_failed")
        assert failed["log_level"] == "error" and failed["error"] == "PathwaysNotStored"
        assert REFUSE in failed["reason"]
        assert front_door_versions(service) == [1]
    # The watcher kept watching: once the database takes the sources, v2 is taken up.
    wait_for(lambda: front_door_versions(service) == [2, 1])
    assert service.publish(2, expected_live=1).status_code == 200
    assert service.start()["pathway_version"] == 2


def test_the_watcher_shows_a_deeply_nested_file_and_takes_up_the_fix(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service("sqlite", paths=paths, reload_seconds=0.2)
    front_door = paths[0] / "front-door.yaml"
    good = front_door.read_text()
    front_door.write_text("pathway:\n" + "".join(
        "  " * i + f"k{i}:\n" for i in range(1, 300)) + "  " * 300 + "x: 1\n")

    def shown() -> list[str]:
        found: list[str] = service.get("/api/pathways/problems",
                                       role="designer").json()["problems"]
        return found

    wait_for(lambda: any("nested more than 64 levels deep" in p for p in shown()))
    assert front_door_versions(service) == [1]
    front_door.write_text(good.replace("  version: 1\n", "  version: 2\n"))
    wait_for(lambda: front_door_versions(service) == [2, 1])
    assert shown() == []
