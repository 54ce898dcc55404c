"""Contact records: finishing a call writes one (in the same transaction that marks the
call finished), supervisors list and read them, and every read is recorded."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Any

from api.service.access import CallAccess
from api.service.state import OVERRIDE_KINDS, Override
from api.service.users import User
from api.storage.port import Repository, StoredCall, Update
from triage.adapters.audit import audit_logger
from triage.calls import CallEngine, CallSession, OutcomeView
from triage.errors import CallError, UnknownContact

WRITTEN_ALREADY = "The contact record for this call has already been written."


def contact_record(session: CallSession, outcome: OutcomeView, user: User,
                   override: Override | None) -> dict[str, Any]:
    """Everything a manager needs about one contact, and exactly what produced it."""
    values = session.values
    return {
        "call_id": session.call_id,
        "pathway": {"id": session.pathway_id, "version": session.version},
        "handler": user.username,
        "started_at": session.started_at,
        "ended_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "caller_type": values.get("caller_type"),
        "reason": values.get("reason"),
        # The person's voice (Care Act), a code of the consent fact; None when the person
        # called themselves (or the call ended before it was asked).
        "consent": values.get("consent"),
        # The clock facts the call was routed on (in or out of hours, the next opening).
        "clock": dict(session.clock),
        "person": {"person_id": values.get("person_id"),
                   "known_status": values.get("known_status"),
                   "allocated_worker": values.get("allocated_worker"),
                   "allocated_team": values.get("allocated_team"),
                   "alerts": values.get("alerts") or []},
        "suggested_outcome": {"id": outcome.outcome_id, "kind": outcome.kind,
                              "summary": outcome.summary, "team": outcome.team,
                              "service": outcome.service, "timeframe": outcome.timeframe,
                              "due": outcome.due},
        "codes": outcome.codes,
        "override": asdict(override) if override else None,
        "trail": [{"at": h.at, "step": h.state, "kind": h.kind, "answer": h.answer,
                   "why": h.why, "route": h.route} for h in session.history],
    }


def contact_row(record: dict[str, Any], session: CallSession, outcome: OutcomeView,
                override: Override | None) -> dict[str, Any]:
    """The summary fields of a contact record, for listing, with the record itself."""
    values = session.values
    return {
        "call_id": session.call_id, "pathway_id": session.pathway_id,
        "pathway_version": session.version, "handler": record["handler"],
        "started_at": session.started_at, "ended_at": record["ended_at"],
        "outcome_id": outcome.outcome_id,
        "outcome_kind": override.kind if override else outcome.kind,
        "caller_type": values.get("caller_type"), "reason": values.get("reason"),
        "known_status": values.get("known_status"), "person_id": values.get("person_id"),
        "team": (override.team if override and override.team else
                 (outcome.team or {}).get("id")),
        "timeframe": outcome.timeframe, "record": json.dumps(record, default=str),
    }


class Contacts:
    """Writing, listing and reading contact records."""

    def __init__(self, repository: Repository, engine: CallEngine, access: CallAccess) -> None:
        self.repository = repository
        self.engine = engine
        self.access = access
        self.log = audit_logger()

    def finish(self, user: User, call_id: str, version: int,
               override: Override | None = None) -> dict[str, Any]:
        """Write the contact record for a call at its outcome; an override needs a reason."""
        records: list[dict[str, Any]] = []

        def change(stored: StoredCall) -> Update:
            self.access.changeable(user, stored, version, WRITTEN_ALREADY)
            session = self.engine.restore(stored.data)
            record, row = self._contact(user, session, override)
            records.append(record)
            return session.to_dict(), version, row

        self.repository.update_call(call_id, change)
        record = records[0]
        self.log.info("contact_recorded", call_id=call_id, user=user.username,
                      outcome=record["suggested_outcome"]["id"],
                      overridden=override is not None)
        return record

    def _contact(self, user: User, session: CallSession, override: Override | None
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The contact record of a call at its outcome, and its row for the contacts table."""
        if not session.finished:
            raise CallError("The call has not reached an outcome yet; answer the remaining "
                            "questions first.", field="call")
        outcome = self.engine.outcome(session)
        if override is not None:
            if not override.reason.strip():
                raise CallError("Say why the suggested outcome is being overridden.",
                                field="override.reason")
            if override.kind not in OVERRIDE_KINDS:
                raise CallError(f"'{override.kind}' is not an outcome kind (kinds: "
                                f"{', '.join(OVERRIDE_KINDS)})", field="override.kind")
        record = contact_record(session, outcome, user, override)
        return record, contact_row(record, session, outcome, override)

    def listing(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Contact records, newest first (summary fields)."""
        return self.repository.list_contacts(limit, offset)

    def read(self, user: User, contact_id: int) -> dict[str, Any]:
        """One whole contact record, the read recorded; UnknownContact (and no read
        recorded) if there is none."""
        record = self.repository.read_contact(contact_id, user.username)
        if record is None:
            raise UnknownContact(contact_id=contact_id)
        self.log.info("contact_read", user=user.username, contact_id=contact_id)
        return record
