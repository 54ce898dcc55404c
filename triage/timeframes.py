"""Response timeframes, counted in working days and hours (English bank holidays excluded)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

from triage.errors import TimeframeError

UK_TIME = ZoneInfo("Europe/London")
"""Timeframes are counted in English working days and hours, in UK local time."""

Unit = Literal["immediate", "working_days", "working_hours", "hours"]

_PATTERNS: list[tuple[re.Pattern[str], Unit, int | None]] = [
    (re.compile(r"^immediate(ly)?$"), "immediate", 0),
    (re.compile(r"^same working day$"), "working_days", 0),
    (re.compile(r"^next working day$"), "working_days", 1),
    (re.compile(r"^(\d+) working days?$"), "working_days", None),
    (re.compile(r"^(\d+) working hours?$"), "working_hours", None),
    (re.compile(r"^(\d+) hours?$"), "hours", None),
]
VALID = "immediate, same working day, next working day, N working days, N working hours, N hours"
WORKDAY_START = dt.time(9, 0)
WORKDAY_END = dt.time(17, 0)


@dataclass(frozen=True, slots=True)
class Timeframe:
    """How soon the outcome must be acted on."""

    text: str
    unit: Unit
    amount: int

    def due(self, start: dt.datetime) -> dt.datetime:
        """When the response is due for a contact that started at ``start`` (local time)."""
        if self.unit == "immediate":
            return start
        if self.unit == "hours":
            return start + dt.timedelta(hours=self.amount)
        if self.unit == "working_hours":
            return _add_working_hours(start, self.amount)
        day = start.date()
        if not is_working_day(day) or start.time() >= WORKDAY_END:
            day = next_working_day(day)
        for _ in range(self.amount):
            day = next_working_day(day)
        return dt.datetime.combine(day, WORKDAY_END)


def parse_timeframe(text: str) -> Timeframe:
    """Read a timeframe such as '2 working days'; TimeframeError listing the valid forms."""
    normal = " ".join(text.strip().lower().split())
    for pattern, unit, amount in _PATTERNS:
        match = pattern.match(normal)
        if match:
            return Timeframe(text, unit, amount if amount is not None else int(match.group(1)))
    raise TimeframeError(f"'{text}' is not a timeframe (valid: {VALID})")


@lru_cache(maxsize=8)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not an English bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """The first working day after ``day``."""
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _add_working_hours(start: dt.datetime, hours: int) -> dt.datetime:
    current = start
    if not is_working_day(current.date()) or current.time() >= WORKDAY_END:
        current = dt.datetime.combine(next_working_day(current.date()), WORKDAY_START)
    elif current.time() < WORKDAY_START:
        current = dt.datetime.combine(current.date(), WORKDAY_START)
    remaining = dt.timedelta(hours=hours)
    while remaining > dt.timedelta(0):
        end_of_day = dt.datetime.combine(current.date(), WORKDAY_END)
        if current + remaining <= end_of_day:
            return current + remaining
        remaining -= end_of_day - current
        current = dt.datetime.combine(next_working_day(current.date()), WORKDAY_START)
    return current
