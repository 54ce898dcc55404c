"""The repository port: everything the service layer keeps, as one small abstract class.

The service's handlers (:mod:`api.service`) see storage only through :class:`Repository`:
calls with row versions, contact records and their reads, the links sent, users with
their sign-in sessions and one-off notices, recent failed sign-in attempts, the files
each pathway version was compiled from, and the live pointer with its history.
:class:`api.storage.SqlRepository` keeps them in SQLite or PostgreSQL; the tests'
in-memory fake subclasses this port, so it cannot drift from the contract.
Nothing here imports a database library.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

T = TypeVar("T")


def utc_now() -> dt.datetime:
    """The current time, UTC."""
    return dt.datetime.now(dt.UTC)


class CallStatus(StrEnum):
    """Whether a stored call is still being taken."""

    ACTIVE = "active"
    FINISHED = "finished"  # its contact record is written; it takes no more changes


@dataclass(frozen=True)
class StoredCall:
    """A call as stored: its saved session and the row version for concurrency checks."""

    call_id: str
    handler: str
    status: str
    row_version: int
    data: dict[str, Any]
    updated_at: dt.datetime | None = None


ContactRows = Sequence[Mapping[str, Any]]
"""A finished call's contact records, one per need, the first need first."""

Update = tuple[Mapping[str, Any], int, ContactRows | None]
"""What a change to a call saves: the session, the version it was made from and, to
finish it, its contact records."""


@dataclass(frozen=True)
class FinishedCall:
    """A call finished outside the service, to store as it is: its saved session, its
    handler's user name and its contact records (one per need, the first first)."""

    session: Mapping[str, Any]
    handler: str
    contacts: ContactRows


@dataclass(frozen=True)
class KeyHistory:
    """What recent sign-in attempts with one key add up to, before the attempt being made."""

    attempts: int
    """Attempts not followed by a success, within the window counted."""
    blocked_until: dt.datetime | None
    """Until when further attempts are refused (None or in the past: they are not)."""


class LiveAction(StrEnum):
    """How a version became live."""

    PUBLISH = "publish"
    ROLLBACK = "rollback"
    SETUP = "setup"  # the first start on a store: the highest ready version


SET_UP = "set-up"
"""Who made a version live at set-up (the first start of the service on a store)."""


