"""What reports need on each contact: the person's preferred language, communication
needs and age band, the clock, the times of the outcome and of the first red-flag answer,
the escalation and its time from the start of the call, the deflection, the override, a
test-call mark, the report periods' keys and the 28-day windows; and indexes for them.

Older contacts are filled in from their stored record where it can tell: the age band
(from a date of birth answered on the call), the clock, the outcome time, the escalation
(the two escalation kinds of the pathway language: emergency_services, urgent_escalation)
with its time from the trail, the deflection, the override, the periods and windows. Their
preferred language, communication needs and first red-flag answer cannot be told from the
record and stay empty; ``fields_from`` is ``backfill`` on them, so reports say how many
contacts of a period lack those.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 2000
ESCALATION_KINDS = ("emergency_services", "urgent_escalation")
DEFLECTIONS = {"deflect_online": "plain", "deflect_online_assisted": "assisted"}
BANDS = ((18, "under 18"), (65, "18 to 64"), (75, "65 to 74"), (85, "75 to 84"))

COLUMNS: tuple[tuple[str, Any, dict[str, Any]], ...] = (
    ("preferred_language", sa.String(200), {}),
    ("communication_needs", sa.String(200), {}),
    ("age_band", sa.String(20), {}),
    ("in_hours", sa.Boolean, {}),
    ("outcome_at", sa.String(40), {}),
    ("first_red_flag_at", sa.String(40), {}),
    ("escalated", sa.Boolean, {"nullable": False, "server_default": sa.false()}),
    ("escalation_seconds", sa.Float, {}),
    ("deflection", sa.String(10), {"nullable": False, "server_default": "none"}),
    ("overridden", sa.Boolean, {"nullable": False, "server_default": sa.false()}),
    ("test_call", sa.Boolean, {"nullable": False, "server_default": sa.false()}),
    ("started_week", sa.String(10), {}),
    ("started_month", sa.String(10), {}),
    ("repeat_since", sa.String(40), {}),
    ("follow_up_until", sa.String(40), {}),
    ("fields_from", sa.String(10), {"nullable": False, "server_default": "written"}),
)
INDEXES = (("contacts_for_reports", ["started_at", "test_call"]),
           ("contacts_for_team_reports", ["team", "started_at"]),
           ("contacts_by_person_reason", ["person_id", "reason", "started_at"]))


def _time(text: str) -> dt.datetime:
    at = dt.datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _text(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def _band(record: dict[str, Any], on: dt.date) -> str | None:
    born = next((line.get("answer") for line in record.get("trail") or []
                 if str(line.get("step", "")).split("/")[-1] == "person_date_of_birth"
                 and isinstance(line.get("answer"), str)), None)
    try:
        day = dt.date.fromisoformat(str(born)[:10]) if born else None
    except ValueError:
        return None
    if day is None or day > on:
        return None
    years = on.year - day.year - ((on.month, on.day) < (day.month, day.day))
    return next((name for bound, name in BANDS if years < bound), "85 and over")


def backfilled(row: Any) -> dict[str, Any]:
    """The report fields an older contact's stored record can tell."""
    try:
        record = json.loads(row.record)
    except ValueError:
        record = {}
    start = _time(row.started_at)
    day = start.astimezone(dt.UTC).date()
    escalated = (record.get("suggested_outcome") or {}).get("kind") in ESCALATION_KINDS
    seconds = None
    outcome = [float(line["at"]) for line in record.get("trail") or []
               if line.get("kind") == "outcome" and isinstance(line.get("at"), int | float)]
    if escalated and outcome:
        seconds = round(max(outcome[-1] - start.timestamp(), 0.0), 3)
    clock = record.get("clock") or {}
    span = dt.timedelta(days=28)
    return {
        "age_band": _band(record, day),
        "in_hours": clock.get("in_hours") if isinstance(clock.get("in_hours"), bool) else None,
        "outcome_at": record.get("outcome_at"),
        "escalated": escalated, "escalation_seconds": seconds,
        "deflection": DEFLECTIONS.get(row.outcome_kind, "none"),
        "overridden": record.get("override") is not None,
        "started_week": (day - dt.timedelta(days=day.weekday())).isoformat(),
        "started_month": day.replace(day=1).isoformat(),
        "repeat_since": _text(start - span), "follow_up_until": _text(start + span),
        "fields_from": "backfill",
    }


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        for name, kind, options in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=options.get("nullable", True),
                                       server_default=options.get("server_default")))
    bind = op.get_bind()
    table = sa.table("contacts", sa.column("contact_id"), sa.column("started_at"),
                     sa.column("outcome_kind"), sa.column("record"),
                     *(sa.column(name) for name, _kind, _options in COLUMNS))
    last = 0
    while True:
        rows = bind.execute(sa.select(table.c.contact_id, table.c.started_at,
                                      table.c.outcome_kind, table.c.record)
                            .where(table.c.contact_id > last)
                            .order_by(table.c.contact_id).limit(BATCH)).all()
        if not rows:
            break
        for row in rows:
            bind.execute(table.update().where(table.c.contact_id == row.contact_id)
                         .values(**backfilled(row)))
        last = rows[-1].contact_id
    for name, columns in INDEXES:
        op.create_index(name, "contacts", columns)


def downgrade() -> None:
    for name, _columns in INDEXES:
        op.drop_index(name, table_name="contacts")
    with op.batch_alter_table("contacts") as batch:
        for name, _kind, _options in reversed(COLUMNS):
            batch.drop_column(name)
