"""A handler's calls (``/api/calls``): start, read, answer, go back, correct, search for
the person; in the wrap-up confirm the person, add a further need and see the person's
earlier contacts; finish with the contact records, take over, and send the outcome's
link."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from api.routes.bodies import (
    Answer,
    Change,
    ConfirmPerson,
    Finish,
    Search,
    SendLink,
    StartCall,
    TakeOver,
    Versioned,
)
from api.routes.dependencies import Door, Handler
from api.routes.openapi import CALL_MOVED, NO_CALL, NOT_LOADED, call_doc, state_doc
from api.service import CallState, Override
from api.service.state import shown_candidates
from triage.matching.port import SearchDetails
from triage.plaindata import plain

router = APIRouter(prefix="/api/calls", tags=["calls"])


def state_out(state: CallState) -> dict[str, Any]:
    """A call state as JSON-ready values."""
    out: dict[str, Any] = plain(state)
    return out


@router.post("", status_code=201, responses=state_doc(201))
def start_call(body: StartCall, user: Handler, door: Door) -> dict[str, Any]:
    """Start a call, optionally with facts already known."""
    return state_out(door.calls.start(user, body.pathway, body.facts, body.language))


@router.get("", responses={200: {
    "description": "Your calls, newest first.",
    "links": {"get_call": {"operationId": "get_call", "description": "The newest call.",
                           "parameters": {"call_id": "$response.body#/0/call_id"}}}}})
def my_calls(user: Handler, door: Door,
             status: Literal["active", "finished"] = "active") -> list[dict[str, Any]]:
    """Your own calls, newest first: those in progress, or those finished today (at
    most 50). Where each call is, but no personal details."""
    return [plain(summary) for summary in door.calls.mine(user, status)]


@router.get("/{call_id}", responses=call_doc(changes=False))
def get_call(call_id: str, user: Handler, door: Door) -> dict[str, Any]:
    """The call now: words to read, the question and answers, or the outcome."""
    return state_out(door.calls.get(user, call_id))


@router.post("/{call_id}/answer", responses=call_doc())
def answer(call_id: str, body: Answer, user: Handler, door: Door) -> dict[str, Any]:
    """Answer the current step; committed before the response."""
    return state_out(door.calls.answer(user, call_id, body.version, body.step, body.answer))


@router.post("/{call_id}/back", responses=call_doc())
def back(call_id: str, body: Versioned, user: Handler, door: Door) -> dict[str, Any]:
    """Go back to the previous question."""
    return state_out(door.calls.back(user, call_id, body.version))


@router.post("/{call_id}/change", responses=call_doc())
def change(call_id: str, body: Change, user: Handler, door: Door) -> dict[str, Any]:
    """Correct an earlier answer, saying why; answers that no longer apply are dropped.
    The trail keeps the answer superseded, who changed it, when and why. A red-flag answer
    changed after the call reached an escalation needs ``reason`` (refused without, the
    call unchanged) and is flagged on the contact record."""
    return state_out(door.calls.change(user, call_id, body.version, body.step, body.answer,
                                       body.reason))


@router.post("/{call_id}/needs", responses=call_doc())
def add_need(call_id: str, body: Versioned, user: Handler, door: Door) -> dict[str, Any]:
    """In the wrap-up, record a further need on the call: a linked contact for another
    reason, starting at the reason question with the caller, red-flag answers and person
    carried over. Refused before the call reaches its outcome. Of two handlers adding a
    need from one version, one wins; the other gets 409 with the current version."""
    return state_out(door.calls.add_need(user, call_id, body.version))


@router.post("/{call_id}/person", responses=call_doc())
def confirm_person(call_id: str, body: ConfirmPerson, user: Handler,
                   door: Door) -> dict[str, Any]:
    """In the wrap-up after an escalation, the person check: search first
    (``/search``), then confirm a person found by id, or answer not_known /
    possible_match. The outcome is not routed again. The person's earlier contacts
    come back in ``wrap_up.earlier_contacts``."""
    return state_out(door.calls.confirm_person(user, call_id, body.version, body.answer))


@router.get("/{call_id}/earlier-contacts", responses={**NO_CALL, **NOT_LOADED})
def earlier_contacts(call_id: str, user: Handler, door: Door) -> list[dict[str, Any]]:
    """The confirmed person's contacts of the last 28 days, newest first: when, reason,
    outcome, team and whether still open. Each view is audited."""
    return door.calls.earlier_contacts(user, call_id)


@router.post("/{call_id}/search", responses=call_doc())
def search(call_id: str, body: Search, user: Handler, door: Door) -> dict[str, Any]:
    """Search for the person at the person check; confirm by answering with an id (or,
    when correcting the person check with ``step``, by changing its answer)."""
    details = SearchDetails(**body.model_dump(exclude={"version", "step"}))
    state, result = door.calls.search(user, call_id, body.version, details, body.step)
    out = state_out(state)
    out["search"] = {
        "missing": list(result.missing), "advice": result.advice,
        "candidates": plain(shown_candidates(result.candidates))}
    return out


@router.post("/{call_id}/finish", responses={
    200: {"description": "The contact record, as written.", "links": {
        "send_link": {"operationId": "send_link", "description": "Send the link.",
                      "parameters": {"call_id": "$request.path.call_id"}},
        "get_call": {"operationId": "get_call", "description": "The finished call.",
                     "parameters": {"call_id": "$request.path.call_id"}}}},
    **NO_CALL, **CALL_MOVED})
def finish(call_id: str, body: Finish, user: Handler, door: Door) -> dict[str, Any]:
    """Finish the call from its wrap-up and write its contact records, one per need,
    linked. An override of the suggested outcome needs a reason. After an escalation
    that ended before the person check, do the check or give ``without_person_check``."""
    override = Override(**body.override.model_dump()) if body.override else None
    return door.contacts.finish(user, call_id, body.version, override,
                                body.without_person_check)


@router.post("/{call_id}/take-over", responses=call_doc())
def take_over(call_id: str, body: TakeOver, user: Handler, door: Door) -> dict[str, Any]:
    """Take over another handler's call, saying why; the call's record keeps who took
    it from whom, when and why."""
    return state_out(door.calls.take_over(user, call_id, body.version, body.reason))


@router.post("/{call_id}/send-link", responses={**NO_CALL, **NOT_LOADED})
def send_link(call_id: str, body: SendLink, user: Handler, door: Door) -> dict[str, str]:
    """Send the outcome's online link by text or email (says 'not sent' if it was not)."""
    return door.links.send(user, call_id, body.to, body.by)
