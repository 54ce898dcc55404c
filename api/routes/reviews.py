"""The review queue (``/api/reviews``) for practice leads (designers) and supervisors, and
the monthly audits (``/api/audits``) for supervisors. Handlers and managers are refused
(403); a designer asking for a contact or a reason as written is refused (403)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from pydantic import Field

from api.routes.bodies import Strict
from api.routes.dependencies import Door, Supervisor, needs
from api.routes.openapi import error_doc
from api.service import FrontDoor, Role, User
from api.service.reviews import Audits, Reviews
from triage.errors import StorageRefused

router = APIRouter(tags=["reviews"])

Reviewer = Annotated[User, Depends(needs(Role.DESIGNER, Role.SUPERVISOR))]
"""The review queue: practice leads (designers) and supervisors."""
ItemId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
Month = Annotated[str, PathParam(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]
NOT_HERE = error_doc("There is no review item with this number.")


def reviews_of(door: FrontDoor) -> Reviews:
    """The review queue (every SQL store keeps it)."""
    if door.reviews is None:
        raise StorageRefused(reason="this store keeps no review queue")
    return door.reviews


def audits_of(door: FrontDoor) -> Audits:
    """The audits (every SQL store keeps them)."""
    if door.audits is None:
        raise StorageRefused(reason="this store keeps no audits")
    return door.audits


class Finding(Strict):
    finding: str = Field(min_length=1, max_length=2000)


class Close(Strict):
    version: int = Field(ge=1, le=2**31 - 1, description=(
        "The pathway version whose change note mentions 'review #ID'."))
    pathway: str | None = Field(default=None, max_length=64, description=(
        "The pathway of that version (the item's own when left out)."))


class ReasonCheck(Strict):
    state: str = Field(pattern=r"^(confirmed|rewritten)$")
    rewritten: str | None = Field(default=None, max_length=2000)


class DrawSample(Strict):
    seed: str | None = Field(default=None, min_length=1, max_length=64)


class AuditFinding(Strict):
    step: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=2000)
    review: bool = False


class Score(Strict):
    answers: dict[str, str]
    findings: list[AuditFinding] = Field(default_factory=list, max_length=50)


@router.get("/api/reviews")
def review_queue(user: Reviewer, door: Door,
                 view: Annotated[str, Query(description="open, overdue or closed")] = "open",
                 before: Annotated[int | None, Query(ge=1, le=2**31 - 1, description=(
                     "The next page: items numbered below this."))] = None,
                 limit: Annotated[int, Query(ge=1, le=100)] = 50) -> list[dict[str, Any]]:
    """One page of the review queue, newest first."""
    return reviews_of(door).queue(user, view, before=before, limit=limit)


@router.get("/api/reviews/figures")
def review_figures(user: Annotated[User, Depends(needs(
        Role.DESIGNER, Role.SUPERVISOR, Role.MANAGER))], door: Door) -> dict[str, Any]:
    """How many items are open, overdue and closed, by source (for the reports)."""
    return reviews_of(door).figures()


@router.get("/api/reviews/{item_id}", responses={404: NOT_HERE})
def review_item(item_id: ItemId, user: Reviewer, door: Door) -> dict[str, Any]:
    """One review item."""
    return reviews_of(door).item(user, item_id)


@router.get("/api/reviews/{item_id}/contact", responses={404: NOT_HERE})
def review_item_contact(item_id: ItemId, user: Supervisor, door: Door) -> dict[str, Any]:
    """The contact record the item is about (supervisors only; the read is recorded)."""
    return reviews_of(door).contact_of(user, item_id)


@router.post("/api/reviews/{item_id}/reviewed", responses={404: NOT_HERE})
def mark_reviewed(item_id: ItemId, body: Finding, user: Reviewer, door: Door
                  ) -> dict[str, Any]:
    """Write the review's finding on the item."""
    return reviews_of(door).mark_reviewed(user, item_id, body.finding)


@router.post("/api/reviews/{item_id}/close", responses={404: NOT_HERE})
def close_item(item_id: ItemId, body: Close, user: Reviewer, door: Door) -> dict[str, Any]:
    """Close the item by the pathway version whose change note mentions it."""
    return reviews_of(door).close(user, item_id, body.version, body.pathway)


@router.post("/api/reviews/{item_id}/reason", responses={404: NOT_HERE})
def check_reason(item_id: ItemId, body: ReasonCheck, user: Supervisor, door: Door
                 ) -> dict[str, Any]:
    """Confirm the item's free-text reason free of personal details, or rewrite it."""
    return reviews_of(door).check_reason(user, item_id, body.state, body.rewritten)


@router.get("/api/audits/form")
def audit_form(user: Supervisor, door: Door) -> dict[str, Any]:
    """The audit form as its file now is."""
    return audits_of(door).form().model_dump()


@router.get("/api/audits/{month}")
def audit_sample(month: Month, user: Supervisor, door: Door) -> dict[str, Any]:
    """The month's recorded audit sample."""
    return audits_of(door).recorded(user, month)


@router.post("/api/audits/{month}/sample")
def draw_sample(month: Month, body: DrawSample, user: Supervisor, door: Door
                ) -> dict[str, Any]:
    """Draw the month's sample (from ``seed``, or a random one), or give the one recorded."""
    return audits_of(door).sample(user, month, body.seed)


@router.post("/api/audits/{month}/contacts/{contact_id}/score")
def score_contact(month: Month, contact_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
                  body: Score, user: Supervisor, door: Door) -> dict[str, Any]:
    """Score a sampled contact on the audit form; findings marked ``review`` enter the
    review queue."""
    return audits_of(door).score(user, month, contact_id, body.answers,
                                 [f.model_dump() for f in body.findings])
