"""Every error the project raises on purpose, in one tree, in this module.

    TriageError                  everything raised on purpose (the one root)
    ├── FileProblems             a file the project reads cannot be used
    │   ├── PathwayProblems      pathway, script, facts or directory files (each located)
    │   ├── MappingError         a client-index column-mapping file
    │   └── AuditFormProblems    the audit form file (each problem located)
    ├── NotUnderstood            a piece of text is not what it should be
    │   ├── ExpressionError      a condition or calculation
    │   ├── TimeframeError       a timeframe
    │   ├── PlaceholderError     words with a malformed {placeholder}
    │   └── DateNotRead          a date
    ├── CallError                a request on a call was refused; the call is unchanged
    │   ├── InvalidAnswer        the answer does not fit the question
    │   │   └── AnswerRejected   ... found before it is known which step it was for
    │   ├── StepNotCurrent       the answer is for a step the call is not at
    │   ├── CannotGoBack         there is no earlier answer to go back to
    │   ├── CallFinished         the call has already reached an outcome
    │   ├── NoRouteMatched       no route fits the answers (a gap the validator missed)
    │   └── LookupRefused        a person search or confirmation cannot be made
    ├── ClientIndexError         the client index cannot do what was asked
    │   ├── ImportRejected       an import found problems; the index is unchanged
    │   ├── StorageError         the index database cannot be opened or used
    │   └── RequestError         a command or call gave an impossible argument
    ├── AuditLogUnusable         the audit log cannot be written, so a command stops
    ├── MatrixRefused            a route matrix cannot be drawn for the facts named
    ├── RestoreError             a saved call cannot be restored (the saved data is kept)
    │   └── PathwayVersionNotLoaded
    └── ServiceRefusal           the service would not do a request; nothing was changed
        ├── NotSignedIn          no session, or it has expired or been ended
        ├── RoleNotAllowed       the signed-in user's role may not do this
        ├── ChangeFromElsewhere  a cookie-signed change did not come from the service's pages
        ├── SignInRefused        the user name or password is wrong
        ├── TooManyAttempts      too many failed sign-ins: wait, then try again
        ├── UnknownCall          no call has this id
        ├── UnknownContact       no contact record has this id
        ├── NotYourCall          the call belongs to another handler
        ├── StaleUpdate          the call changed since the version a change was made from
        ├── PathwaysNotStored    new pathway versions validated but could not be stored
        ├── StorageRefused       the service's database refused a change
        ├── PublishRefused       a version was not made live; the live version is unchanged
        │   ├── DraftNotPublishable   the version is a draft
        │   ├── VersionNotStored      the version is not stored, or not loaded
        │   ├── VersionNotValid       the version does not validate
        │   └── LessSafeThanLive      routes that escalated now end early, with no waiver
        ├── LiveConflict         another designer moved the live version first
        ├── UnknownReviewItem    no review item has this id
        ├── ReviewRefused        a review item or audit change was refused as asked
        ├── ReportRefused        a report request's period or filter cannot be used
        ├── ReportsUnavailable   the reports database (a read replica) cannot be reached
        └── UnknownReport        no report, or no figure of it, has this name

Messages are full sentences that a handler, designer or tester can act on; context is
kept in keyword-only attributes. The service and the screen map this tree to HTTP
statuses and pages in one table (:mod:`api.errors`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from triage.problems import Problem


class TriageError(Exception):
    """Base class for every error the engine raises on purpose."""


class FileProblems(TriageError):
    """A file the project reads cannot be used; the message says where and why."""


class PathwayProblems(FileProblems):
    """One or more pathway, script or settings files have problems."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in pathway files:\n{lines}")


class CallError(TriageError):
    """A request on a call was refused and the call was left exactly as it was."""

    def __init__(self, message: str, *, step: str | None = None, field: str = "answer") -> None:
        self.step = step
        self.field = field
        self.reason = message
        super().__init__(message)


class InvalidAnswer(CallError):
    """The answer does not fit the question's type, options or range."""


class AnswerRejected(InvalidAnswer):
    """An answer that does not fit, found by checking it alone (before the engine knows
    which step it was for: it raises :class:`InvalidAnswer` with the step)."""


class StepNotCurrent(CallError):
    """The answer was given for a step the call is not at."""


