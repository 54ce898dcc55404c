"""Contact records (written with the finished call, :mod:`api.storage.calls`) and every
read of one, recorded in the same transaction as the read."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from api.storage.database import SqlTables
from api.storage.messages import messages_on
from api.storage.port import utc_now
from api.storage.schema import contacts, record_reads


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

    def reads_of(self, contact_id: int) -> list[dict[str, Any]]:
        """Who read a contact record, and when."""
        with self.engine.connect() as c:
            rows = c.execute(sa.select(record_reads).where(
                record_reads.c.contact_id == contact_id).order_by(record_reads.c.read_id)
            ).mappings().all()
        return [dict(r) for r in rows]
