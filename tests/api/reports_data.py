"""A small hand-made set of contacts with known report figures (tests/api/test_reports_*).

The period is the two weeks from Monday 2026-03-02; every figure's expected numbers are
worked out by hand in the tests from the table below.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from api.reports.fields import period_keys, windows
from api.storage.schema import calls, contacts

NOW = dt.datetime(2026, 3, 16, 12, 0, tzinfo=dt.UTC)

# n, day, person, caller, reason, known, kind, language, age, extras
CONTACTS: list[tuple[Any, ...]] = [
    (0, "2026-02-20", "P6", "self", "complaint", "previously_known", "signpost", "English",
     None, {}),
    (1, "2026-03-02", "P1", "self", "needs_assessment", "open", "team_referral", "English",
     "65 to 74", {"team": "locality-north"}),
    (2, "2026-03-04", "P1", "family_friend", "information_advice", "open", "signpost",
     "English", "65 to 74", {}),
    (3, "2026-03-03", "P2", "self", "information_advice", "previously_known",
     "no_further_action", "Polish", "85 and over", {}),
    (4, "2026-03-05", None, "other", "information_advice", "not_known", "deflect_online",
     None, None, {}),
    (5, "2026-03-05", "P3", "self", "equipment_ot", "previously_known",
     "deflect_online_assisted", "Urdu", None, {}),
    (6, "2026-03-06", "P4", "hospital", "safeguarding", "open", "urgent_escalation", "English",
     None, {"escalated": True, "escalation_seconds": 300.0, "red_flag": True,
            "team": "mash"}),
    (7, "2026-03-10", "P5", "gp_community_health", "safeguarding", "previously_known",
     "emergency_services", "English", None,
     {"escalated": True, "escalation_seconds": 600.0, "red_flag": True}),
    (8, "2026-03-11", "P6", "self", "information_advice", "previously_known", "signpost",
     "English", None, {}),
    (9, "2026-03-12", "P1", "self", "information_advice", "open", "signpost", "English",
     None, {"test_call": True}),
    (10, "2026-03-12", "P4", "hospital", "needs_assessment", "open", "team_referral",
     "English", None, {"overridden": True, "outcome_id": "needs-assessment:x"}),
    (11, "2026-03-20", "P2", "self", "information_advice", "previously_known", "signpost",
     "Polish", None, {}),
]


def contact_values(n: int, day: str, person: str | None, caller: str, reason: str,
                   known: str, kind: str, language: str | None, age: str | None,
                   extras: dict[str, Any]) -> dict[str, Any]:
    """One contacts row."""
    started = f"{day}T10:{n:02d}:00.000+00:00"
    week, month = period_keys(started)
    since, until = windows(started)
    return {
        "contact_id": n + 1, "call_id": f"call-{n:02d}", "pathway_id": "front-door",
        "pathway_version": 1, "handler": "sam", "started_at": started, "ended_at": started,
        "outcome_id": extras.get("outcome_id", f"front-door:{kind}-{n}"),
        "outcome_kind": kind, "caller_type": caller, "reason": reason, "known_status": known,
        "person_id": person, "team": extras.get("team"), "timeframe": "none",
        "record": json.dumps({"n": n}), "need": 1,
        "preferred_language": language, "communication_needs": None, "age_band": age,
        "in_hours": True, "outcome_at": started,
        "first_red_flag_at": started if extras.get("red_flag") else None,
        "escalated": extras.get("escalated", False),
        "escalation_seconds": extras.get("escalation_seconds"),
        "deflection": {"deflect_online": "plain",
                       "deflect_online_assisted": "assisted"}.get(kind, "none"),
        "overridden": extras.get("overridden", False),
        "test_call": extras.get("test_call", False),
        "started_week": week, "started_month": month, "repeat_since": since,
        "follow_up_until": until, "fields_from": "written",
    }


def put_contacts(engine: sa.Engine) -> None:
    """Write the hand-made contacts (and their calls, and two calls still open)."""
    with engine.begin() as conn:
        for row in CONTACTS:
            values = contact_values(*row)
            conn.execute(calls.insert().values(
                call_id=values["call_id"], pathway_id="front-door", pathway_version=1,
                handler="sam", status="finished", row_version=1, data="{}",
                updated_at=NOW))
            conn.execute(contacts.insert().values(**values))
        for name, hours in (("open-now", 1), ("open-stale", 3)):
            conn.execute(calls.insert().values(
                call_id=name, pathway_id="front-door", pathway_version=1, handler="sam",
                status="active", row_version=1, data="{}",
                updated_at=NOW - dt.timedelta(hours=hours)))