@dataclass(frozen=True)
class LiveEntry:
    """One move of a pathway's live pointer: the version made live, how, by whom, when
    and why (no personal data: user names and the designer's own words)."""

    entry_id: int
    pathway_id: str
    version: int
    action: str
    previous_version: int | None
    published_by: str
    published_at: dt.datetime
    reason: str
    replay_report: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the API (the time as ISO 8601, UTC)."""
        return {"entry_id": self.entry_id, "pathway_id": self.pathway_id,
                "version": self.version, "action": self.action,
                "previous_version": self.previous_version,
                "published_by": self.published_by,
                "published_at": self.published_at.isoformat(timespec="seconds"),
                "reason": self.reason, "replay_report": self.replay_report}


Decide = Callable[[Mapping[str, KeyHistory]], tuple[Mapping[str, dt.datetime | None], T]]
"""Given each key's history, the keys to record an attempt under (each with the time
further attempts are blocked until, or None) and a verdict."""


class Repository(ABC):
    """What the service keeps, and the guarantees it relies on.

    Calls carry a row version: a save names the version it was made from and is refused
    with :class:`~triage.errors.StaleUpdate` (giving the current one) if the call has moved
    on, so of two changes from one version exactly one wins. A finished call is saved in
    the same transaction as its contact records (one per need, each after the first
    linked to the first by ``first_contact_id``). A method that changes something changes
    all of it or, on any error, nothing.
    """

    # --- calls ---------------------------------------------------------------------------

    @abstractmethod
    def create_call(self, session: Mapping[str, Any], handler: str) -> int:
        """Store a new call at row version 1."""

    @abstractmethod
    def load_call(self, call_id: str) -> StoredCall:
        """The stored call; :class:`~triage.errors.UnknownCall` if there is none."""

    @abstractmethod
    def calls_of(self, handler: str, status: str, *, since: dt.datetime | None = None,
                 limit: int = 100) -> list[StoredCall]:
        """A handler's calls with ``status`` (changed at or after ``since``), the most
        recently changed first, at most ``limit`` of them."""

    @abstractmethod
    def update_call(self, call_id: str, change: Callable[[StoredCall], Update]) -> int:
        """Load a call, let ``change`` work out what to save, and save it; the new version.

        ``change`` returns the session to save, the row version it was made from and, to
        finish the call, its contact records; it may raise to refuse, and then nothing is
        written. The save still checks the row version.
        """

    @abstractmethod
    def save_call(self, session: Mapping[str, Any], expected_version: int,
                  contacts: ContactRows | None = None, *,
                  handler: str | None = None) -> int:
        """Save a changed call if it is still at ``expected_version``; the new version.

        With ``contacts``, the call is finished and its contact records written in the
        same transaction (the first need's first, the others linked to it). With
        ``handler``, the call passes to that user in the same update.
        """

    @abstractmethod
    def record_finished_calls(self, finished: Sequence[FinishedCall]) -> None:
        """Store calls already finished elsewhere (the contact generator) with their
        contact records, all in one transaction or none; a call id already stored is
        refused with :class:`~triage.errors.StorageRefused`."""

    # --- pathway versions in use ---------------------------------------------------------

    @abstractmethod
    def keep_pathway_versions(self, versions: Sequence[tuple[str, int]],
                              files: Mapping[str, str]) -> None:
        """Keep the files these pathway versions were compiled from, all or none (a
        version kept already keeps its first copy); :class:`~triage.errors.StorageRefused`
        if the database will not take them."""

    def keep_pathway_sources(self, pathway_id: str, version: int,
                             files: Mapping[str, str]) -> None:
        """Keep the files one pathway version was compiled from (first copy wins)."""
        self.keep_pathway_versions([(pathway_id, version)], files)

    @abstractmethod
    def pathway_sources(self) -> list[tuple[str, int, str]]:
        """Every kept pathway version: (id, version, files as JSON)."""

    # --- the live pointer ----------------------------------------------------------------

    @abstractmethod
    def live_now(self) -> dict[str, LiveEntry]:
        """The live version of each pathway that has one, by pathway id (one small read:
        every instance polls it)."""

    @abstractmethod
    def set_up_live(self, versions: Mapping[str, int], reason: str) -> list[LiveEntry]:
        """Make each of these versions live, as set-up, for a pathway that has no live
        version yet; a pathway another instance set up first keeps its version. The
        entries made."""

    @abstractmethod
    def move_live(self, pathway_id: str, version: int, *, expected: int | None,
                  action: LiveAction, published_by: str, reason: str,
                  replay_report: str | None = None) -> LiveEntry:
        """Make ``version`` live if ``expected`` is still live (None: if none is), with its
        entry in the history, in one transaction; of two moves from one live version
        exactly one wins. :class:`~triage.errors.LiveConflict` (nothing changed, naming
        what is live now) if the live version is no longer ``expected``."""

    @abstractmethod
    def live_history(self, pathway_id: str) -> list[LiveEntry]:
        """Every move of a pathway's live pointer, the newest first."""

    # --- links sent to callers -----------------------------------------------------------

    @abstractmethod
    def add_message(self, call_id: str, *, channel: str, recipient: str, status: str,
                    username: str, reference: str | None = None,
                    reason: str | None = None) -> dict[str, Any]:
        """Record one attempt to send a call's link (``recipient`` already masked); the
        row as plain data, with its ``message_id`` and ``sent_at`` (ISO 8601, UTC)."""

    @abstractmethod
    def finish_message(self, message_id: int, *, status: str, reference: str | None = None,
                       reason: str | None = None) -> None:
        """Record how an attempt recorded as 'sending' ended;
        :class:`~triage.errors.StorageRefused` if that cannot be written."""

    @abstractmethod
    def messages_of(self, call_id: str) -> list[dict[str, Any]]:
        """Every attempt to send a call's link, oldest first."""

    # --- contact records -----------------------------------------------------------------

    @abstractmethod
    def list_contacts(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Contact records, newest first (summary fields only)."""

    @abstractmethod
    def read_contact(self, contact_id: int, reader: str) -> dict[str, Any] | None:
        """One full contact record with the call's messages, the read recorded in the
        same transaction; None (and nothing recorded) if there is no such record."""

    @abstractmethod
    def contacts_about(self, person_id: str, since: dt.datetime) -> list[dict[str, Any]]:
        """A person's contact records that started at or after ``since``, newest first:
        ``contact_id``, ``call_id``, ``need``, ``started_at``, ``reason``,
        ``outcome_kind`` and ``team`` (the look-up of the person check, by an index)."""

    @abstractmethod
    def reads_of(self, contact_id: int) -> list[dict[str, Any]]:
        """Who read a contact record, and when."""

    # --- users, sign-in sessions and their notices ---------------------------------------

    @abstractmethod
    def put_user(self, username: str, display_name: str, role: str,
                 password_hash: str) -> None:
        """Add or replace a user (their sign-in sessions are kept)."""

    @abstractmethod
    def user(self, username: str) -> dict[str, Any] | None:
        """A user by name: ``username``, ``display_name``, ``role``, ``password_hash``."""

    @abstractmethod
    def remove_users(self, usernames: Sequence[str]) -> int:
        """Remove these users and end their sessions; how many users there were."""

    @abstractmethod
    def add_session(self, token_hash: str, username: str, expires_at: dt.datetime) -> None:
        """Record a signed-in session."""

    @abstractmethod
    def session_user(self, token_hash: str) -> dict[str, Any] | None:
        """The user of an unexpired session, with its ``expires_at``."""

    @abstractmethod
    def end_session(self, token_hash: str) -> None:
        """Sign out."""

    @abstractmethod
    def add_notice(self, token_hash: str, notice: Mapping[str, Any]) -> None:
        """Keep ``notice`` for the session's next page (after any not yet shown)."""

    @abstractmethod
    def take_notices(self, token_hash: str) -> list[dict[str, Any]]:
        """The notices kept for the session's next page, which are then forgotten."""

    # --- sign-in attempts (throttling) ---------------------------------------------------

    @abstractmethod
    def sign_in_secret(self) -> bytes:
        """The key for hashing user names and addresses (one per database)."""

    @abstractmethod
    def sign_in_attempt(self, attempt_id: str, keys: Sequence[str], *, at: dt.datetime,
                        since: dt.datetime, forget_before: dt.datetime,
                        decide: Decide[T]) -> T:
        """Record a sign-in attempt under each of ``keys``, as ``decide`` says, in one
        step that attempts with the same key take one at a time; what ``decide`` worked
        out.

        ``decide`` gets each key's history (attempts since ``since``, and how long it is
        blocked); attempts from before ``forget_before`` are forgotten first.
        """

    @abstractmethod
    def sign_in_succeeded(self, attempt_id: str, user_key: str) -> None:
        """Forget the failed attempts under a user name once it signs in, and this attempt
        everywhere (the failures from its address still count)."""


class ReviewStore(ABC):
    """What the review queue and the audits keep (issue 14): refusals, review items, and
    each month's audit sample and scores. A sample once recorded for a month is that
    month's sample: recording another returns the one recorded first."""

    @abstractmethod
    def record_refusal(self, pathway_id: str, version: int, step: str, kind: str, *,
                       pattern_at: int) -> None:
        """Record one refused answer or "no route fits" (never the answer); a "no route
        fits" opens a review item, and the ``pattern_at``-th refused answer at one step of
        one version opens (or, later ones, count on) that step's pattern item."""

    @abstractmethod
    def add_review_item(self, fields: Mapping[str, Any]) -> int:
        """Open a review item with these fields; its id."""

    @abstractmethod
    def review_items(self, view: str, today: dt.date, *, limit: int = 50,
                     before: int | None = None) -> list[dict[str, Any]]:
        """One page of a view of the queue (open, overdue or closed), newest first; the
        next page starts ``before`` the last id of this one."""

    @abstractmethod
    def review_item(self, item_id: int) -> dict[str, Any] | None:
        """One review item as stored."""

    @abstractmethod
    def review_counts(self, today: dt.date) -> dict[str, dict[str, int]]:
        """How many items are open, overdue and closed, by source."""

    @abstractmethod
    def change_review_item(self, item_id: int, values: Mapping[str, Any], *,
                           unless_status: str | None = None) -> dict[str, Any] | None:
        """Change an item (not when its status is ``unless_status``); the item as it now
        is, or None when there is no such item or it had that status."""

    @abstractmethod
    def audit_population(self, start: dt.datetime, end: dt.datetime
                         ) -> list[dict[str, Any]]:
        """Every contact started in [start, end): ``contact_id``, ``person_id``,
        ``started_at``, ``outcome_kind``, ``caller_type`` and ``overridden``."""

    @abstractmethod
    def earlier_contacts_of(self, person_ids: Sequence[str], start: dt.datetime,
                            end: dt.datetime) -> list[tuple[int, str, str]]:
        """Contacts about these people started in [start, end): (id, person, start)."""

    @abstractmethod
    def record_audit_sample(self, month: str, seed: str, population: int,
                            drawn: Sequence[tuple[int, str]], drawn_by: str
                            ) -> dict[str, Any]:
        """Record a month's sample, unless one is recorded already; the recorded one."""

    @abstractmethod
    def audit_sample(self, month: str) -> dict[str, Any] | None:
        """A month's recorded sample: seed, population, who drew it and when, and the
        contacts in the order drawn with why, and their scores where scored."""

    @abstractmethod
    def record_audit_score(self, score: Mapping[str, Any]) -> bool:
        """Record a sampled contact's score; False if it was scored already."""
