"""The review queue and audit pages of the screen, for practice leads (designers) and
supervisors:

- ``/reviews?view=open|overdue|closed`` the queue; ``/reviews/{id}`` one item, with the
  forms to write its finding, close it by a pathway version and (supervisors) check its
  reason; supervisors see the contact it is about there (a recorded read);
- ``/audits/{month}`` (supervisors) the month's sample, or the form to draw it;
  ``/audits/{month}/contacts/{id}`` the audit form for one sampled contact.

Handlers and managers get the page that says their role cannot do this (403). Every form
is answered with a redirect once saved; whatever the service refuses is shown as its page
from the one error table.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from api.service import Role, User
from api.service.reviews import Audits, Reviews
from api.web.notices import Notice
from api.web.routing import Router
from api.web.screen import Screen
from triage.errors import StorageRefused

REVIEWERS = (Role.DESIGNER, Role.SUPERVISOR)
VIEWS = (("open", "Open"), ("overdue", "Overdue"), ("closed", "Closed"))
SOURCES = {"override": "Override", "red_flag_changed": "Red-flag answer changed",
           "no_route": "No route fitted", "refusal_pattern": "Refused answers",
           "audit_finding": "Audit finding"}



def _reviews(screen: Screen, request: Request) -> Reviews:
    reviews = screen.door(request).reviews
    if reviews is None:
        raise StorageRefused(reason="this store keeps no review queue")
    return reviews


def _audits(screen: Screen, request: Request) -> Audits:
    audits = screen.door(request).audits
    if audits is None:
        raise StorageRefused(reason="this store keeps no audits")
    return audits


def _number(request: Request, name: str) -> int | None:
    text = str(request.path_params.get(name, ""))
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


def add_review_pages(router: Router) -> None:
    """``/reviews``, ``/reviews/{id}`` and its forms, ``/audits/{month}`` and its forms."""
    screen = router.screen

    @router.role_page("/reviews", *REVIEWERS)
    def queue(request: Request, user: User) -> Response:
        view = request.query_params.get("view", "open")
        before = request.query_params.get("before")
        items = _reviews(screen, request).queue(
            user, view, before=int(before) if before and before.isdigit() else None)
        figures = _reviews(screen, request).figures()
        return screen.render(request, "reviews.html", user=user, items=items, view=view,
                             views=VIEWS, sources=SOURCES, figures=figures)

    def not_found(request: Request, user: User) -> Response:
        return screen.problem(request, 404, "There is no review item with this number",
                              "Check the number, or go back to the review queue.", user)

    @router.role_page("/reviews/{item_id}", *REVIEWERS)
    def item(request: Request, user: User) -> Response:
        number = _number(request, "item_id")
        if number is None:
            return not_found(request, user)
        reviews = _reviews(screen, request)
        found = reviews.item(user, number)
        contact: dict[str, Any] | None = None
        if user.role is Role.SUPERVISOR and found.get("contact_id"):
            contact = reviews.contact_of(user, number)
        return screen.render(request, "review_item.html", user=user, item=found,
                             sources=SOURCES, contact=contact,
                             supervisor=user.role is Role.SUPERVISOR)

    @router.role_form("/reviews/{item_id}/reviewed", *REVIEWERS)
    def reviewed(request: Request, user: User, form: FormData) -> Response:
        number = _number(request, "item_id")
        if number is None:
            return not_found(request, user)
        _reviews(screen, request).mark_reviewed(user, number, str(form.get("finding", "")))
        return screen.redirect(request, f"/reviews/{number}",
                               Notice("Finding saved", f"Review #{number} is marked "
                                      "reviewed.", success=True))

    @router.role_form("/reviews/{item_id}/close", *REVIEWERS)
    def close(request: Request, user: User, form: FormData) -> Response:
        number = _number(request, "item_id")
        if number is None:
            return not_found(request, user)
        version = str(form.get("version", "")).strip()
        pathway = str(form.get("pathway", "")).strip() or None
        if not version.isdigit():
            return screen.problem(request, 422, "That could not be done", "Give the pathway "
                                  "version as a number, such as 3.", user)
        _reviews(screen, request).close(user, number, int(version), pathway)
        return screen.redirect(request, f"/reviews/{number}",
                               Notice("Closed", f"Review #{number} is closed.", success=True))

    @router.role_form("/reviews/{item_id}/reason", Role.SUPERVISOR)
    def reason(request: Request, user: User, form: FormData) -> Response:
        number = _number(request, "item_id")
        if number is None:
            return not_found(request, user)
        _reviews(screen, request).check_reason(user, number, str(form.get("state", "")),
                                               str(form.get("rewritten", "")) or None)
        return screen.redirect(request, f"/reviews/{number}",
                               Notice("Reason checked", "Practice leads can now see the "
                                      "reason.", success=True))

    @router.role_page("/audits/{month}", Role.SUPERVISOR)
    def audit(request: Request, user: User) -> Response:
        month = str(request.path_params["month"])
        audits = _audits(screen, request)
        sample = audits.store.audit_sample(month)
        shown = audits.recorded(user, month) if sample is not None else None
        return screen.render(request, "audit.html", user=user, month=month, sample=shown)

    @router.role_form("/audits/{month}/sample", Role.SUPERVISOR)
    def draw(request: Request, user: User, form: FormData) -> Response:
        month = str(request.path_params["month"])
        seed = str(form.get("seed", "")).strip() or None
        _audits(screen, request).sample(user, month, seed)
        return screen.redirect(request, f"/audits/{month}")

    @router.role_page("/audits/{month}/contacts/{contact_id}", Role.SUPERVISOR)
    def score_page(request: Request, user: User) -> Response:
        month = str(request.path_params["month"])
        number = _number(request, "contact_id")
        audits = _audits(screen, request)
        sample = audits.recorded(user, month)
        entry = next((c for c in sample["contacts"] if c["contact_id"] == number), None)
        if entry is None:
            return screen.problem(request, 404, "This contact is not in the sample",
                                  f"Go back to the {month} sample.", user)
        return screen.render(request, "audit_score.html", user=user, month=month,
                             entry=entry, form=audits.form())

    @router.role_form("/audits/{month}/contacts/{contact_id}", Role.SUPERVISOR)
    def score(request: Request, user: User, form: FormData) -> Response:
        month = str(request.path_params["month"])
        number = _number(request, "contact_id") or 0
        audits = _audits(screen, request)
        answers = {q: str(form.get(f"q-{q}", "")) for q in audits.form().questions()}
        findings = []
        step, text = str(form.get("finding_step", "")).strip(), \
            str(form.get("finding_text", "")).strip()
        if step or text:
            findings.append({"step": step, "text": text,
                             "review": form.get("finding_review") == "yes"})
        done = audits.score(user, month, number, answers, findings)
        return screen.redirect(request, f"/audits/{month}", Notice(
            "Scored", f"Contact {number} scored {done['score']} out of {done['out_of']}.",
            success=True))
