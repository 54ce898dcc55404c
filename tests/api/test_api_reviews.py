"""The review queue over the REST API, on SQLite and PostgreSQL: refused answers and
"no route fits" recorded without the answer, overrides and red-flag changes as items,
reasons hidden from designers until a supervisor checked them, closing by a pathway
version's change note, and who may ask for what."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from api.storage.schema import refusals, review_items
from tests.api.conftest import INFORMATION_CALL, MakeService, Service
from tests.api.test_api_wrap_up import escalated, ok, post
from triage.reviews import due_on

SECRET = "Mrs Example at 1 Acacia Road"  # stands for personal details a caller gave


def items_of(service: Service, role: str = "designer", view: str = "open"
             ) -> list[dict[str, Any]]:
    reply = service.get("/api/reviews", role=role, view=view, limit=100)
    assert reply.status_code == 200, reply.text
    found: list[dict[str, Any]] = reply.json()
    return found


def contact_id_of(service: Service, call_id: str) -> int:
    listed = service.get("/api/contacts", role="supervisor", limit=500).json()
    return int(next(c["contact_id"] for c in listed if c["call_id"] == call_id))


def overridden(service: Service, reason: str = SECRET) -> tuple[int, dict[str, Any]]:
    """A finished call whose outcome was overridden, and its review item (as the
    supervisor sees it)."""
    state = service.walk(service.start(), INFORMATION_CALL)
    ok(service.finish(state, {"kind": "team_referral", "team": "locality-north",
                              "reason": reason}))
    contact_id = contact_id_of(service, state["call_id"])
    [item] = [i for i in items_of(service, "supervisor") if i["contact_id"] == contact_id]
    return contact_id, item


def test_a_refused_answer_is_recorded_by_step_and_kind_never_the_answer(
        service: Service) -> None:
    state = service.start()
    with service.own_store() as store, store.engine.connect() as c:
        before = c.execute(sa.select(sa.func.count()).select_from(refusals)).scalar_one()
    for _ in range(3):
        refused = service.answer(state, SECRET)
        assert refused.status_code == 422
    with service.own_store() as store, store.engine.connect() as c:
        rows = c.execute(sa.select(refusals).order_by(refusals.c.refusal_id.desc())
                         .limit(3)).mappings().all()
        after = c.execute(sa.select(sa.func.count()).select_from(refusals)).scalar_one()
        everything = " ".join(str(v) for r in c.execute(sa.select(refusals)).all()
                              for v in r)
    assert after == before + 3
    assert {(r["pathway_id"], r["step"], r["kind"]) for r in rows} == {
        ("front-door", "caller_type", "invalid_answer")}
    assert "Acacia" not in everything
    # Three refusals at one step of one version make a pattern in the queue.
    [pattern] = [i for i in items_of(service) if i["source"] == "refusal_pattern"
                 and i["step"] == "caller_type" and i["pathway"]["id"] == "front-door"]
    assert pattern["refusals"] >= 3 and pattern["status"] == "open"
    assert pattern["overdue"] is False


def test_an_override_is_an_item_whose_reason_a_designer_sees_only_once_checked(
        service: Service) -> None:
    contact_id, item = overridden(service)
    assert (item["source"], item["suggested_outcome"], item["chosen_outcome"]) == (
        "override", "signpost", "team_referral")
    assert item["reason_as_written"] == SECRET and item["reason_state"] == "pending"
    as_designer = service.get(f"/api/reviews/{item['item_id']}", role="designer").json()
    assert as_designer["reason"] is None and "contact_id" not in as_designer
    assert SECRET not in str(items_of(service, "designer"))

    rewritten = service.post(f"/api/reviews/{item['item_id']}/reason",
                             {"state": "rewritten", "rewritten": "The caller's neighbour "
                              "needed more than advice"}, role="supervisor")
    assert rewritten.status_code == 200, rewritten.text
    as_designer = service.get(f"/api/reviews/{item['item_id']}", role="designer").json()
    assert as_designer["reason"] == "The caller's neighbour needed more than advice"
    assert as_designer["reason_state"] == "rewritten"

    _contact, plain = overridden(service, reason="The advice would not have been enough")
    confirmed = service.post(f"/api/reviews/{plain['item_id']}/reason",
                             {"state": "confirmed"}, role="supervisor")
    assert confirmed.json()["reason"] == "The advice would not have been enough"


def test_a_designer_may_not_check_reasons_or_open_the_contact_and_a_handler_sees_nothing(
        service: Service) -> None:
    _contact, item = overridden(service)
    number = item["item_id"]
    for role in ("handler", "manager"):
        assert service.get("/api/reviews", role=role).status_code == 403
        assert service.get(f"/api/reviews/{number}", role=role).status_code == 403
    assert service.get(f"/api/reviews/{number}/contact", role="designer").status_code == 403
    assert service.post(f"/api/reviews/{number}/reason", {"state": "confirmed"},
                        role="designer").status_code == 403
    assert service.post("/api/audits/2026-11/sample", {}, role="designer").status_code == 403
    seen = service.get(f"/api/reviews/{number}/contact", role="supervisor")
    assert seen.status_code == 200 and seen.json()["record"]["override"]["reason"] == SECRET
    assert service.get("/api/reviews/figures", role="manager").status_code == 200


def test_a_red_flag_answer_changed_after_an_escalation_is_an_item(service: Service) -> None:
    state = escalated(service)
    changed = ok(post(service, state, "change", step="danger_to_life", answer="no",
                      reason=SECRET))
    changed = service.walk(changed, [("abuse_or_neglect", "no"),
                                     ("mental_health_crisis", "no"),
                                     ("find_person", "not_known"),
                                     ("reason", "information_advice"),
                                     ("advice_topic", "community_support")])
    ok(service.finish(changed))
    contact_id = contact_id_of(service, changed["call_id"])
    [item] = [i for i in items_of(service, "supervisor") if i["contact_id"] == contact_id]
    assert item["source"] == "red_flag_changed"
    assert item["step"].endswith("danger_to_life")
    assert item["suggested_outcome"] == "emergency_services"
    assert item["reason_state"] == "pending"


def test_marking_reviewed_needs_a_finding_and_an_unknown_item_is_404(
        service: Service) -> None:
    _contact, item = overridden(service)
    url = f"/api/reviews/{item['item_id']}/reviewed"
    assert service.post(url, {"finding": ""}, role="designer").status_code == 422
    done = service.post(url, {"finding": "The advice pathway misses carers"},
                        role="designer")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "reviewed"
    assert done.json()["finding"] == "The advice pathway misses carers"
    missing = service.post("/api/reviews/999999/reviewed", {"finding": "x"}, role="designer")
    assert missing.status_code == 404
    assert service.get("/api/reviews", role="designer", view="later").status_code == 422


def test_an_item_is_closed_only_by_a_version_whose_change_note_mentions_it(
        make_service: MakeService, backend: str, pathway_copy: Any) -> None:
    paths = pathway_copy()
    service = make_service(backend, paths=paths)
    _contact, item = overridden(service)
    number = item["item_id"]
    close = f"/api/reviews/{number}/close"

    unknown = service.post(close, {"version": 7}, role="designer")
    assert unknown.status_code == 422
    assert unknown.json()["error"] == {
        "field": "version", "current_version": None,
        "reason": "Pathway 'front-door' has no version 7; its versions are: 1."}
    silent = service.post(close, {"version": 1}, role="designer")
    assert silent.status_code == 422
    assert f"does not mention review #{number}" in silent.json()["error"]["reason"]
    assert service.post(close, {"version": 1, "pathway": "nowhere"},
                        role="designer").status_code == 422
    assert items_of(service, view="closed") == []

    front = Path(paths[0]) / "front-door.yaml"
    text = front.read_text()
    text = text.replace("  version: 1\n", "  version: 2\n", 1).replace(
        "  change_note: >-\n", f"  change_note: >-\n    Answers review #{number}.\n", 1)
    front.write_text(text)
    reload = service.post("/api/pathways/reload", {}, role="designer")
    assert reload.json()["loaded"] is True, reload.text
    closed = service.post(close, {"version": 2}, role="designer")
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_by"]["version"] == 2
    assert [i["item_id"] for i in items_of(service, view="closed")] == [number]
    again = service.post(close, {"version": 2}, role="designer")
    assert again.status_code == 422 and "closed already" in again.json()["error"]["reason"]
    figures = service.get("/api/reviews/figures", role="designer").json()
    assert figures["closed"]["by_source"] == {"override": 1}


def test_no_route_fits_opens_an_item_in_the_store(make_service: MakeService,
                                                  backend: str) -> None:
    service = make_service(backend)
    with service.own_store() as store:
        store.record_refusal("front-door", 1, "reason", "no_route", pattern_at=3)
        with store.engine.connect() as c:
            rows = c.execute(sa.select(review_items)).mappings().all()
    assert [(r["source"], r["step"], r["refusals"]) for r in rows] == [
        ("no_route", "reason", 1)]
    assert items_of(service)[0]["source"] == "no_route"


def test_an_item_not_closed_within_ten_working_days_is_overdue(make_service: MakeService,
                                                               backend: str) -> None:
    service = make_service(backend)
    long_ago = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
    with service.own_store() as store:
        old = store.add_review_item({"source": "no_route", "pathway_id": "front-door",
                                     "pathway_version": 1, "step": "reason",
                                     "opened_at": long_ago,
                                     "due_on": due_on(long_ago.date())})
        new = store.add_review_item({"source": "no_route", "pathway_id": "front-door",
                                     "pathway_version": 1, "step": "reason"})
    assert [i["item_id"] for i in items_of(service, view="overdue")] == [old]
    shown = {i["item_id"]: i["overdue"] for i in items_of(service)}
    assert shown == {old: True, new: False}
    figures = service.get("/api/reviews/figures", role="designer").json()
    assert figures["overdue"] == {"total": 1, "by_source": {"no_route": 1}}
    assert figures["open"]["total"] == 2
