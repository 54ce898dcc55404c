"""Monthly audits over the REST API and the screen, on SQLite and PostgreSQL: a sample
drawn towards risk, recorded so that it is never drawn again, scored on the audit form
with findings that enter the review queue; and the review and audit pages by role."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from api.storage import database_url
from api.web.forms import csrf_token
from tests.api.conftest import MakeService, Service
from triage.cli.contacts import generate
from triage.routing.catalogue import Catalogue

MONTH = "2026-03"


@pytest.fixture
def audited(make_service: MakeService, backend: str, shipped_catalogue: Catalogue
            ) -> Service:
    """A service whose store holds 800 generated contacts over 2026 (about 65 a month)."""
    service = make_service(backend)
    url = database_url(service.settings.database_url, service.settings.home)
    generate(shipped_catalogue, url, 800, 7, dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), 1,
             io.StringIO())
    return service


def answers_all(value: str = "yes") -> dict[str, str]:
    return {"red_flags_first": value, "escalated_in_time": "not_applicable",
            "right_outcome": value, "deflection_suitable": "not_applicable",
            "reasons_recorded": "not_applicable"}


def test_a_month_is_drawn_towards_risk_once_and_scored_with_findings_for_review(
        audited: Service) -> None:
    service = audited
    assert service.get(f"/api/audits/{MONTH}", role="supervisor").status_code == 422
    drawn = service.post(f"/api/audits/{MONTH}/sample", {"seed": "march"}, role="supervisor")
    assert drawn.status_code == 200, drawn.text
    sample = drawn.json()
    assert sample["drawn_now"] is True and sample["seed"] == "march"
    assert sample["size"] == 30 and 30 <= sample["population"] < 1500
    reasons = [c["reason"] for c in sample["contacts"]]
    order = ["early_exit", "override", "repeat_caller", "third_party", "random"]
    assert reasons == sorted(reasons, key=order.index)  # filled in order of risk
    assert reasons[0] == "early_exit" and "random" in reasons

    again = service.post(f"/api/audits/{MONTH}/sample", {"seed": "another"},
                         role="supervisor").json()
    assert again["drawn_now"] is False and again["seed"] == "march"
    assert again["contacts"] == sample["contacts"]

    contact_id = sample["contacts"][0]["contact_id"]
    url = f"/api/audits/{MONTH}/contacts/{contact_id}/score"
    unanswered = service.post(url, {"answers": {"red_flags_first": "yes"}},
                              role="supervisor")
    assert unanswered.status_code == 422
    assert "is not answered" in unanswered.json()["error"]["reason"]
    wrong_step = service.post(url, {"answers": answers_all(), "findings": [
        {"step": "nowhere", "text": "x", "review": True}]}, role="supervisor")
    assert wrong_step.status_code == 422
    assert "'nowhere' is not a step" in wrong_step.json()["error"]["reason"]
    scored = service.post(url, {"answers": answers_all(), "findings": [
        {"step": "reason", "text": "The reason list has no option for housing repairs",
         "review": True}]}, role="supervisor")
    assert scored.status_code == 200, scored.text
    result = scored.json()
    assert (result["score"], result["out_of"]) == (4, 4)
    assert result["form"] == {"id": "front-door-audit", "version": 1}
    [number] = result["review_items"]
    item = service.get(f"/api/reviews/{number}", role="designer").json()
    assert item["source"] == "audit_finding" and item["step"] == "reason"
    assert item["reason"] == "The reason list has no option for housing repairs"
    twice = service.post(url, {"answers": answers_all()}, role="supervisor")
    assert twice.status_code == 422 and "scored already" in twice.json()["error"]["reason"]
    outside = service.post(f"/api/audits/{MONTH}/contacts/999999/score",
                           {"answers": answers_all()}, role="supervisor")
    assert outside.status_code == 422
    recorded = service.get(f"/api/audits/{MONTH}", role="supervisor").json()
    assert recorded["contacts"][0]["score"]["score"] == 4
    for role in ("handler", "designer", "manager"):
        assert service.get(f"/api/audits/{MONTH}", role=role).status_code == 403


def screen(service: Service, role: str, path: str, **form: str) -> Any:
    token = service.token(role)
    headers = {"Accept": "text/html", "Cookie": f"triage_session={token}"}
    if form:
        return service.client.post(path, data={"csrf": csrf_token(token), **form},
                                   headers={**headers, "Origin": "http://testserver"},
                                   follow_redirects=False)
    return service.client.get(path, headers=headers)


def test_the_review_and_audit_pages_by_role(audited: Service) -> None:
    service = audited
    assert screen(service, "handler", "/reviews").status_code == 403
    assert screen(service, "manager", "/reviews").status_code == 403
    page = screen(service, "designer", "/reviews")
    assert page.status_code == 200 and "Review queue" in page.text
    assert screen(service, "designer", f"/audits/{MONTH}").status_code == 403

    empty = screen(service, "supervisor", f"/audits/{MONTH}")
    assert empty.status_code == 200 and "Draw the sample" in empty.text
    drawn = screen(service, "supervisor", f"/audits/{MONTH}/sample", seed="screen")
    assert drawn.status_code == 303
    page = screen(service, "supervisor", f"/audits/{MONTH}")
    assert "30 of" in page.text and "seed screen" in page.text
    sample = service.get(f"/api/audits/{MONTH}", role="supervisor").json()
    contact_id = sample["contacts"][0]["contact_id"]
    form = screen(service, "supervisor", f"/audits/{MONTH}/contacts/{contact_id}")
    assert form.status_code == 200 and "Were the red-flag questions asked" in form.text
    fields = {f"q-{q}": a for q, a in answers_all("no").items()}
    saved = screen(service, "supervisor", f"/audits/{MONTH}/contacts/{contact_id}",
                   **fields, finding_step="reason", finding_text="Advice offered too soon",
                   finding_review="yes")
    assert saved.status_code == 303, saved.text
    items = service.get("/api/reviews", role="designer").json()
    finding = next(i for i in items if i["source"] == "audit_finding")
    page = screen(service, "designer", f"/reviews/{finding['item_id']}")
    assert "Advice offered too soon" in page.text and "Close the item" in page.text
    refused = screen(service, "designer", f"/reviews/{finding['item_id']}/close",
                     pathway="front-door", version="9")
    assert refused.status_code == 422 and "has no version 9" in refused.text
    marked = screen(service, "designer", f"/reviews/{finding['item_id']}/reviewed",
                    finding="Add a housing option")
    assert marked.status_code == 303
    overrides = [i for i in service.get("/api/reviews", role="supervisor").json()
                 if i["source"] == "override" and i["reason_as_written"]]
    assert overrides  # the generator overrides some of its calls, with a reason
    shown = screen(service, "supervisor", f"/reviews/{overrides[0]['item_id']}")
    assert "The reason as written" in shown.text and "The contact" in shown.text
    hidden = screen(service, "designer", f"/reviews/{overrides[0]['item_id']}")
    assert overrides[0]["reason_as_written"] not in hidden.text
    assert screen(service, "designer", "/reviews/999999").status_code == 404
