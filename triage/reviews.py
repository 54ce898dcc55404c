"""The review queue's rules, with no storage: what an item is about, when it is overdue,
and whether a pathway version's change note answers it.

An item is opened by what handlers notice (an override, a red-flag answer changed after
an escalation, a "no route fits", a pattern of refused answers at one step, an audit
finding), marked reviewed with a finding, and closed by naming the pathway version whose
change note mentions it as ``review #ID``.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from triage.timeframes import is_working_day

OVERDUE_WORKING_DAYS = 10
"""An item not closed within this many working days of being opened is overdue."""
REFUSAL_PATTERN_AT = 3
"""Refused answers at one step of one pathway version that make a pattern to review."""


class ReviewSource(StrEnum):
    """What opened a review item."""

    OVERRIDE = "override"
    RED_FLAG_CHANGED = "red_flag_changed"
    NO_ROUTE = "no_route"
    REFUSAL_PATTERN = "refusal_pattern"
    AUDIT_FINDING = "audit_finding"


class ReviewStatus(StrEnum):
    """Where a review item is."""

    OPEN = "open"
    REVIEWED = "reviewed"  # a finding is written; no pathway version answers it yet
    CLOSED = "closed"  # a pathway version's change note answers it


class ReviewView(StrEnum):
    """The queue's views."""

    OPEN = "open"  # open or reviewed, not yet closed
    OVERDUE = "overdue"  # of those, past their due day
    CLOSED = "closed"


class ReasonState(StrEnum):
    """Whether a free-text reason has been checked for personal details by a supervisor."""

    PENDING = "pending"  # designers do not see it
    CONFIRMED = "confirmed"  # free of personal details as written
    REWRITTEN = "rewritten"  # the supervisor's rewording is shown instead


class RefusalKind(StrEnum):
    """What kind of refusal was recorded (never the answer itself)."""

    INVALID_ANSWER = "invalid_answer"  # the answer did not fit the question
    NO_ROUTE = "no_route"  # no route fitted the answers given


def due_on(opened: dt.date, working_days: int = OVERDUE_WORKING_DAYS) -> dt.date:
    """The day ``working_days`` working days (Monday to Friday, not an English bank
    holiday) after ``opened``: an item still open after it is overdue."""
    day, left = opened, working_days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def mentions(change_note: str, item_id: int) -> bool:
    """True when ``change_note`` names review item ``item_id`` (``review #12``, any case,
    and not ``review #120``)."""
    return re.search(rf"\breview\s*#\s*{item_id}(?!\d)", change_note, re.IGNORECASE) is not None
