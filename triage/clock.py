"""The clock as a port, and the clock facts a call is routed on.

Whether a call is out of hours is worked out from the time, not asked of the handler: the
engine reads a :class:`Clock` when a call starts and gives the call its clock facts
(:data:`~triage.vocabulary.CLOCK_FACTS`): in hours or out of hours by the directory's
opening hours, and when the offices next open. Tests and replays fix the time with a
:class:`FixedClock`.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from typing import Any

from triage.timeframes import UK_TIME, OpeningHours
from triage.vocabulary import IN_HOURS, NEXT_OPENING, OUT_OF_HOURS


class Clock(ABC):
    """Says what time it is (aware, UTC); calling a clock is the same as ``now()``."""

    @abstractmethod
    def now(self) -> dt.datetime:
        """The time now, UTC."""

    def __call__(self) -> dt.datetime:
        return self.now()


class SystemClock(Clock):
    """The computer's clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock(Clock):
    """A clock that says what it is told: for tests and for replaying recorded calls."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = aware(at)

    def now(self) -> dt.datetime:
        return self.at

    def set(self, at: dt.datetime) -> None:
        """Move the clock to ``at`` (a naive time is UK local time)."""
        self.at = aware(at)

    def advance(self, **delta: float) -> None:
        """Move the clock on, as ``timedelta(**delta)``."""
        self.at += dt.timedelta(**delta)


def aware(at: dt.datetime) -> dt.datetime:
    """``at`` in UTC; a naive time is taken as UK local time (as a council reads one)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UK_TIME)
    return at.astimezone(dt.UTC)


def local(at: dt.datetime) -> dt.datetime:
    """``at`` as naive UK local time, as working time is counted."""
    return aware(at).astimezone(UK_TIME).replace(tzinfo=None)


def clock_facts(at: dt.datetime, hours: OpeningHours) -> dict[str, Any]:
    """The clock facts of a call routed at ``at``: in or out of hours, and the next
    opening (UK local time, ISO 8601 to the minute)."""
    now = local(at)
    open_now = hours.is_open(now)
    opening = hours.next_opening(now).replace(tzinfo=UK_TIME)
    return {IN_HOURS: open_now, OUT_OF_HOURS: not open_now,
            NEXT_OPENING: opening.isoformat(timespec="minutes")}
