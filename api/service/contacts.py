"""Contact records: finishing a call writes one per need, linked (in the same transaction
that marks the call finished), supervisors list and read them, and every read is
recorded."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Any

from api.reports.fields import LANGUAGE_NAMES, report_fields
from api.service.access import CallAccess
from api.service.state import OVERRIDE_KINDS, Override
from api.service.users import User
from api.storage.port import Repository, StoredCall, Update
from triage.adapters.audit import audit_logger
from triage.calls import CallEngine, CallSession, OutcomeView
from triage.errors import CallError, TriageError, UnknownContact
from triage.vocabulary import RecordFlag

WRITTEN_ALREADY = "The contact records for this call have already been written."
FINISHED_WITHOUT_CHECK = RecordFlag.FINISHED_WITHOUT_PERSON_CHECK.value
RED_FLAG_CHANGED = RecordFlag.RED_FLAG_CHANGED.value
SKIP_REASON_LIMIT = 500


def _flags_of(session: CallSession, need: int) -> list[dict[str, Any]]:
    """What is flagged on the record of ``need``: its own flags, and those of the call."""
    return [dict(f) for f in session.flags if f.get("need") in (need, None)
            or f.get("kind") == FINISHED_WITHOUT_CHECK]


def contact_record(call: CallSession, routed: CallSession, outcome: OutcomeView,
                   handler: str, override: Override | None, needs: int) -> dict[str, Any]:
    """Everything a manager needs about one contact (one need of ``call``, routed as
    ``routed``), and exactly what produced it: the trail keeps every correction (the
    answer superseded, by whom, when and why)."""
    values = routed.values
    return {
        "call_id": call.call_id,
        "need": routed.need,
        "needs_on_call": needs,
        "pathway": {"id": call.pathway_id, "version": call.version},
        "handler": handler,
        "started_at": call.started_at,
        "outcome_at": routed.outcome_at,
        "ended_at": call.finished_at or dt.datetime.now(dt.UTC).isoformat(
            timespec="seconds"),
        "caller_type": values.get("caller_type"),
        "reason": values.get("reason"),
        # The person's voice (Care Act), a code of the consent fact; None when the person
        # called themselves (or the call ended before it was asked).
        "consent": values.get("consent"),
        # The clock facts the call was routed on (in or out of hours, the next opening).
        "clock": dict(routed.clock or call.clock),
        "person": {"person_id": values.get("person_id"),
                   "known_status": values.get("known_status"),
                   "allocated_worker": values.get("allocated_worker"),
                   "allocated_team": values.get("allocated_team"),
                   "alerts": values.get("alerts") or []},
        "earlier_contacts": [{k: c.get(k) for k in ("contact_id", "started_at",
                                                    "outcome_kind", "team", "open")}
                             for c in call.earlier_contacts],
        "suggested_outcome": {"id": outcome.outcome_id, "kind": outcome.kind,
                              "summary": outcome.summary, "team": outcome.team,
                              "service": outcome.service, "timeframe": outcome.timeframe,
                              "due": outcome.due},
        "codes": outcome.codes,
        "override": asdict(override) if override else None,
        "flags": _flags_of(call, routed.need),
        "trail": [{"at": h.at, "step": h.state, "kind": h.kind, "answer": h.answer,
                   "why": h.why, "route": h.route} for h in routed.history],
    }


def contact_row(record: dict[str, Any], routed: CallSession, outcome: OutcomeView,
                override: Override | None, report: dict[str, Any] | None = None
                ) -> dict[str, Any]:
    """The summary fields of a contact record, for listing, with the record itself, and
    ``report``: its report fields (:func:`api.reports.fields.report_fields`)."""
    values = routed.values
    flags = record["flags"]
    skipped = next((f["reason"] for f in flags if f["kind"] == FINISHED_WITHOUT_CHECK), None)
    return {
        "call_id": routed.call_id, "need": routed.need, "pathway_id": routed.pathway_id,
        "pathway_version": routed.version, "handler": record["handler"],
        "started_at": routed.started_at, "ended_at": record["ended_at"],
        "outcome_id": outcome.outcome_id,
        "outcome_kind": override.kind if override else outcome.kind,
        "caller_type": values.get("caller_type"), "reason": values.get("reason"),
        "known_status": values.get("known_status"), "person_id": values.get("person_id"),
        "team": (override.team if override and override.team else
                 (outcome.team or {}).get("id")),
        "timeframe": outcome.timeframe,
        "red_flag_changed": any(f["kind"] == RED_FLAG_CHANGED for f in flags),
        "person_check_skipped": skipped if values.get("known_status") is None else None,
        "record": json.dumps(record, default=str),
        **(report or {}),
    }


def person_profile(engine: CallEngine, call: CallSession, routed: CallSession
                   ) -> dict[str, Any]:
    """What reports group a contact by about its person: the preferred language and
    communication needs on the client index (or, when the person called themselves, the
    language of the call), and the date of birth given on the call or held on the index.
    A client index that cannot answer just now leaves them unknown: finishing the call
    does not wait on it."""
    values = routed.values
    person_id = values.get("person_id")
    clients = engine.person_check.clients
    held = None
    if person_id and clients is not None:
        try:
            held = clients.get(str(person_id))
        except TriageError:
            held = None
    language = held.preferred_language if held else None
    if language is None and values.get("caller_type") == "self":
        language = LANGUAGE_NAMES.get(call.language, call.language)
    return {"preferred_language": language,
            "communication_needs": held.communication_needs if held else None,
            "date_of_birth": values.get("person_date_of_birth") or (
                held.date_of_birth if held else None)}


def records_of(engine: CallEngine, session: CallSession, handler: str,
               override: Override | None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """A finished call's contact records, one per need (the first first), each with its
    row for the contacts table; ``override`` applies to the need routed last."""
    routed = engine.routed_needs(session)
    compiled = engine.catalogue.get(session.pathway_id, session.version)
    escalation_kinds = {kind.value for kind in compiled.policy.escalation_kinds}
    red_flags = set(compiled.graph.red_flag_states)
    found = []
    for need in routed:
        chosen = override if need.need == session.need else None
        outcome = engine.outcome(need)
        record = contact_record(session, need, outcome, handler, chosen, len(routed))
        profile = person_profile(engine, session, need)
        report = report_fields(record, chosen.kind if chosen else outcome.kind,
                               escalation_kinds=escalation_kinds, red_flag_steps=red_flags,
                               profile=profile)
        record["person"].update({k: report[k] for k in (
            "preferred_language", "communication_needs", "age_band")})
        record["red_flag_at"] = report["first_red_flag_at"]
        found.append((record, contact_row(record, need, outcome, chosen, report)))
    return found


class Contacts:
    """Writing, listing and reading contact records."""

    def __init__(self, repository: Repository, engine: CallEngine, access: CallAccess) -> None:
        self.repository = repository
        self.engine = engine
        self.access = access
        self.log = audit_logger()

    def finish(self, user: User, call_id: str, version: int,
               override: Override | None = None,
               without_person_check: str | None = None) -> dict[str, Any]:
        """Finish the call from its wrap-up and write its contact records, one per need
        (the first need's first; the others linked to it); the record of the need being
        routed is returned, with ``contacts`` listing every need's outcome.

        An override (of the need being routed) needs a reason. After an escalation that
        ended routing before the person check, either the check is done in the wrap-up or
        ``without_person_check`` says why not; it is recorded on the contact records.
        """
        if without_person_check is not None and len(without_person_check) > SKIP_REASON_LIMIT:
            raise CallError(f"The reason is {len(without_person_check)} characters long; it "
                            f"must be {SKIP_REASON_LIMIT} characters or fewer.",
                            field="without_person_check")
        records: list[dict[str, Any]] = []

        def change(stored: StoredCall) -> Update:
            self.access.changeable(user, stored, version, WRITTEN_ALREADY)
            session = self.engine.restore(stored.data)
            self._check_override(session, override)
            self.engine.finish(session, without_person_check=without_person_check)
            written = records_of(self.engine, session, user.username, override)
            records.extend(record for record, _row in written)
            return session.to_dict(), version, [row for _record, row in written]

        self.repository.update_call(call_id, change)
        record = dict(records[-1])
        record["contacts"] = [{"need": r["need"], "outcome_id": r["suggested_outcome"]["id"],
                               "kind": r["suggested_outcome"]["kind"]} for r in records]
        self.log.info("contact_recorded", call_id=call_id, user=user.username,
                      outcome=record["suggested_outcome"]["id"],
                      overridden=override is not None, needs=len(records),
                      person_check_skipped=bool(record["flags"] and any(
                          f["kind"] == FINISHED_WITHOUT_CHECK for f in record["flags"])))
        return record

    def _check_override(self, session: CallSession, override: Override | None) -> None:
        if not session.at_outcome:
            raise CallError("The call has not reached an outcome yet; answer the remaining "
                            "questions first.", field="call")
        if override is None:
            return
        if not override.reason.strip():
            raise CallError("Say why the suggested outcome is being overridden.",
                            field="override.reason")
        if override.kind not in OVERRIDE_KINDS:
            raise CallError(f"'{override.kind}' is not an outcome kind (kinds: "
                            f"{', '.join(OVERRIDE_KINDS)})", field="override.kind")

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
