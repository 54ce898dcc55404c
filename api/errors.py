"""One table from the project's errors to what the service answers, used by the REST API
and the handler's screen alike: the HTTP status, the error body's ``field`` and reason,
any headers, and the screen's page (title, text and status).

Every class of the tree in :mod:`triage.errors` finds its entry here by its nearest
ancestor that has one (a test walks them all). An entry marked as a *fault* is not the
request's doing (a database or client index that failed, a file that cannot be used): the
REST API answers it with the structured 500 and the screen with its "Sorry" page, and
both log it as a failure (its type and code, never its message). Nothing here knows of a
web framework: :mod:`api.routes.errors` and :mod:`api.web.screen` turn an answer into a
response.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from triage.errors import (
    AuditLogUnusable,
    CallError,
    ChangeFromElsewhere,
    ClientIndexError,
    FileProblems,
    LiveConflict,
    MatrixRefused,
    NotSignedIn,
    NotUnderstood,
    NotYourCall,
    PathwaysNotStored,
    PathwayVersionNotLoaded,
    PublishRefused,
    ReportRefused,
    ReportsUnavailable,
    RestoreError,
    ReviewRefused,
    RoleNotAllowed,
    ServiceRefusal,
    SignInRefused,
    StaleUpdate,
    StorageRefused,
    TooManyAttempts,
    TriageError,
    UnknownCall,
    UnknownContact,
    UnknownReport,
    UnknownReviewItem,
    VersionNotStored,
)

FAULT_REASON = ("The service could not do this just now; nothing was changed. Try again "
                "shortly.")
FAULT_TITLE = "Sorry, something went wrong"
FAULT_TEXT = ("Nothing more was changed. Reload the page to see the call as it was last "
              "saved, or try again shortly.")
NOT_DONE = "That could not be done"
HANDLER_ONLY = ("handler",)


@dataclass(frozen=True)
class Page:
    """The screen's page for an error: its heading, what to do, and its status."""

    title: str
    text: str
    status: int


@dataclass(frozen=True)
class Answer:
    """What the service answers for one error, by the REST API and on the screen."""

    status: int
    field: str
    reason: str
    page: Page
    current_version: int | None = None
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    fault: bool = False

    def body(self) -> dict[str, Any]:
        """The REST API's error body."""
        return {"error": {"field": self.field, "reason": self.reason,
                          "current_version": self.current_version}}


@dataclass(frozen=True)
class Entry:
    """How one class of error (and its subclasses without an entry of their own) is
    answered; each part is worked out from the error itself."""

    status: int
    field: Callable[[Any], str]
    page: Callable[[Any], Page]
    reason: Callable[[Any], str] = str
    current_version: Callable[[Any], int | None] = lambda _exc: None
    headers: Callable[[Any], Mapping[str, str]] = lambda _exc: {}
    fault: bool = False


def fixed(text: str) -> Callable[[Any], str]:
    """A part that is the same for every error of its class."""
    return lambda _exc: text


def fault() -> Entry:
    """A failure that is not the request's doing: the structured 500 and the Sorry page."""
    return Entry(500, fixed("service"), lambda _exc: Page(FAULT_TITLE, FAULT_TEXT, 500),
                 reason=fixed(FAULT_REASON), fault=True)


REPORTERS = ("manager", "supervisor")


def _role_page(exc: RoleNotAllowed) -> Page:
    if exc.allowed == HANDLER_ONLY:
        return Page("This screen is for call handlers",
                    f"You are signed in as a {exc.role}. Calls are run by call handlers; "
                    "sign out and sign in as a handler to take a call.", 403)
    if set(exc.allowed) == set(REPORTERS):
        return Page("Reports are for managers and supervisors",
                    f"You are signed in as a {exc.role}. Reports are for managers and "
                    "supervisors.", 403)
    return Page("Your role cannot do this", str(exc), 403)


def _form_page(exc: ChangeFromElsewhere) -> Page:
    if exc.sign_in:
        return Page("This form could not be accepted", "The sign-in form had expired or "
                    "did not come from this service. Go to the sign-in page and sign in "
                    "again.", 403)
    return Page("This form could not be accepted", "The form was out of date or did not "
                "come from this service. Go back, reload the page and try again; nothing "
                "was changed.", 403)


def _not_yours_reason(exc: NotYourCall) -> str:
    return (f"{exc} To take it over, send POST /api/calls/{exc.call_id}/take-over with the "
            "call's version and your reason (a 409 answer gives the current version).")


