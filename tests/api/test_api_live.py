"""The live pointer: new calls start on the live version, never on the highest number; a
designer publishes a ready version or rolls back to an earlier one, with a reason, and
what is refused leaves the live version exactly as it was."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from structlog.testing import capture_logs

from api.storage.port import LiveAction
from tests.api.conftest import INFORMATION_CALL, MakeService, Service
from tests.api.test_api_reload import edit
from tests.unit.test_pathway_diff import NEXT_VERSION, URGENT_NEED_NARROWED
from triage.errors import LiveConflict
from triage.pipeline import load_catalogue
from triage.routing.diff import less_safe

RETITLED = ("title: Reason for the call", "title: Why they are calling")


def versions(service: Service, pathway: str = "front-door") -> dict[str, Any]:
    reply = service.get(f"/api/pathways/{pathway}/versions", role="designer")
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def with_version_2(service: Service, paths: list[Path]) -> None:
    """Front-door version 2 (its reason step retitled), loaded but not yet live."""
    edit(paths[0] / "front-door.yaml", NEXT_VERSION, RETITLED)
    assert service.post("/api/pathways/reload", role="designer").json()["loaded"] is True


def reason_title(service: Service) -> str:
    state = service.walk(service.start(), INFORMATION_CALL[:6])
    title: str = state["step"]["title"]
    return title


def test_a_new_store_makes_the_highest_ready_version_of_each_pathway_live_at_set_up(
        service: Service) -> None:
    found = versions(service)
    assert found["live_version"] == 1
    assert [(v["version"], v["status"], v["live"]) for v in found["versions"]] == [
        (1, "ready", True)]
    first = found["history"][-1]
    assert (first["action"], first["published_by"], first["version"]) == (
        "setup", "set-up", 1)
    listed = service.get("/api/pathways", role="designer").json()
    assert all(p["live"] for p in listed)  # every shipped pathway, at its version 1


def test_new_calls_start_on_the_live_version_and_a_call_in_progress_stays_on_its_own(
        make_service: MakeService, backend: str,
        pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service(backend, paths=paths)
    in_progress = service.walk(service.start(), INFORMATION_CALL[:3])
    with_version_2(service, paths)
    # Version 2 is the highest number, but version 1 is live.
    assert service.start()["pathway_version"] == 1
    assert reason_title(service) == "Reason for the call"

    with capture_logs() as logs:
        reply = service.publish(2, expected_live=1, reason="Clearer title for the reason.")
    assert reply.status_code == 200, reply.text
    entry = reply.json()
    assert (entry["version"], entry["previous_version"], entry["action"],
            entry["published_by"]) == (2, 1, "publish", "demo-designer")
    assert service.start()["pathway_version"] == 2
    assert reason_title(service) == "Why they are calling"

    # The call started before the publish finishes on version 1, and its record says so.
    in_progress = service.walk(in_progress, INFORMATION_CALL[3:])
    assert in_progress["pathway_version"] == 1
    assert service.finish(in_progress).status_code == 200
    assert service.contact(in_progress["call_id"])["pathway_version"] == 1

    published = [e for e in logs if e["event"] == "pathway_published"]
    assert published == [{"event": "pathway_published", "log_level": "info",
                          "pathway": "front-door", "version": 2, "previous_version": 1,
                          "user": "demo-designer", "entry_id": entry["entry_id"],
                          "waived_routes": 0, "replay_report": False}]
    history = versions(service)["history"]
    assert [(e["action"], e["version"], e["reason"]) for e in history] == [
        ("publish", 2, "Clearer title for the reason."),
        ("setup", 1, history[1]["reason"])]


def test_rolling_back_is_one_action_with_a_reason_and_goes_only_to_an_earlier_version(
        make_service: MakeService, backend: str,
        pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service(backend, paths=paths)
    with_version_2(service, paths)
    assert service.publish(2, expected_live=1).status_code == 200

    blank = service.publish(1, expected_live=2, reason="  ", action="rollback")
    assert blank.status_code == 422
    assert blank.json()["error"]["field"] == "reason"
    forward = service.publish(2, expected_live=2, reason="Again.", action="rollback")
    assert forward.status_code == 422
    assert "A roll back goes to a version earlier than the live one" in \
        forward.json()["error"]["reason"]
    assert versions(service)["live_version"] == 2

    with capture_logs() as logs:
        back = service.publish(1, expected_live=2, reason="Callers were confused.",
                               action="rollback")
    assert back.status_code == 200, back.text
    assert back.json()["action"] == "rollback"
    assert service.start()["pathway_version"] == 1
    assert [e["event"] for e in logs if e["event"].startswith("pathway_")] == [
        "pathway_rolled_back"]
    assert [e["action"] for e in versions(service)["history"]] == [
        "rollback", "publish", "setup"]


def test_a_draft_is_refused_saying_to_mark_it_ready_after_review(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service("sqlite", paths=paths)
    edit(paths[0] / "front-door.yaml", NEXT_VERSION, RETITLED,
         ("  status: ready\n", "  status: draft\n"))
    assert service.post("/api/pathways/reload", role="designer").json()["loaded"] is True
    reply = service.publish(2, expected_live=1)
    assert reply.status_code == 422
    assert reply.json()["error"] == {
        "field": "version", "current_version": None, "reason":
        "Version 2 of 'front-door' is a draft, so it cannot be published; the live version "
        "is unchanged. Mark it ready (status: ready in its file) after review, then "
        "publish it."}
    assert versions(service)["live_version"] == 1
    assert reason_title(service) == "Reason for the call"

    # Marked ready after review, with the same version number: now it may be published.
    edit(paths[0] / "front-door.yaml", ("  status: draft\n", "  status: ready\n"))
    assert service.post("/api/pathways/reload", role="designer").json()["loaded"] is True
    assert service.publish(2, expected_live=1).status_code == 200
    assert reason_title(service) == "Why they are calling"


def test_a_version_that_is_not_stored_is_refused_for_publish_and_roll_back(
        service: Service) -> None:
    for action in ("publish", "rollback"):
        reply = service.publish(7, expected_live=1, action=action)
        assert reply.status_code == 404
        assert reply.json()["error"]["reason"] == (
            "Version 7 of 'front-door' is not stored in the service (versions stored and "
            "loaded: 1); the live version is unchanged.")
    unknown = service.publish(1, expected_live=None, pathway="front-dor")
    assert unknown.status_code == 404
    assert "there is no pathway 'front-dor' (pathways are: applications," in \
        unknown.json()["error"]["reason"]
    assert versions(service)["live_version"] == 1


def test_a_stored_version_that_does_not_validate_is_refused_with_its_problems(
        make_service: MakeService, backend: str,
        pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service(backend, paths=paths)
    # Version 5 as another instance stored it, from files today's checks refuse.
    files = {f"{i:03d}/{p.name}": p.read_text()
             for i, folder in enumerate(paths) for p in sorted(folder.glob("*.yaml"))}
    name = next(n for n in files if n.endswith("/front-door.yaml"))
    files[name] = files[name].replace("  version: 1\n", "  version: 5\n").replace(
        "goto: to_complaints", "goto: to_nowhere", 1)
    with service.own_store() as store:
        store.keep_pathway_versions([("front-door", 5)], files)
    service.stop()
    service = make_service(backend, settings=service.settings)

    reply = service.publish(5, expected_live=1)
    assert reply.status_code == 422
    reason = reply.json()["error"]["reason"]
    assert reason.startswith("Version 5 of 'front-door' does not validate (2 problem(s)), so "
                             "it cannot be made live; the live version is unchanged: ")
    assert "unknown step 'to_nowhere'" in reason
    row = next(v for v in versions(service)["versions"] if v["version"] == 5)
    assert row["validates"] is False and "to_nowhere" in row["problems"][0]
    assert versions(service)["live_version"] == 1


def less_safe_candidate(paths: list[Path]) -> list[str]:
    """Front-door version 2, whose urgent route in needs assessment now fits only an open
    case; the routes it makes less safe, as ``triage diff`` prints them."""
    before = load_catalogue(paths).get("front-door")
    edit(paths[0] / "front-door.yaml", NEXT_VERSION)
    edit(paths[0] / "needs-assessment.yaml", NEXT_VERSION, URGENT_NEED_NARROWED)
    after = load_catalogue(paths).get("front-door")
    routes = [c.describe_answers() for c in less_safe(before, after, after.policy)]
    assert routes
    return routes


def test_a_less_safe_version_is_refused_naming_each_route_and_the_live_version_stays(
        make_service: MakeService, backend: str,
        pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service(backend, paths=paths)
    routes = less_safe_candidate(paths)
    assert service.post("/api/pathways/reload", role="designer").json()["loaded"] is True
    with capture_logs() as logs:
        reply = service.publish(2, expected_live=1)
    assert reply.status_code == 422
    reason = reply.json()["error"]["reason"]
    assert reason.startswith(
        f"Version 2 of 'front-door' is less safe than live version 1: {len(routes)} answer "
        "combination(s) that reached an escalation now end early, with no signed waiver")
    assert all(route in reason for route in routes)
    assert [e["why"] for e in logs if e["event"] == "pathway_publish_refused"] == ["less_safe"]
    assert versions(service)["live_version"] == 1
    assert service.start()["pathway_version"] == 1


def test_a_signed_waiver_for_exactly_each_route_lets_a_less_safe_version_be_published(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service("sqlite", paths=paths)
    routes = less_safe_candidate(paths)
    front_door = paths[0] / "front-door.yaml"
    waivers = "".join(f"    - route: {json.dumps(r)}\n      signed_by: A. Lead, safety "
                      "officer\n      reason: Urgent needs go to the duty line.\n"
                      for r in routes[1:])
    edit(front_door, ("  change_note: ", "  waivers:\n" + waivers + "  change_note: "))
    assert yaml.safe_load(front_door.read_text())["pathway"]["waivers"]
    assert service.post("/api/pathways/reload", role="designer").json()["loaded"] is True

    # One route is not waived: still refused, naming only that one.
    refused = service.publish(2, expected_live=1)
    assert refused.status_code == 422
    assert "1 answer combination(s)" in refused.json()["error"]["reason"]
    assert routes[0] in refused.json()["error"]["reason"]

    # Version 3 waives every route, exactly as printed.
    edit(paths[0] / "front-door.yaml", ("  version: 2\n", "  version: 3\n"),
         ("  waivers:\n", f"  waivers:\n    - route: {json.dumps(routes[0])}\n      "
          "signed_by: A. Lead, safety officer\n      reason: Urgent needs go to the duty "
          "line.\n"))
    assert service.post("/api/pathways/reload", role="designer").json()["loaded"] is True
    with capture_logs() as logs:
        reply = service.publish(3, expected_live=1)
    assert reply.status_code == 200, reply.text
    assert [e["waived_routes"] for e in logs if e["event"] == "pathway_published"] == [
        len(routes)]
    row = next(v for v in versions(service)["versions"] if v["version"] == 3)
    assert len(row["waivers"]) == len(routes) and row["live"]


def test_publishing_from_a_version_no_longer_live_is_a_conflict_naming_what_is_live(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service("sqlite", paths=paths)
    with_version_2(service, paths)
    assert service.publish(2, expected_live=1).status_code == 200
    stale = service.publish(1, expected_live=1, action="rollback")
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert (error["field"], error["current_version"]) == ("expected_live", 2)
    assert error["reason"].startswith(
        "The live version of 'front-door' has changed since you looked: you saw version 1, "
        "and now version 2, made live by demo-designer at ")
    assert versions(service)["live_version"] == 2


def test_only_designers_move_the_live_version(service: Service) -> None:
    for role in ("handler", "supervisor", "manager"):
        reply = service.post("/api/pathways/front-door/publish",
                             {"version": 1, "reason": "x", "expected_live": 1}, role=role)
        assert reply.status_code == 403
        assert service.get("/api/pathways/front-door/versions", role=role).status_code == 403


def test_two_designers_publishing_at_once_on_postgresql_one_wins_and_nothing_is_half_done(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    paths = pathway_copy()
    service = make_service("postgresql", paths=paths)
    with_version_2(service, paths)
    edit(paths[0] / "front-door.yaml", ("  version: 2\n", "  version: 3\n"))
    assert service.post("/api/pathways/reload", role="designer").json()["loaded"] is True
    rounds, designers = 5, 6
    with service.own_store() as store:
        for attempt in range(rounds):
            live = store.live_now()["front-door"].version
            wanted = [v for v in (1, 2, 3) if v != live]
            start = threading.Barrier(designers)
            won: list[int] = []
            lost: list[LiveConflict] = []

            def designer(n: int, live: int = live, wanted: list[int] = wanted,
                         start: threading.Barrier = start, won: list[int] = won,
                         lost: list[LiveConflict] = lost, attempt: int = attempt) -> None:
                start.wait()
                try:
                    store.move_live("front-door", wanted[n % 2], expected=live,
                                    action=LiveAction.PUBLISH, published_by=f"designer-{n}",
                                    reason=f"round {attempt}")
                    won.append(n)
                except LiveConflict as conflict:
                    lost.append(conflict)

            threads = [threading.Thread(target=designer, args=(n,)) for n in range(designers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(won) == 1 and len(lost) == designers - 1, (won, lost)
            winner = store.live_now()["front-door"]
            assert winner.published_by == f"designer-{won[0]}"
            assert {exc.live_version for exc in lost} == {winner.version}
            assert {exc.published_by for exc in lost} == {winner.published_by}
        history = store.live_history("front-door")
    # Exactly one entry per round (the losers' entries went with their transactions).
    assert [e.reason for e in history[:rounds]] == [f"round {n}" for n in
                                                     reversed(range(rounds))]
    assert len(history) == rounds + 1 and history[-1].action == "setup"
    assert all(e.previous_version == later.version
               for e, later in zip(history, history[1:], strict=False))
    # The service takes up whichever won, at its next look.
    service.app.state.front_door.library.sync_live()
    assert service.start()["pathway_version"] == history[0].version


@pytest.mark.parametrize("reason", ["", "x" * 2001])
def test_a_missing_or_overlong_reason_is_refused_by_the_api(service: Service,
                                                           reason: str) -> None:
    reply = service.publish(1, expected_live=1, reason=reason)
    assert reply.status_code == 422
    assert reply.json()["error"]["field"] == "reason"
