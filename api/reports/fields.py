"""The fields a contact record carries for reports (migration 0009), worked out once when
the contact is written so that every figure is a plain aggregate over columns.

- ``preferred_language``, ``communication_needs``: the person's, from the client index when
  the person check confirmed them; otherwise, when the person called themselves, the
  language the call was taken in; otherwise not known (None).
- ``age_band``: from the date of birth given on the call (``person_date_of_birth``) or, if
  none was, the client index's, as of the day of the call.
- ``in_hours``: the clock fact the call was routed on.
- ``outcome_at``, ``first_red_flag_at``: when the need reached its outcome, and the first
  "yes" or "not sure" to a red-flag question (ISO 8601, UTC).
- ``escalated`` and ``escalation_seconds``: whether the suggested outcome was one of the
  directory's ``escalation_kinds``, and the seconds from the start of the call to it (the
  trail's outcome line).
- ``deflection``: ``plain``, ``assisted`` or ``none``, from the outcome kind as recorded
  (an override's, if there was one). ``overridden``: the handler overrode the outcome.
- ``started_week``, ``started_month``: the Monday and first of the month (UTC) of the start,
  the report periods' keys; ``repeat_since`` and ``follow_up_until``: the start 28 days
  before and after, the windows of repeat contacts and resolution at first contact.
- ``fields_from``: ``written`` (all of the above known when written) or ``backfill``
  (derived from an older record by migration 0009: see :data:`BACKFILL_LACKS`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from triage.vocabulary import OutcomeKind, TrailKind

REPEAT_DAYS = 28
"""The window of a repeat contact and of resolution at first contact (the CLD follow-on)."""
RED_FLAG_RAISED = ("yes", "not_sure")
DEFLECTIONS = {OutcomeKind.DEFLECT_ONLINE.value: "plain",
               OutcomeKind.DEFLECT_ONLINE_ASSISTED.value: "assisted"}
AGE_BANDS: Sequence[tuple[int | None, str]] = (
    (18, "under 18"), (65, "18 to 64"), (75, "65 to 74"), (85, "75 to 84"),
    (None, "85 and over"))
"""Upper bounds (exclusive) and names of the age bands, youngest first."""
AGE_BAND_NAMES = tuple(name for _bound, name in AGE_BANDS)
BACKFILL_LACKS = ("preferred_language", "communication_needs", "first_red_flag_at")
"""What a record written before migration 0009 cannot tell: the person's language and
communication needs were not kept, nor which questions were red-flag questions."""
LANGUAGE_NAMES = {"en": "English", "cy": "Welsh", "pl": "Polish", "pa": "Punjabi",
                  "ur": "Urdu", "bn": "Bengali", "gu": "Gujarati", "so": "Somali",
                  "ar": "Arabic", "ro": "Romanian", "ta": "Tamil"}
TEXT_LIMIT = 200


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 time as recorded; one without a zone is taken as UTC."""
    at = dt.datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def time_text(at: dt.datetime) -> str:
    """A time as contact records store it (UTC, milliseconds), so text order is time order."""
    return at.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def period_keys(started_at: str) -> tuple[str, str]:
    """The week (its Monday) and month (its first day) of a start time, in UTC."""
    day = parse_time(started_at).astimezone(dt.UTC).date()
    monday = day - dt.timedelta(days=day.weekday())
    return monday.isoformat(), day.replace(day=1).isoformat()


def windows(started_at: str) -> tuple[str, str]:
    """The start time 28 days before and 28 days after."""
    at = parse_time(started_at)
    span = dt.timedelta(days=REPEAT_DAYS)
    return time_text(at - span), time_text(at + span)


def age_band(born: dt.date | str | None, on: dt.date) -> str | None:
    """The age band of someone born on ``born``, on the day ``on``; None if not known."""
    if isinstance(born, str):
        try:
            born = dt.date.fromisoformat(born[:10])
        except ValueError:
            return None
    if born is None or born > on:
        return None
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for bound, name in AGE_BANDS:
        if bound is None or years < bound:
            return name
    return None  # pragma: no cover - the last band has no bound


def _clip(text: Any) -> str | None:
    value = str(text).strip() if text is not None else ""
    return value[:TEXT_LIMIT] or None


def first_red_flag_at(trail: Sequence[Mapping[str, Any]],
                      red_flag_steps: Collection[str]) -> str | None:
    """When a red-flag question was first answered "yes" or "not sure" on the trail."""
    times = [float(line["at"]) for line in trail
             if line.get("step") in red_flag_steps and line.get("answer") in RED_FLAG_RAISED]
    return time_text(dt.datetime.fromtimestamp(min(times), dt.UTC)) if times else None


def escalation_seconds(record: Mapping[str, Any]) -> float | None:
    """Seconds from the start of the call to the trail's (last) outcome line."""
    outcome = [float(line["at"]) for line in record.get("trail") or []
               if line.get("kind") == TrailKind.OUTCOME]
    if not outcome:
        return None
    seconds = outcome[-1] - parse_time(str(record["started_at"])).timestamp()
    return round(max(seconds, 0.0), 3)


def report_fields(record: Mapping[str, Any], outcome_kind: str, *,
                  escalation_kinds: Collection[str], red_flag_steps: Collection[str],
                  profile: Mapping[str, Any]) -> dict[str, Any]:
    """The report columns of one contact: ``record`` is its contact record, ``outcome_kind``
    the kind recorded (an override's if any), ``profile`` the person's language,
    communication needs and date of birth as known when it was written."""
    started_at = str(record["started_at"])
    week, month = period_keys(started_at)
    since, until = windows(started_at)
    escalated = (record.get("suggested_outcome") or {}).get("kind") in escalation_kinds
    clock = record.get("clock") or {}
    return {
        "preferred_language": _clip(profile.get("preferred_language")),
        "communication_needs": _clip(profile.get("communication_needs")),
        "age_band": age_band(profile.get("date_of_birth"), parse_time(started_at).date()),
        "in_hours": clock.get("in_hours") if isinstance(clock.get("in_hours"), bool)
        else None,
        "outcome_at": record.get("outcome_at"),
        "first_red_flag_at": first_red_flag_at(record.get("trail") or [], red_flag_steps),
        "escalated": escalated,
        "escalation_seconds": escalation_seconds(record) if escalated else None,
        "deflection": DEFLECTIONS.get(outcome_kind, "none"),
        "overridden": record.get("override") is not None,
        "test_call": False,
        "started_week": week, "started_month": month,
        "repeat_since": since, "follow_up_until": until,
        "fields_from": "written",
    }
