"""The person check on a call: searching the client index, and confirming who the person
is (or that nobody could be confirmed).

The client index is a port (:class:`~triage.matching.port.ClientIndex`); a search keeps its
result on the call, and only a person that search offered can be confirmed.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from triage.calls.model import CallSession, HistoryEntry, SavedSearch
from triage.errors import InvalidAnswer, LookupRefused
from triage.events import EventLog
from triage.matching.port import ClientIndex, SearchDetails, SearchResult
from triage.routing.plan import Node
from triage.vocabulary import UNCONFIRMED, KnownStatus, TrailKind


class PersonCheck:
    """Searches for the person and confirms them, on the client index given (if any)."""

    def __init__(self, clients: ClientIndex | None, events: EventLog) -> None:
        self.clients = clients
        self.events = events

    def search(self, session: CallSession, node: Node, details: SearchDetails) -> SearchResult:
        """Search from the person check ``node``; the result is kept on the call."""
        if self.clients is None:
            raise LookupRefused("No client index is configured, so people cannot be searched "
                                "for; answer 'not_known' or 'possible_match'.", step=node.local_id)
        result = self.clients.search(details)
        session.candidates = [c.person_id for c in result.candidates]
        session.last_search = SavedSearch.of(node.state, details, result)
        session.history.append(HistoryEntry(time.time(), node.state, TrailKind.SEARCHED,
                                            {"fields": list(details.given_fields()),
                                             "candidates": list(session.candidates)}))
        self.events.info("person_searched", call_id=session.call_id, handler=session.handler,
                         step=node.state, fields=list(details.given_fields()),
                         candidates=[(c.person_id, c.band.value) for c in result.candidates],
                         missing=list(result.missing))
        return result

    def answer(self, session: CallSession, node: Node, raw: Any
               ) -> tuple[dict[str, Any], Any]:
        """The facts an answer to the person check sets, and the answer as recorded.

        The answer is a person id the last search offered, or 'not_known' /
        'possible_match'.
        """
        person_id = raw.get("person_id") if isinstance(raw, Mapping) else raw
        text = str(person_id or "").strip()
        code = text.replace(" ", "_").lower()
        if code in UNCONFIRMED:
            return ({"known_status": code, "person_id": None, "allocated_worker": None,
                     "allocated_team": None, "alerts": []}, code)
        if not text:
            raise InvalidAnswer("Confirm one of the people found, or answer 'not_known' "
                                "(nobody matches) or 'possible_match' (cannot be sure).",
                                step=node.local_id)
        if text not in session.candidates:
            raise LookupRefused(
                f"'{text}' was not among the people found by the last search; search again or "
                "answer 'not_known' or 'possible_match'.", step=node.local_id)
        record = self.clients.get(text) if self.clients else None
        if record is None:
            raise LookupRefused(f"'{text}' is no longer on the client index; search again.",
                                step=node.local_id)
        status = record.known_status.value
        if status not in (KnownStatus.OPEN, KnownStatus.PREVIOUSLY_KNOWN):
            status = KnownStatus.PREVIOUSLY_KNOWN.value
        return ({"known_status": status, "person_id": record.person_id,
                 "allocated_worker": record.allocated_worker,
                 "allocated_team": record.team, "alerts": list(record.alerts)},
                {"person_id": record.person_id, "known_status": status})