TABLE: Mapping[type[TriageError], Entry] = {
    # --- the request, or the call, cannot be taken as it is ---------------------------------
    CallError: Entry(422, lambda exc: exc.step or exc.field,
                     lambda exc: Page(NOT_DONE, str(exc), 422)),
    NotUnderstood: Entry(422, fixed("request"), lambda exc: Page(NOT_DONE, str(exc), 422)),
    # The designers' route matrix (no route serves it yet): the facts named cannot be drawn.
    MatrixRefused: Entry(422, fixed("by"), lambda exc: Page(NOT_DONE, str(exc), 422)),
    RestoreError: Entry(409, fixed("call"), lambda exc: Page(
        "This call cannot be continued here", str(exc), 409)),
    PathwayVersionNotLoaded: Entry(409, fixed("pathway"), lambda exc: Page(
        "This call cannot be continued here", str(exc), 409)),
    # --- what the service refuses ----------------------------------------------------------
    ServiceRefusal: Entry(422, fixed("request"), lambda exc: Page(NOT_DONE, str(exc), 422)),
    NotSignedIn: Entry(401, fixed("authorization"), lambda _exc: Page(
        "Sign in first", "You are not signed in, or your session has expired. Sign in to "
        "carry on.", 401), headers=lambda _exc: {"WWW-Authenticate": "Bearer"}),
    RoleNotAllowed: Entry(403, fixed("role"), _role_page),
    ChangeFromElsewhere: Entry(403, fixed("origin"), _form_page),
    SignInRefused: Entry(401, fixed("password"), lambda _exc: Page(
        "Sign in", "The user name or password is wrong", 401)),
    TooManyAttempts: Entry(
        429, lambda exc: "username" if exc.limit == "user name" else "address",
        lambda exc: Page("Sign in", str(exc), 429),
        headers=lambda exc: {"Retry-After": str(exc.retry_after)}),
    UnknownCall: Entry(404, fixed("call_id"), lambda _exc: Page(
        "There is no call with this reference", "Check the reference, or start a new call.",
        404), reason=fixed("There is no call with this id.")),
    UnknownContact: Entry(404, fixed("contact_id"), lambda _exc: Page(
        "There is no contact record with this reference", "Check the reference.", 404),
        reason=fixed("There is no contact record with this id.")),
    NotYourCall: Entry(403, fixed("call_id"), lambda exc: Page(
        f"This call belongs to {exc.owner_name}", str(exc), 403), reason=_not_yours_reason),
    StaleUpdate: Entry(409, fixed("version"), lambda _exc: Page(
        "The call had changed", "This call was changed (in another tab or window) after "
        "this page was loaded, so your last change was not saved. This page shows the call "
        "as it is now: check it, then answer again if you need to.", 409),
        current_version=lambda exc: exc.current_version),
    PathwaysNotStored: Entry(503, fixed("pathways"), lambda exc: Page(
        "The new pathway versions were not taken up", str(exc), 503)),
    StorageRefused: Entry(503, fixed("service"), lambda exc: Page(
        "The change could not be saved", str(exc), 503)),
    # Publishing and rolling back (the live pointer): refused, the live version unchanged.
    PublishRefused: Entry(422, lambda exc: exc.field, lambda exc: Page(
        "The live version was not changed", str(exc), 422)),
    VersionNotStored: Entry(404, fixed("version"), lambda exc: Page(
        "There is no such pathway version", str(exc), 404)),
    LiveConflict: Entry(409, fixed("expected_live"), lambda exc: Page(
        "Someone else changed the live version", str(exc), 409),
        current_version=lambda exc: exc.live_version),
    # The review queue and audits (issue 14).
    UnknownReviewItem: Entry(404, fixed("item_id"), lambda _exc: Page(
        "There is no review item with this number", "Check the number, or go back to the "
        "review queue.", 404)),
    ReviewRefused: Entry(422, lambda exc: exc.field, lambda exc: Page(NOT_DONE, str(exc), 422)),
    ReportRefused: Entry(422, lambda exc: exc.field, lambda exc: Page(NOT_DONE, str(exc), 422)),
    ReportsUnavailable: Entry(503, fixed("reports"), lambda exc: Page(
        "Reports are unavailable", str(exc), 503)),
    UnknownReport: Entry(404, lambda exc: exc.field, lambda exc: Page(
        "There is no such report", str(exc), 404)),
    # --- faults: not the request's doing ---------------------------------------------------
    FileProblems: fault(),
    ClientIndexError: fault(),
    AuditLogUnusable: fault(),
}


def entry_for(kind: type[BaseException]) -> Entry:
    """The entry for an error class: its own, or its nearest ancestor's below the root;
    LookupError if there is none (a class of the tree the table has not been told of)."""
    for ancestor in kind.__mro__:
        if ancestor is TriageError:
            break
        found = TABLE.get(ancestor)
        if found is not None:
            return found
    raise LookupError(f"{kind.__name__} has no entry in the error table (api/errors.py); "
                      "add one for it or for a family it belongs to.")


def answer_for(exc: TriageError) -> Answer:
    """What the service answers for ``exc``."""
    entry = entry_for(type(exc))
    return Answer(status=entry.status, field=entry.field(exc), reason=entry.reason(exc),
                  page=entry.page(exc), current_version=entry.current_version(exc),
                  headers=dict(entry.headers(exc)), fault=entry.fault)
