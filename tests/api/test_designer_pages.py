"""The designer's view of pathway versions: the comparison of two versions in the API and
on the screen, for designers only, naming the routes whose outcome changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.api.conftest import MakeService, Service
from tests.api.test_api_reload import edit
from tests.unit.test_pathway_diff import NEXT_VERSION, SWAP_COMPLAINTS


def two_versions(make_service: MakeService, pathway_copy: Callable[[], list[Path]]
                 ) -> Service:
    paths = pathway_copy()
    service = make_service("sqlite", paths=paths)
    edit(paths[0] / "front-door.yaml", NEXT_VERSION, *SWAP_COMPLAINTS)
    assert service.post("/api/pathways/reload", role="designer").json()["loaded"] is True
    return service


def page(service: Service, path: str, role: str = "designer") -> tuple[int, str]:
    reply = service.client.get(path, headers={
        "Accept": "text/html", "Cookie": f"triage_session={service.token(role)}"},
        follow_redirects=False)
    return reply.status_code, reply.text


def test_the_api_names_the_routes_whose_outcome_changed(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    service = two_versions(make_service, pathway_copy)
    reply = service.get("/api/pathways/front-door/diff", role="designer", old=1, new=2)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["pathway"], body["old_version"], body["new_version"]) == ("front-door", 1, 2)
    ends = {(r["old"]["state"].split("/")[0], r["new"]["state"].split("/")[0])
            for r in body["routes"]}
    assert ("to_complaints", "to_information_advice") in ends
    assert ("to_information_advice", "to_complaints") in ends
    assert body["less_safe"] == []
    assert any(c["area"] == "route" for c in body["changes"])


def test_a_version_that_is_not_loaded_is_named_in_the_refusal(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    service = two_versions(make_service, pathway_copy)
    reply = service.get("/api/pathways/front-door/diff", role="designer", old=1, new=7)
    assert reply.status_code == 422
    assert reply.json()["error"]["field"] == "new"
    assert "versions are 1, 2" in reply.json()["error"]["reason"]
    unknown = service.get("/api/pathways/no-such/diff", role="designer", old=1, new=2)
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "pathway"


def test_only_designers_compare_versions(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    service = two_versions(make_service, pathway_copy)
    for role in ("handler", "supervisor", "manager"):
        assert service.get("/api/pathways/front-door/diff", role=role, old=1,
                           new=2).status_code == 403
        status, _ = page(service, "/designer/pathways/front-door/compare?old=1&new=2", role)
        assert status == 403


def test_a_designer_starts_on_the_pathways_and_compares_two_versions(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    service = two_versions(make_service, pathway_copy)
    status, _ = page(service, "/")
    assert status == 303  # a designer's start page is the pathways, not the call screen
    status, text = page(service, "/designer")
    assert status == 200 and 'href="/designer/pathways/front-door"' in text
    assert "None: every file validated at the last check." in text
    status, text = page(service, "/designer/pathways/front-door")
    assert status == 200 and "Compare two versions" in text and "new calls start here" in text
    status, text = page(service, "/designer/pathways/front-door/compare?old=1&new=2")
    assert status == 200
    assert "Version 1 to version 2" in text
    assert "Routes whose outcome changed" in text and "to_complaints" in text
    assert "Traceback" not in text


def test_a_comparison_of_a_version_that_is_not_loaded_says_which_field(
        make_service: MakeService, pathway_copy: Callable[[], list[Path]]) -> None:
    service = two_versions(make_service, pathway_copy)
    status, text = page(service, "/designer/pathways/front-door/compare?old=1&new=9")
    assert status == 422
    assert "There is a problem" in text and 'href="#new"' in text
    assert "Choose one of the loaded versions: 1, 2" in text