class CannotGoBack(CallError):
    """There is no earlier answer to go back to."""


class CallFinished(CallError):
    """The call has reached an outcome and takes no more answers."""


class NoRouteMatched(CallError):
    """No route fits the answers given."""


class LookupRefused(CallError):
    """A person search or confirmation cannot be made as asked."""


class NotUnderstood(TriageError, ValueError):
    """A piece of text is not what it should be; the message says why in a sentence.

    It is also a ``ValueError``, as reading text that is not a value of its kind is.
    """


class ExpressionError(NotUnderstood):
    """A condition or calculation cannot be used."""


class TimeframeError(NotUnderstood):
    """A timeframe is not one of the forms the engine counts."""


class PlaceholderError(NotUnderstood):
    """Words hold a brace that is not a plain {placeholder}."""


class DateNotRead(NotUnderstood):
    """A text is not a date in any form this project reads."""


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One problem found in an import file: which row, which field, and why."""

    row: int | None
    field: str | None
    reason: str

    def render(self, source: str = "") -> str:
        """Render as ``source:ROW: field: reason`` (parts that are unknown are left out)."""
        where = source
        if self.row is not None:
            where = f"{where}:{self.row}" if where else f"row {self.row}"
        parts = [p for p in (where, self.field) if p]
        return ": ".join([*parts, self.reason])


class ClientIndexError(TriageError):
    """The client index, its importer or its storage cannot do what was asked."""


class MappingError(FileProblems, ClientIndexError):
    """A column-mapping file is unreadable or names unknown fields or columns."""

    def __init__(self, message: str, *, path: str = "", field: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.field = field


class ImportRejected(ClientIndexError):
    """An import found problems, so nothing was written and the index is unchanged."""

    def __init__(self, problems: tuple[ImportProblem, ...] | list[ImportProblem], *,
                 source: str = "") -> None:
        self.problems = tuple(problems)
        self.source = source
        count = len(self.problems)
        lines = [p.render(source) for p in self.problems[:50]]
        more = f"\n... and {count - 50} more." if count > 50 else ""
        noun = "problem" if count == 1 else "problems"
        super().__init__(
            f"The import of {source or 'the file'} was rejected with {count} {noun}; "
            "the client index is unchanged.\n" + "\n".join(lines) + more
        )


class StorageError(ClientIndexError):
    """The index database cannot be opened, created or queried."""


class RequestError(ClientIndexError):
    """A command or call was given an argument that cannot be used."""


class AuditLogUnusable(TriageError):
    """The audit log file cannot be opened or written, so the command stops."""

    def __init__(self, path: str, setting: str, exc: OSError) -> None:
        self.path = path
        super().__init__(
            f"Cannot write the audit log '{path}' ({setting}): {exc.strerror or exc}. "
            f"Set {setting} to a file in a folder that exists and that you can write to, "
            "or unset it. The command was stopped, because what it does must be audited.")


class MatrixRefused(TriageError):
    """A route matrix cannot be drawn for the facts named (unknown, too many values)."""


class RestoreError(TriageError):
    """A saved call cannot be restored; the saved data is untouched."""


class PathwayVersionNotLoaded(RestoreError):
    """The pathway version a saved call started on is not loaded."""

    def __init__(self, pathway_id: str, version: int, loaded: Sequence[int]) -> None:
        self.pathway_id = pathway_id
        self.version = version
        self.loaded = tuple(loaded)
        have = ", ".join(str(v) for v in self.loaded) or "none"
        super().__init__(
            f"This call was started on pathway '{pathway_id}' version {version}, which is not "
            f"loaded (loaded versions: {have}). Load that version to continue the call; "
            "the saved call has been kept as it was."
        )


class ServiceRefusal(TriageError):
    """The service would not do what a request asked; nothing was read or changed."""


class NotSignedIn(ServiceRefusal):
    """Nobody is signed in: there was no session, or it has expired or been ended."""

    def __init__(self) -> None:
        super().__init__("Sign in first (or your session has expired).")


class RoleNotAllowed(ServiceRefusal):
    """The signed-in user's role may not do this."""

    def __init__(self, *, role: str, allowed: Sequence[str]) -> None:
        self.role = role
        self.allowed = tuple(allowed)
        super().__init__(f"This needs the role {' or '.join(self.allowed)}; you are signed "
                         f"in as a {role}.")


