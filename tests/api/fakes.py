"""A repository kept in memory, for fast tests of the service layer without a database.

It subclasses the port (:class:`api.storage.Repository`), so a method the port gains and
the fake lacks fails at once; it keeps the port's promises the handlers rely on (row
versions, a finished call saved with its record, a read recorded with the read).
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from api.storage import KeyHistory, Repository, StoredCall, Update, utc_now
from api.storage.port import SET_UP, ContactRows, Decide, FinishedCall, LiveAction, LiveEntry
from triage.errors import LiveConflict, StaleUpdate, StorageRefused, UnknownCall

T = TypeVar("T")


@dataclass
class _Attempt:
    attempt_id: str
    key: str
    at: dt.datetime
    blocked_until: dt.datetime | None


@dataclass
class InMemoryRepository(Repository):
    """Everything the service keeps, in dictionaries; ``refuse_messages`` makes the
    record of how a link went fail, as a database that will not take it would."""

    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    reads: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[tuple[str, int], str] = field(default_factory=dict)
    live: list[LiveEntry] = field(default_factory=list)
    attempts: list[_Attempt] = field(default_factory=list)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    refuse_messages: bool = False
    loads: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    # --- calls ---------------------------------------------------------------------------

    def create_call(self, session: Mapping[str, Any], handler: str) -> int:
        self.calls[session["call_id"]] = {
            "handler": handler, "status": "finished" if session.get("finished_at")
            else "active", "row_version": 1, "data": copy.deepcopy(dict(session)),
            "updated_at": utc_now()}
        return 1

    def load_call(self, call_id: str) -> StoredCall:
        self.loads += 1
        row = self.calls.get(call_id)
        if row is None:
            raise UnknownCall(call_id=call_id)
        return StoredCall(call_id, row["handler"], row["status"], row["row_version"],
                          copy.deepcopy(row["data"]), row["updated_at"])

    def calls_of(self, handler: str, status: str, *, since: dt.datetime | None = None,
                 limit: int = 100) -> list[StoredCall]:
        found = [self.load_call(call_id) for call_id, row in self.calls.items()
                 if row["handler"] == handler and row["status"] == status
                 and (since is None or row["updated_at"] >= since)]
        found.sort(key=lambda c: (c.updated_at or utc_now(), c.call_id), reverse=True)
        return found[:limit]

    def update_call(self, call_id: str, change: Callable[[StoredCall], Update]) -> int:
        session, expected_version, records = change(self.load_call(call_id))
        return self.save_call(session, expected_version, records)

    def save_call(self, session: Mapping[str, Any], expected_version: int,
                  contacts: ContactRows | None = None, *,
                  handler: str | None = None) -> int:
        row = self.calls.get(session["call_id"])
        if row is None:
            raise UnknownCall(call_id=session["call_id"])
        if row["row_version"] != expected_version:
            raise StaleUpdate(current_version=row["row_version"])
        row.update(data=copy.deepcopy(dict(session)), row_version=expected_version + 1,
                   status="finished" if contacts is not None else "active",
                   updated_at=utc_now())
        if handler is not None:
            row["handler"] = handler
        first: int | None = None
        for record in contacts or ():
            contact_id = len(self.contacts) + 1
            self.contacts.append({"contact_id": contact_id, "need": 1,
                                  "red_flag_changed": False, "person_check_skipped": None,
                                  **record, "first_contact_id": first})
            first = first or contact_id
        return expected_version + 1

    def record_finished_calls(self, finished: Sequence[FinishedCall]) -> None:
        taken = [f.session["call_id"] for f in finished if f.session["call_id"] in self.calls]
        if taken:
            raise StorageRefused(reason=f"call {taken[0]} is stored already")
        for f in finished:
            self.calls[f.session["call_id"]] = {
                "handler": f.handler, "status": "finished", "row_version": 1,
                "data": copy.deepcopy(dict(f.session)), "updated_at": utc_now()}
            first: int | None = None
            for record in f.contacts:
                contact_id = len(self.contacts) + 1
                self.contacts.append({"contact_id": contact_id, **record,
                                      "first_contact_id": first})
                first = first or contact_id

    # --- pathway versions in use ---------------------------------------------------------

    def keep_pathway_versions(self, versions: Sequence[tuple[str, int]],
                              files: Mapping[str, str]) -> None:
        for key in versions:
            self.sources.setdefault(key, _json(files))

    def pathway_sources(self) -> list[tuple[str, int, str]]:
        return [(pid, version, files) for (pid, version), files in self.sources.items()]

    # --- the live pointer ----------------------------------------------------------------

    def live_now(self) -> dict[str, LiveEntry]:
        return {e.pathway_id: e for e in self.live}  # later entries win

    def set_up_live(self, versions: Mapping[str, int], reason: str) -> list[LiveEntry]:
        current = self.live_now()
        return [self.move_live(pid, v, expected=None, action=LiveAction.SETUP,
                               published_by=SET_UP, reason=reason)
                for pid, v in sorted(versions.items()) if pid not in current]

    def move_live(self, pathway_id: str, version: int, *, expected: int | None,
                  action: LiveAction, published_by: str, reason: str,
                  replay_report: str | None = None) -> LiveEntry:
        current = self.live_now().get(pathway_id)
        if (current.version if current else None) != expected:
            raise LiveConflict(pathway_id=pathway_id, expected=expected,
                               live_version=current.version if current else None,
                               published_by=current.published_by if current else None,
                               published_at=current.published_at if current else None)
        entry = LiveEntry(len(self.live) + 1, pathway_id, version, action.value, expected,
                          published_by, utc_now(), reason, replay_report)
        self.live.append(entry)
        return entry

    def live_history(self, pathway_id: str) -> list[LiveEntry]:
        return [e for e in reversed(self.live) if e.pathway_id == pathway_id]

    # --- links sent to callers -----------------------------------------------------------

    def add_message(self, call_id: str, *, channel: str, recipient: str, status: str,
                    username: str, reference: str | None = None,
                    reason: str | None = None) -> dict[str, Any]:
        message = {"message_id": next(self._ids), "call_id": call_id,
                   "sent_at": utc_now().isoformat(timespec="seconds"), "channel": channel,
                   "recipient": recipient, "status": str(status), "reference": reference,
                   "reason": reason, "username": username}
        self.messages.append(message)
        return dict(message)

    def finish_message(self, message_id: int, *, status: str, reference: str | None = None,
                       reason: str | None = None) -> None:
        if self.refuse_messages:
            raise StorageRefused(reason="sent_messages is refused by the test")
        for message in self.messages:
            if message["message_id"] == message_id:
                message.update(status=str(status), reference=reference, reason=reason)

    def messages_of(self, call_id: str) -> list[dict[str, Any]]:
        return [dict(m) for m in self.messages if m["call_id"] == call_id]

    # --- contact records -----------------------------------------------------------------

    def list_contacts(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        newest = sorted(self.contacts, key=lambda c: c["contact_id"], reverse=True)
        return [{k: v for k, v in c.items() if k != "record"}
                for c in newest[offset:offset + limit]]

    def read_contact(self, contact_id: int, reader: str) -> dict[str, Any] | None:
        found = next((c for c in self.contacts if c["contact_id"] == contact_id), None)
        if found is None:
            return None
        self.reads.append({"read_id": len(self.reads) + 1, "username": reader,
                           "contact_id": contact_id, "read_at": utc_now()})
        return {**found, "record": _loads(found["record"]),
                "messages": self.messages_of(found["call_id"])}

    def contacts_about(self, person_id: str, since: dt.datetime) -> list[dict[str, Any]]:
        after = since.astimezone(dt.UTC).isoformat(timespec="milliseconds")
        found = [c for c in self.contacts
                 if c.get("person_id") == person_id and c["started_at"] >= after]
        found.sort(key=lambda c: (c["started_at"], c["contact_id"]), reverse=True)
        keys = ("contact_id", "call_id", "need", "started_at", "reason", "outcome_kind",
                "team")
        return [{k: c.get(k) for k in keys} for c in found]

    def reads_of(self, contact_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self.reads if r["contact_id"] == contact_id]

    # --- users, sign-in sessions and their notices ---------------------------------------

    def put_user(self, username: str, display_name: str, role: str,
                 password_hash: str) -> None:
        self.users[username] = {"username": username, "display_name": display_name,
                                "role": role, "password_hash": password_hash}

    def user(self, username: str) -> dict[str, Any] | None:
        found = self.users.get(username)
        return dict(found) if found else None

    def remove_users(self, usernames: Sequence[str]) -> int:
        removed = [name for name in usernames if self.users.pop(name, None) is not None]
        self.sessions = {k: s for k, s in self.sessions.items()
                         if s["username"] not in usernames}
        return len(removed)

    def add_session(self, token_hash: str, username: str, expires_at: dt.datetime) -> None:
        self.sessions[token_hash] = {"username": username, "expires_at": expires_at,
                                     "notices": []}

    def session_user(self, token_hash: str) -> dict[str, Any] | None:
        session = self.sessions.get(token_hash)
        if session is None or session["expires_at"] <= utc_now():
            return None
        return {**self.users[session["username"]], "expires_at": session["expires_at"]}

    def end_session(self, token_hash: str) -> None:
        self.sessions.pop(token_hash, None)

    def add_notice(self, token_hash: str, notice: Mapping[str, Any]) -> None:
        if token_hash in self.sessions:
            self.sessions[token_hash]["notices"].append(dict(notice))

    def take_notices(self, token_hash: str) -> list[dict[str, Any]]:
        session = self.sessions.get(token_hash)
        if session is None:
            return []
        taken, session["notices"] = session["notices"], []
        return list(taken)

    # --- sign-in attempts (throttling) ---------------------------------------------------

    def sign_in_secret(self) -> bytes:
        return self.secret

    def sign_in_attempt(self, attempt_id: str, keys: Sequence[str], *, at: dt.datetime,
                        since: dt.datetime, forget_before: dt.datetime,
                        decide: Decide[T]) -> T:
        self.attempts = [a for a in self.attempts if a.at >= forget_before]
        history = {}
        for key in keys:
            mine = [a for a in self.attempts if a.key == key]
            blocks = [a.blocked_until for a in mine if a.blocked_until is not None]
            history[key] = KeyHistory(sum(1 for a in mine if a.at > since),
                                      max(blocks) if blocks else None)
        record, verdict = decide(history)
        self.attempts += [_Attempt(attempt_id, key, at, blocked)
                          for key, blocked in record.items()]
        return verdict

    def sign_in_succeeded(self, attempt_id: str, user_key: str) -> None:
        self.attempts = [a for a in self.attempts
                         if a.key != user_key and a.attempt_id != attempt_id]


def _json(value: Any) -> str:
    """Stored as the SQL adapter stores it."""
    return json.dumps(value, sort_keys=True, default=str)


def _loads(text: str) -> Any:
    return json.loads(text)
