"""The engine's :class:`~triage.calls.history.ContactHistory` port on the service's store:
a person's earlier contacts are the contact records the service has written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from api.storage.port import Repository
from triage.calls.history import ContactHistory, EarlierContact


class StoredContactHistory(ContactHistory):
    """Earlier contacts read from the contact records in ``repository``."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository

    def recent(self, person_id: str, *, since: dt.datetime) -> Sequence[EarlierContact]:
        """The person's contact records that started at or after ``since``, newest first."""
        return [EarlierContact(contact_id=str(row["contact_id"]),
                               started_at=str(row["started_at"]), reason=row["reason"],
                               outcome_kind=str(row["outcome_kind"]), team=row["team"],
                               call_id=str(row["call_id"]))
                for row in self.repository.contacts_about(person_id, since)]