class ChangeFromElsewhere(ServiceRefusal):
    """A change signed by the session cookie did not say it came from this service's own
    pages (or a form's CSRF token was wrong), so it was not made."""

    def __init__(self, *, sign_in: bool = False) -> None:
        self.sign_in = sign_in  # the sign-in form (which has no session yet)
        super().__init__(
            "This change was refused because the browser did not say it came from this "
            "service's own pages (no matching Origin, Referer or Sec-Fetch-Site header); "
            "nothing was changed. Send it from this service, or sign in with a bearer token "
            "instead of the cookie.")


class SignInRefused(ServiceRefusal):
    """The user name or the password is wrong (which of them is not said)."""

    def __init__(self) -> None:
        super().__init__("The user name or password is wrong.")


def _wait_words(seconds: int) -> str:
    """'2 minutes', '1 minute' or '45 seconds': how long to wait, rounded up."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class TooManyAttempts(ServiceRefusal):
    """Too many failed sign-ins for this user name or from this address: wait, then try."""

    def __init__(self, *, retry_after: int, limit: str) -> None:
        self.retry_after = retry_after
        self.limit = limit  # "user name" or "address"
        super().__init__(f"Too many attempts. Wait {_wait_words(retry_after)}, then try "
                         "again.")


class UnknownCall(ServiceRefusal):
    """No call has this id."""

    def __init__(self, *, call_id: str) -> None:
        self.call_id = call_id
        super().__init__(f"There is no call with the id '{call_id[:64]}'.")


class UnknownContact(ServiceRefusal):
    """No contact record has this id."""

    def __init__(self, *, contact_id: int) -> None:
        self.contact_id = contact_id
        super().__init__(f"There is no contact record with the id {contact_id}.")


class NotYourCall(ServiceRefusal):
    """The call belongs to another handler: ask them to carry on with it, or take it over."""

    def __init__(self, *, call_id: str, owner: str, owner_name: str, version: int,
                 updated_at: dt.datetime | None, finished: bool = False) -> None:
        self.call_id = call_id
        self.owner = owner
        self.owner_name = owner_name
        # For the screen's take-over form; the API does not tell other handlers.
        self.version = version
        self.updated_at = updated_at
        self.finished = finished
        super().__init__(f"This call belongs to {owner_name}, who started it or took it "
                         "over. Ask them to carry on with it, or, if they cannot, take it "
                         "over and say why.")


class StaleUpdate(ServiceRefusal):
    """The call changed since the version the change was made from."""

    def __init__(self, *, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(f"The call has changed since the version you had; it is now at "
                         f"version {current_version}. Reload it and try again.")


class PathwaysNotStored(ServiceRefusal):
    """New pathway versions validated but could not be stored, so none was taken up."""

    def __init__(self, *, versions: Sequence[str], reason: str) -> None:
        self.versions = tuple(versions)
        self.reason = reason
        super().__init__(
            f"The new pathway versions ({', '.join(self.versions)}) validated, but could not "
            f"be stored in the database ({reason}), so none of them was taken up and the "
            "versions in use are unchanged. Try again once the database accepts changes.")


class StorageRefused(ServiceRefusal):
    """The service's database refused a change (or could not be reached); the change was
    not made."""

    def __init__(self, *, reason: str) -> None:
        self.reason = reason
        super().__init__(f"The service's database refused the change ({reason}); nothing "
                         "was changed.")


class PublishRefused(ServiceRefusal):
    """A pathway version was not made live (published or rolled back to); the live version
    is unchanged."""

    def __init__(self, message: str, *, pathway_id: str, version: int,
                 problems: Sequence[str] = (), field: str = "version") -> None:
        self.pathway_id = pathway_id
        self.version = version
        self.problems = tuple(problems)
        self.field = field
        super().__init__(message)


class UnknownReviewItem(ServiceRefusal):
    """No review item has this id."""

    def __init__(self, *, item_id: int) -> None:
        self.item_id = item_id
        super().__init__(f"There is no review item with the id {item_id}.")


class ReviewRefused(ServiceRefusal):
    """A change to a review item or an audit was refused as asked; nothing was changed."""

    def __init__(self, message: str, *, field: str) -> None:
        self.field = field
        super().__init__(message)


class DraftNotPublishable(PublishRefused):
    """The version is a draft: it may be published only once it is marked ready."""

    def __init__(self, *, pathway_id: str, version: int) -> None:
        super().__init__(
            f"Version {version} of '{pathway_id}' is a draft, so it cannot be published; the "
            "live version is unchanged. Mark it ready (status: ready in its file) after "
            "review, then publish it.", pathway_id=pathway_id, version=version)


class VersionNotStored(PublishRefused):
    """The version is not among the versions the service has stored and loaded."""

    def __init__(self, *, pathway_id: str, version: int, loaded: Sequence[int],
                 why: str = "") -> None:
        self.loaded = tuple(loaded)
        have = ", ".join(str(v) for v in self.loaded) or "none"
        super().__init__(
            f"Version {version} of '{pathway_id}' is not stored in the service (versions "
            f"stored and loaded: {have}){why}; the live version is unchanged.",
            pathway_id=pathway_id, version=version)


class VersionNotValid(PublishRefused):
    """The version does not validate, so it cannot be made live."""

    def __init__(self, *, pathway_id: str, version: int, problems: Sequence[str]) -> None:
        lines = "; ".join(problems)
        super().__init__(
            f"Version {version} of '{pathway_id}' does not validate ({len(problems)} "
            f"problem(s)), so it cannot be made live; the live version is unchanged: {lines}",
            pathway_id=pathway_id, version=version, problems=problems)


class LessSafeThanLive(PublishRefused):
    """Answer combinations that reached an escalation in the live version end early in the
    candidate, and its change note records no signed waiver for them."""

    def __init__(self, *, pathway_id: str, version: int, live_version: int,
                 routes: Sequence[str]) -> None:
        self.live_version = live_version
        lines = "; ".join(routes)
        super().__init__(
            f"Version {version} of '{pathway_id}' is less safe than live version "
            f"{live_version}: {len(routes)} answer combination(s) that reached an "
            f"escalation now end early, with no signed waiver, so it was not published and "
            f"the live version is unchanged. Restore their escalation, or record a signed "
            f"waiver for each route in the pathway's waivers: {lines}",
            pathway_id=pathway_id, version=version, problems=routes)


class LiveConflict(ServiceRefusal):
    """The live version is not the one the designer saw: someone else published or rolled
    back first, so this change was not made."""

    def __init__(self, *, pathway_id: str, expected: int | None, live_version: int | None,
                 published_by: str | None, published_at: dt.datetime | None) -> None:
        self.pathway_id = pathway_id
        self.expected = expected
        self.live_version = live_version
        self.published_by = published_by
        self.published_at = published_at
        saw = f"version {expected}" if expected is not None else "no live version"
        now = (f"version {live_version}, made live by {published_by} at "
               f"{published_at.isoformat(timespec='seconds') if published_at else '?'}"
               if live_version is not None else "no version")
        super().__init__(
            f"The live version of '{pathway_id}' has changed since you looked: you saw "
            f"{saw}, and now {now} is live. Nothing was changed; look at the live version "
            "and try again if you still want to.")
class AuditFormProblems(FileProblems):
    """The audit form file has problems (each located as ``file:line:col``)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the audit form:\n{lines}")
class ReportRefused(ServiceRefusal):
    """A report was asked for with a period or filter that cannot be used; the message
    names the field and says what would do."""

    def __init__(self, message: str, *, field: str) -> None:
        self.field = field
        self.reason = message
        super().__init__(message)


class ReportsUnavailable(ServiceRefusal):
    """The reports database (``TRIAGE_REPORTS_DATABASE_URL``, a read replica) cannot be
    reached, so no report or export can be read; calls carry on, on the primary."""

    def __init__(self, *, reason: str) -> None:
        self.reason = reason
        super().__init__(f"Reports are unavailable: the reports database cannot be reached "
                         f"({reason}). Calls carry on as normal; try the report again "
                         "shortly.")


class UnknownReport(ServiceRefusal):
    """There is no report (or no figure of the report) with this name."""

    def __init__(self, message: str, *, field: str = "report") -> None:
        self.field = field
        super().__init__(message)
