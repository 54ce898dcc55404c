"""Contact records (written with the finished call, :mod:`api.storage.calls`) and every
read of one, recorded in the same transaction as the read."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from api.storage.database import SqlTables
from api.storage.messages import messages_on
from api.storage.port import utc_now
from api.storage.schema import contacts, record_reads


def since_text(since: dt.datetime) -> str:
    """``since`` as the stored start times are written (ISO 8601, UTC), so that text
    order is time order."""
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return since.astimezone(dt.UTC).isoformat(timespec="milliseconds")


class SqlContacts(SqlTables):
    """Listing and reading contact records (the contacts part of the repository port)."""

    def list_contacts(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Contact records, newest first (summary fields only)."""
        columns = [c for c in contacts.c if c.name != "record"]
        with self.engine.connect() as c:
            rows = c.execute(sa.select(*columns).order_by(contacts.c.contact_id.desc())
                             .limit(limit).offset(offset)).mappings().all()
        return [dict(r) for r in rows]

    def read_contact(self, contact_id: int, reader: str) -> dict[str, Any] | None:
        """One full contact record; the read is recorded in the same transaction."""
        with self.transaction() as c:
            row = c.execute(sa.select(contacts).where(contacts.c.contact_id == contact_id)
                            ).mappings().first()
            if row is None:
                return None
            c.execute(record_reads.insert().values(username=reader, contact_id=contact_id,
                                                   read_at=utc_now()))
            messages = messages_on(c, row["call_id"])
        record = dict(row)
        record["record"] = json.loads(record["record"])
        record["messages"] = messages
        return record

    def contacts_about(self, person_id: str, since: dt.datetime) -> list[dict[str, Any]]:
        """A person's contact records that started at or after ``since``, newest first
        (by the ``contacts_by_person`` index; ``started_at`` is ISO 8601 UTC text)."""
        query = (sa.select(contacts.c.contact_id, contacts.c.call_id, contacts.c.need,
                           contacts.c.started_at, contacts.c.reason, contacts.c.outcome_kind,
                           contacts.c.team)
                 .where(contacts.c.person_id == person_id,
                        contacts.c.started_at >= since_text(since))
                 .order_by(contacts.c.started_at.desc(), contacts.c.contact_id.desc()))
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(query).mappings().all()]

    def reads_of(self, contact_id: int) -> list[dict[str, Any]]:
        """Who read a contact record, and when."""
        with self.engine.connect() as c:
            rows = c.execute(sa.select(record_reads).where(
                record_reads.c.contact_id == contact_id).order_by(record_reads.c.read_id)
            ).mappings().all()
        return [dict(r) for r in rows]
