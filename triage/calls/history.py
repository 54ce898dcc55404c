"""Earlier contacts about the person a call is about: the port the engine asks, and the
call facts they give (how many, the last outcome, an open referral, a repeat contact).

The store of contact records is the service's; the engine only needs :class:`ContactHistory`
to answer "this person's contacts since then". Without one, the call says it has no
history to show and the facts keep their defaults.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from triage.routing.plan import RepeatRule
from triage.vocabulary import (
    CONTACT_DAYS,
    CONTACT_WINDOW_DAYS,
    CONTACTS_IN_WINDOW,
    LAST_OUTCOME_KIND,
    OPEN_KINDS,
    OPEN_REFERRAL_TEAM,
    REPEAT_CONTACT,
)


@dataclass(frozen=True, slots=True)
class EarlierContact:
    """One earlier contact about the person, as a handler needs to see it."""

    contact_id: str
    started_at: str  # ISO 8601, UTC
    reason: str | None
    outcome_kind: str
    team: str | None = None
    call_id: str = ""  # the call it was recorded on (a contact of this call is left out)

    @property
    def open(self) -> bool:
        """True when the contact passed work to a team (see ``OPEN_KINDS``)."""
        return self.outcome_kind in OPEN_KINDS

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the saved call and replies."""
        return {"contact_id": self.contact_id, "started_at": self.started_at,
                "reason": self.reason, "outcome_kind": self.outcome_kind,
                "team": self.team, "open": self.open}


class ContactHistory(ABC):
    """Finds the contact records already made about a person."""

    @abstractmethod
    def recent(self, person_id: str, *, since: dt.datetime) -> Sequence[EarlierContact]:
        """The person's contacts that started at or after ``since``, newest first."""


def default_facts() -> dict[str, Any]:
    """The contact facts of a call before any person is confirmed."""
    return {REPEAT_CONTACT: False, CONTACTS_IN_WINDOW: 0, CONTACT_DAYS: []}


def contact_facts(contacts: Sequence[EarlierContact], now: dt.datetime,
                  rule: RepeatRule) -> dict[str, Any]:
    """The call facts the person's earlier contacts give, seen at ``now``."""
    ages = []
    for contact in contacts:
        started = dt.datetime.fromisoformat(contact.started_at)
        if started.tzinfo is None:
            started = started.replace(tzinfo=dt.UTC)
        ages.append((now - started).total_seconds() / 86400)
    within_window = [a for a in ages if a <= rule.hours / 24]
    newest = contacts[0] if contacts else None
    still_open = next((c for c in contacts if c.open and c.team), None)
    facts: dict[str, Any] = {
        # This contact is the Nth when N-1 others fall within the window.
        REPEAT_CONTACT: len(within_window) >= rule.contacts - 1,
        CONTACTS_IN_WINDOW: sum(1 for a in ages if a <= CONTACT_WINDOW_DAYS),
        CONTACT_DAYS: [round(a, 4) for a in ages],
        LAST_OUTCOME_KIND: newest.outcome_kind if newest else None,
        OPEN_REFERRAL_TEAM: still_open.team if still_open else None,
    }
    return facts
