"""What the OpenAPI document says beyond the routes themselves: the error body, the
answers each operation may give, and the links from one operation to the next (which a
client, and the property-based tests' stateful phase, follow)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.routes.bodies import MAX_BODY
from api.service import CallState

TITLE = "Front-door triage"
DESCRIPTION = (
    "Guided front-door calls for adult social care. Every route except /health, POST "
    "/api/session (signing in) and /assets needs a signed-in user, and so does this "
    "document. A change signed in by the session cookie (rather than a bearer token) must "
    "come from this service's own pages (Origin, Referer or Sec-Fetch-Site).")


class ErrorBody(BaseModel):
    """A refused request: which field, why, and for a stale update the current version."""

    field: str
    reason: str
    current_version: int | None = None


class ErrorOut(BaseModel):
    """The body of every error response."""

    error: ErrorBody


def error_doc(description: str) -> dict[str, Any]:
    """An error response in the OpenAPI document."""
    return {"model": ErrorOut, "description": description}


EVERY_OPERATION: dict[int | str, dict[str, Any]] = {
    401: error_doc("Not signed in, or the session has expired."),
    403: error_doc("Signed in with a role that may not do this, the call belongs to another "
                   "handler, or a change signed by the cookie came from another site."),
    413: error_doc(f"The body is larger than {MAX_BODY} bytes."),
    422: error_doc("A malformed body (not JSON, not UTF-8, a wrong type or an unknown "
                   "field), or a request the call cannot take; `field` names what was "
                   "wrong."),
    500: error_doc("Something outside the request failed (the database, say); nothing was "
                   "changed.")}
"""The answers any operation may give (the app's own ``responses``)."""

NO_CALL: dict[int | str, dict[str, Any]] = {404: error_doc("There is no call with this id.")}
CALL_MOVED: dict[int | str, dict[str, Any]] = {409: error_doc(
    "The call has moved on since `version` (the error's `current_version` says where it "
    "is now), or it was started on a pathway version that is not loaded.")}
NOT_LOADED: dict[int | str, dict[str, Any]] = {409: error_doc(
    "The call was started on a pathway version that is not loaded.")}

CALL_STATE_DOC: dict[int | str, dict[str, Any]] = {200: {
    "model": CallState,
    "description": "The call now. At a person check, `last_search` is the latest search "
                   "made there: the details given, the people found, advice and what is "
                   "missing."}}


def call_links(*targets: str) -> dict[str, Any]:
    """OpenAPI links from an answer holding a call state to the operations on that call,
    so a client (or a property-based test) can chain "start a call" into "answer it"."""
    call_id = {"call_id": "$response.body#/call_id"}
    versioned = {"version": "$response.body#/version"}
    bodies: dict[str, dict[str, Any]] = {
        "get_call": {},
        "answer": {**versioned, "step": "$response.body#/step/step_id"},
        "back": versioned,
        "change": versioned,
        "search": versioned,
        "finish": versioned,
        "take_over": versioned,
        "send_link": {},
    }
    links: dict[str, Any] = {}
    for target in targets:
        link: dict[str, Any] = {"operationId": target, "parameters": call_id,
                                "description": f"{target.replace('_', ' ')} this call"}
        if bodies[target]:
            link["requestBody"] = bodies[target]
        links[target] = link
    if "answer" in targets:
        links["answer_with_first_choice"] = {
            "operationId": "answer", "parameters": call_id,
            "description": "Answer the current question with its first choice.",
            "requestBody": {**bodies["answer"],
                            "answer": "$response.body#/step/choices/0/code"}}
    return links


ON_A_CALL = ("get_call", "answer", "back", "change", "search", "finish", "take_over",
             "send_link")


def state_doc(status: int = 200) -> dict[int | str, dict[str, Any]]:
    """An answer with the call's state, linked to the operations on the call."""
    return {status: {**CALL_STATE_DOC[200], "links": call_links(*ON_A_CALL)}}


def call_doc(*, changes: bool = True) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI responses of an operation on a call that answers with its state: 404,
    and 409 for a change made from an old version (or a call that cannot be restored)."""
    return {**state_doc(), **NO_CALL, **(CALL_MOVED if changes else NOT_LOADED)}
