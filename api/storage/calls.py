"""Calls in the SQL database: one row each, with its saved session as JSON and a row
version. Every update is one transaction that checks the row version, so of two updates
made from the same version exactly one wins and the other is told the current version."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from api.storage.database import SqlTables, as_utc, first_line
from api.storage.port import (
    CallStatus,
    ContactRows,
    FinishedCall,
    StoredCall,
    Update,
    utc_now,
)
from api.storage.reviews import add_contact_items
from api.storage.schema import calls, contacts
from triage.errors import StaleUpdate, StorageRefused, UnknownCall


def _stored(row: Any) -> StoredCall:
    return StoredCall(row.call_id, row.handler, row.status, row.row_version,
                      json.loads(row.data), as_utc(row.updated_at))


class SqlCalls(SqlTables):
    """Storing, loading and changing calls (the calls part of the repository port)."""

    def create_call(self, session: Mapping[str, Any], handler: str) -> int:
        """Store a new call at row version 1."""
        with self.transaction() as c:
            c.execute(calls.insert().values(
                call_id=session["call_id"], pathway_id=session["pathway_id"],
                pathway_version=session["version"], handler=handler,
                status=CallStatus.FINISHED if session.get("finished_at") else CallStatus.ACTIVE,
                row_version=1,
                data=json.dumps(session), updated_at=utc_now()))
        return 1

    def load_call(self, call_id: str) -> StoredCall:
        """The stored call; UnknownCall if there is none."""
        with self.engine.connect() as c:
            return self._load(c, call_id)

    @staticmethod
    def _load(c: Connection, call_id: str) -> StoredCall:
        row = c.execute(sa.select(calls).where(calls.c.call_id == call_id)).first()
        if row is None:
            raise UnknownCall(call_id=call_id)
        return _stored(row)

    def calls_of(self, handler: str, status: str, *, since: dt.datetime | None = None,
                 limit: int = 100) -> list[StoredCall]:
        """A handler's calls with ``status`` (changed at or after ``since``), the most
        recently changed first, at most ``limit`` of them."""
        query = (sa.select(calls).where(calls.c.handler == handler, calls.c.status == status)
                 .order_by(calls.c.updated_at.desc(), calls.c.call_id).limit(limit))
        if since is not None:
            query = query.where(calls.c.updated_at >= since)
        with self.engine.connect() as c:
            rows = c.execute(query).all()
        return [_stored(row) for row in rows]

    def update_call(self, call_id: str, change: Callable[[StoredCall], Update]) -> int:
        """Load a call, let ``change`` work out its new state, and save it; one connection.

        (Loading and saving on one connection saves a pool checkout and, on PostgreSQL, a
        round trip or two per answer.)
        """
        with self.transaction() as c:
            stored = self._load(c, call_id)
            session, expected_version, records = change(stored)
            return self._save(c, session, expected_version, records)

    def save_call(self, session: Mapping[str, Any], expected_version: int,
                  contacts: ContactRows | None = None, *,
                  handler: str | None = None) -> int:
        """Save a changed call if it is still at ``expected_version``; return the new version.

        With ``contacts``, the finished call's contact records (one per need) are written
        in the same transaction, so a call is never finished without its records. With ``handler``,
        the call passes to that user in the same update.
        """
        with self.transaction() as c:
            return self._save(c, session, expected_version, contacts, handler)

    @staticmethod
    def _save(c: Connection, session: Mapping[str, Any], expected_version: int,
              records: ContactRows | None, handler: str | None = None) -> int:
        values: dict[str, Any] = {
            "data": json.dumps(session), "row_version": expected_version + 1,
            "status": CallStatus.FINISHED if records is not None else CallStatus.ACTIVE,
            "updated_at": utc_now()}
        if handler is not None:
            values["handler"] = handler
        result = c.execute(
            calls.update()
            .where(calls.c.call_id == session["call_id"])
            .where(calls.c.row_version == expected_version)
            .values(**values))
        if result.rowcount != 1:
            current = c.execute(sa.select(calls.c.row_version)
                                .where(calls.c.call_id == session["call_id"])).scalar()
            if current is None:
                raise UnknownCall(call_id=session["call_id"])
            raise StaleUpdate(current_version=int(current))
        first: int | None = None
        for record in records or ():
            inserted = c.execute(contacts.insert().values(**record, first_contact_id=first))
            if first is None:
                key = inserted.inserted_primary_key
                assert key is not None
                first = int(key[0])
        if records:
            add_contact_items(c, records)  # the review items they open (issue 14)
        return expected_version + 1

    def record_finished_calls(self, finished: Sequence[FinishedCall]) -> None:
        """Store finished calls and their contact records in one transaction: the calls,
        then every first need's record, then the others linked to theirs."""
        if not finished:
            return
        now = utc_now()
        call_rows = [{"call_id": f.session["call_id"], "pathway_id": f.session["pathway_id"],
                      "pathway_version": f.session["version"], "handler": f.handler,
                      "status": CallStatus.FINISHED.value, "row_version": 1,
                      "data": json.dumps(f.session), "updated_at": now} for f in finished]
        firsts = [dict(f.contacts[0], first_contact_id=None) for f in finished if f.contacts]
        try:
            with self.transaction() as c:
                c.execute(calls.insert(), call_rows)
                inserted = c.execute(contacts.insert().returning(
                    contacts.c.call_id, contacts.c.contact_id), firsts).all()
                first_of = {row.call_id: row.contact_id for row in inserted}
                others = [dict(row, first_contact_id=first_of[f.session["call_id"]])
                          for f in finished for row in f.contacts[1:]]
                if others:
                    c.execute(contacts.insert(), others)
                add_contact_items(c, [row for f in finished for row in f.contacts])
        except sa.exc.IntegrityError as exc:
            raise StorageRefused(reason=f"{first_line(exc)}: a call with one of these ids "
                                 "is stored already") from exc
