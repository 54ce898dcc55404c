"""The review queue and the audits in the SQL database (the :class:`ReviewStore` part of
the repository), and the review items a finished call's contact records open, written in
the same transaction as the records."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from api.storage.contacts import since_text
from api.storage.database import SqlTables, as_utc
from api.storage.port import ReviewStore, utc_now
from api.storage.schema import (
    audit_sample_contacts,
    audit_samples,
    audit_scores,
    contacts,
    refusals,
    review_items,
)
from triage.reviews import (
    ReasonState,
    RefusalKind,
    ReviewSource,
    ReviewStatus,
    ReviewView,
    due_on,
)
from triage.vocabulary import RecordFlag

NO_OVERRIDE = '"override": null'
"""How a record without an override is written (json.dumps' own separators): a record
without it is read as JSON only to see its override."""
NOT_CLOSED = (ReviewStatus.OPEN.value, ReviewStatus.REVIEWED.value)


def opened_now() -> dict[str, Any]:
    """When an item is opened, and the day it is due."""
    now = utc_now()
    return {"opened_at": now, "due_on": due_on(now.date()),
            "status": ReviewStatus.OPEN.value}


def _items_of(row: Mapping[str, Any], contact_id: int) -> list[dict[str, Any]]:
    """The review items one contact record opens: its override, and each red-flag answer
    changed after an escalation (never the person's details; reasons wait for a
    supervisor before a designer sees them)."""
    found: list[dict[str, Any]] = []
    text = str(row.get("record") or "")
    base = {"contact_id": contact_id, "pathway_id": row["pathway_id"],
            "pathway_version": row["pathway_version"]}
    record: dict[str, Any] | None = None
    if NO_OVERRIDE not in text or row.get("red_flag_changed"):
        record = json.loads(text)
    if record is not None and record.get("override"):
        override, suggested = record["override"], record.get("suggested_outcome") or {}
        found.append({**base, "source": ReviewSource.OVERRIDE.value,
                      "step": suggested.get("id"),
                      "suggested_outcome": suggested.get("kind"),
                      "chosen_outcome": override.get("kind"),
                      "reason": override.get("reason") or None,
                      "reason_state": ReasonState.PENDING.value})
    if record is not None and row.get("red_flag_changed"):
        for flag in record.get("flags") or ():
            if flag.get("kind") != RecordFlag.RED_FLAG_CHANGED.value:
                continue
            found.append({**base, "source": ReviewSource.RED_FLAG_CHANGED.value,
                          "step": flag.get("step"),
                          "suggested_outcome": flag.get("outcome_before"),
                          "chosen_outcome": flag.get("outcome_after"),
                          "reason": flag.get("reason") or None,
                          "reason_state": ReasonState.PENDING.value})
    for item in found:
        if item["reason"] is None:
            item["reason_state"] = None
    return found


def add_contact_items(c: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Open the review items of contact records just written on ``c`` (found by call and
    need), in the same transaction."""
    wanted = [r for r in rows if NO_OVERRIDE not in str(r.get("record") or "")
              or r.get("red_flag_changed")]
    if not wanted:
        return
    items: list[dict[str, Any]] = []
    for row in wanted:
        contact_id = c.execute(sa.select(contacts.c.contact_id).where(
            contacts.c.call_id == row["call_id"], contacts.c.need == row["need"])).scalar_one()
        items.extend({**item, **opened_now()} for item in _items_of(row, contact_id))
    if items:
        c.execute(review_items.insert(), items)


def _view(view: str, today: dt.date) -> sa.ColumnElement[bool]:
    if view == ReviewView.CLOSED:
        return review_items.c.status == ReviewStatus.CLOSED.value
    condition: sa.ColumnElement[bool] = review_items.c.status.in_(NOT_CLOSED)
    if view == ReviewView.OVERDUE:
        condition = sa.and_(condition, review_items.c.due_on < today)
    return condition


def _item(row: Any) -> dict[str, Any]:
    item = dict(row)
    for key in ("opened_at", "reviewed_at", "closed_at"):
        item[key] = as_utc(item[key])
    return item


class SqlReviews(SqlTables, ReviewStore):
    """Refusals, the review queue and audit samples (the review part of the repository)."""

    def record_refusal(self, pathway_id: str, version: int, step: str, kind: str, *,
                       pattern_at: int) -> None:
        at = {"pathway_id": pathway_id, "pathway_version": version, "step": step}
        with self.transaction() as c:
            c.execute(refusals.insert().values(**at, kind=kind, refused_at=utc_now()))
            if kind == RefusalKind.NO_ROUTE:
                c.execute(review_items.insert().values(
                    **at, source=ReviewSource.NO_ROUTE.value, refusals=1, **opened_now()))
                return
            count = c.execute(sa.select(sa.func.count()).select_from(refusals).where(
                refusals.c.pathway_id == pathway_id, refusals.c.pathway_version == version,
                refusals.c.step == step, refusals.c.kind == kind)).scalar_one()
            pattern = c.execute(sa.select(review_items.c.item_id).where(
                review_items.c.source == ReviewSource.REFUSAL_PATTERN.value,
                review_items.c.pathway_id == pathway_id,
                review_items.c.pathway_version == version, review_items.c.step == step,
                review_items.c.status.in_(NOT_CLOSED))).scalar()
            if pattern is not None:
                c.execute(review_items.update().where(review_items.c.item_id == pattern)
                          .values(refusals=count))
            elif count >= pattern_at:
                c.execute(review_items.insert().values(
                    **at, source=ReviewSource.REFUSAL_PATTERN.value, refusals=count,
                    **opened_now()))

    def add_review_item(self, fields: Mapping[str, Any]) -> int:
        with self.transaction() as c:
            key = c.execute(review_items.insert().values(**{**opened_now(), **fields})
                            ).inserted_primary_key
        assert key is not None
        return int(key[0])

    def review_items(self, view: str, today: dt.date, *, limit: int = 50,
                     before: int | None = None) -> list[dict[str, Any]]:
        query = (sa.select(review_items).where(_view(view, today))
                 .order_by(review_items.c.item_id.desc()).limit(limit))
        if before is not None:
            query = query.where(review_items.c.item_id < before)
        with self.engine.connect() as c:
            return [_item(r) for r in c.execute(query).mappings().all()]

    def review_item(self, item_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as c:
            row = c.execute(sa.select(review_items).where(
                review_items.c.item_id == item_id)).mappings().first()
        return _item(row) if row is not None else None

    def review_counts(self, today: dt.date) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {v.value: {} for v in ReviewView}
        with self.engine.connect() as c:
            for view in ReviewView:
                rows = c.execute(sa.select(review_items.c.source, sa.func.count())
                                 .where(_view(view, today))
                                 .group_by(review_items.c.source)).all()
                counts[view.value] = {str(source): int(n) for source, n in rows}
        return counts

    def change_review_item(self, item_id: int, values: Mapping[str, Any], *,
                           unless_status: str | None = None) -> dict[str, Any] | None:
        with self.transaction() as c:
            query = review_items.update().where(review_items.c.item_id == item_id)
            if unless_status is not None:
                query = query.where(review_items.c.status != unless_status)
            if c.execute(query.values(**values)).rowcount != 1:
                return None
            row = c.execute(sa.select(review_items).where(
                review_items.c.item_id == item_id)).mappings().one()
        return _item(row)

    # --- audits ----------------------------------------------------------------------

    def audit_population(self, start: dt.datetime, end: dt.datetime
                         ) -> list[dict[str, Any]]:
        within = sa.and_(contacts.c.started_at >= since_text(start),
                         contacts.c.started_at < since_text(end))
        with self.engine.connect() as c:
            rows = c.execute(sa.select(contacts.c.contact_id, contacts.c.person_id,
                                       contacts.c.started_at, contacts.c.outcome_kind,
                                       contacts.c.caller_type).where(within)).mappings().all()
            overridden = set(c.execute(
                sa.select(review_items.c.contact_id).join(
                    contacts, contacts.c.contact_id == review_items.c.contact_id)
                .where(within, review_items.c.source == ReviewSource.OVERRIDE.value)
            ).scalars())
        return [{**r, "overridden": r["contact_id"] in overridden} for r in rows]

    def earlier_contacts_of(self, person_ids: Sequence[str], start: dt.datetime,
                            end: dt.datetime) -> list[tuple[int, str, str]]:
        found: list[tuple[int, str, str]] = []
        people = sorted(set(person_ids))
        with self.engine.connect() as c:
            for at in range(0, len(people), 500):
                rows = c.execute(sa.select(contacts.c.contact_id, contacts.c.person_id,
                                           contacts.c.started_at).where(
                    contacts.c.person_id.in_(people[at:at + 500]),
                    contacts.c.started_at >= since_text(start),
                    contacts.c.started_at < since_text(end))).all()
                found.extend((int(r[0]), str(r[1]), str(r[2])) for r in rows)
        return found

    def record_audit_sample(self, month: str, seed: str, population: int,
                            drawn: Sequence[tuple[int, str]], drawn_by: str
                            ) -> dict[str, Any]:
        try:
            with self.transaction() as c:
                c.execute(audit_samples.insert().values(
                    month=month, seed=seed, population=population, drawn_by=drawn_by,
                    drawn_at=utc_now()))
                if drawn:
                    c.execute(audit_sample_contacts.insert(), [
                        {"month": month, "contact_id": cid, "position": i, "reason": why}
                        for i, (cid, why) in enumerate(drawn, start=1)])
        except sa.exc.IntegrityError:
            pass  # drawn already (perhaps at the same moment elsewhere): that one stands
        recorded = self.audit_sample(month)
        assert recorded is not None
        return recorded

    def audit_sample(self, month: str) -> dict[str, Any] | None:
        with self.engine.connect() as c:
            head = c.execute(sa.select(audit_samples).where(
                audit_samples.c.month == month)).mappings().first()
            if head is None:
                return None
            drawn = c.execute(
                sa.select(audit_sample_contacts.c.contact_id, audit_sample_contacts.c.reason,
                          audit_scores.c.score, audit_scores.c.out_of,
                          audit_scores.c.form_id, audit_scores.c.form_version,
                          audit_scores.c.answers, audit_scores.c.findings,
                          audit_scores.c.scored_by)
                .select_from(audit_sample_contacts.outerjoin(audit_scores, sa.and_(
                    audit_scores.c.month == audit_sample_contacts.c.month,
                    audit_scores.c.contact_id == audit_sample_contacts.c.contact_id)))
                .where(audit_sample_contacts.c.month == month)
                .order_by(audit_sample_contacts.c.position)).mappings().all()
        contacts_drawn = []
        for row in drawn:
            entry: dict[str, Any] = {"contact_id": row["contact_id"], "reason": row["reason"],
                                     "score": None}
            if row["score"] is not None:
                entry["score"] = {"score": row["score"], "out_of": row["out_of"],
                                  "form": {"id": row["form_id"],
                                           "version": row["form_version"]},
                                  "answers": json.loads(row["answers"]),
                                  "findings": json.loads(row["findings"]),
                                  "scored_by": row["scored_by"]}
            contacts_drawn.append(entry)
        return {"month": head["month"], "seed": head["seed"],
                "population": head["population"], "drawn_by": head["drawn_by"],
                "drawn_at": as_utc(head["drawn_at"]), "contacts": contacts_drawn}

    def record_audit_score(self, score: Mapping[str, Any]) -> bool:
        values = dict(score)
        values["answers"] = json.dumps(values["answers"])
        values["findings"] = json.dumps(values["findings"])
        try:
            with self.transaction() as c:
                c.execute(audit_scores.insert().values(**values, scored_at=utc_now()))
        except sa.exc.IntegrityError:
            return False
        return True
