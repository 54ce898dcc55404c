"""The links sent to callers: one row per attempt, recorded as 'sending' before GOV.UK
Notify is asked, then updated with how it went."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from api.storage.database import SqlTables, first_line
from api.storage.port import utc_now
from api.storage.schema import sent_messages
from triage.errors import StorageRefused


def messages_on(connection: Connection, call_id: str) -> list[dict[str, Any]]:
    """Every attempt to send a call's link, oldest first, read on ``connection``."""
    rows = connection.execute(sa.select(sent_messages).where(
        sent_messages.c.call_id == call_id).order_by(sent_messages.c.message_id)
    ).mappings().all()
    return [message_data(dict(r)) for r in rows]


def message_data(row: dict[str, Any]) -> dict[str, Any]:
    """A sent-message row as plain data (the time as ISO 8601, UTC)."""
    at: dt.datetime = row["sent_at"]
    if at.tzinfo is None:  # SQLite gives back naive datetimes; they were stored as UTC
        at = at.replace(tzinfo=dt.UTC)
    return {**row, "sent_at": at.astimezone(dt.UTC).isoformat(timespec="seconds")}


class SqlMessages(SqlTables):
    """Recorded attempts to send a call's link (the messages part of the repository port)."""

    def add_message(self, call_id: str, *, channel: str, recipient: str, status: str,
                    username: str, reference: str | None = None,
                    reason: str | None = None) -> dict[str, Any]:
        """Record one attempt to send a call's link (``recipient`` already masked)."""
        row = {"call_id": call_id, "sent_at": utc_now(), "channel": channel,
               "recipient": recipient[:255], "status": status,
               "reference": reference[:100] if reference else None, "reason": reason,
               "username": username}
        with self.transaction() as c:
            message_id = c.execute(sent_messages.insert().values(**row)).inserted_primary_key
        return message_data({"message_id": message_id[0] if message_id else None, **row})

    def finish_message(self, message_id: int, *, status: str, reference: str | None = None,
                       reason: str | None = None) -> None:
        """Record how an attempt recorded as 'sending' ended (StorageRefused if the
        database will not take it)."""
        try:
            with self.transaction() as c:
                c.execute(sent_messages.update()
                          .where(sent_messages.c.message_id == message_id)
                          .values(status=status, reason=reason,
                                  reference=reference[:100] if reference else None))
        except sa.exc.SQLAlchemyError as exc:
            raise StorageRefused(reason=first_line(exc)) from exc

    def messages_of(self, call_id: str) -> list[dict[str, Any]]:
        """Every attempt to send a call's link, oldest first."""
        with self.engine.connect() as c:
            return messages_on(c, call_id)
