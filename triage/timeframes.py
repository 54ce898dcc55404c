"""Response timeframes, counted in the council's working days and hours.

Working time is the front door's opening hours (``opening_hours`` in the directory,
Monday to Friday 9am to 5pm when none are given), less English bank holidays (from the
``holidays`` package) and the directory's local closures, in UK local time.
"""

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
DAY_MINUTES = 24 * 60
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

Period = tuple[int, int]
"""Minutes after midnight: open from the first up to (not including) the second."""


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """When the front door's offices are open: periods per weekday, closed days."""

    week: tuple[tuple[Period, ...], ...]
    """Seven entries, Monday first; each the day's open periods in order."""
    closures: frozenset[dt.date] = frozenset()
    """Local closures (the directory's), on top of the bank holidays."""
    bank_holidays_open: bool = False

    def periods(self, day: dt.date) -> tuple[Period, ...]:
        """The open periods on ``day``: none on a closure or (unless open then) a bank
        holiday."""
        if day in self.closures or (not self.bank_holidays_open and is_bank_holiday(day)):
            return ()
        return self.week[day.weekday()]

    def is_working_day(self, day: dt.date) -> bool:
        """True when the offices open at all on ``day``."""
        return bool(self.periods(day))

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day after ``day``."""
        for _ in range(800):
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise TimeframeError("the opening hours have no working day in the next two years")

    def is_open(self, at: dt.datetime) -> bool:
        """True when the offices are open at ``at`` (local time, naive)."""
        minute = at.hour * 60 + at.minute
        return any(start <= minute < end for start, end in self.periods(at.date()))

    def day_end(self, day: dt.date) -> dt.datetime:
        """When the offices close for the day on working day ``day``."""
        return _at(day, self.periods(day)[-1][1])

    def next_opening(self, at: dt.datetime) -> dt.datetime:
        """When the offices are next open: ``at`` itself when they are open now."""
        if self.is_open(at):
            return at
        minute = at.hour * 60 + at.minute
        for start, _end in self.periods(at.date()):
            if start > minute:
                return _at(at.date(), start)
        day = self.next_working_day(at.date())
        return _at(day, self.periods(day)[0][0])

    def add_working_hours(self, start: dt.datetime, hours: int) -> dt.datetime:
        """``hours`` of opening time after ``start``."""
        remaining = float(hours * 60)
        current = self.next_opening(start)
        for _ in range(10_000):
            minute = current.hour * 60 + current.minute
            period_end = next(end for s, end in self.periods(current.date()) if s <= minute < end)
            left = period_end - minute - current.second / 60
            if remaining <= left:
                return current + dt.timedelta(minutes=remaining)
            remaining -= left
            current = self.next_opening(_at(current.date(), period_end))
        raise TimeframeError(f"{hours} working hours do not fit the opening hours")


def _at(day: dt.date, minute: int) -> dt.datetime:
    """Local time ``minute`` minutes after midnight on ``day`` (24:00 is the next day)."""
    return dt.datetime.combine(day, dt.time(0)) + dt.timedelta(minutes=minute)


OFFICE_HOURS = OpeningHours(week=tuple(
    ((9 * 60, 17 * 60),) if weekday < 5 else () for weekday in range(7)))
"""Monday to Friday, 9am to 5pm: the hours used when the directory gives none."""


@dataclass(frozen=True, slots=True)
class Timeframe:
    """How soon the outcome must be acted on."""

    text: str
    unit: Unit
    amount: int

    def due(self, start: dt.datetime, hours: OpeningHours = OFFICE_HOURS) -> dt.datetime:
        """When the response is due for a contact that started at ``start`` (local time):
        working days end at the day's closing time, and a contact out of hours counts
        from the next opening."""
        if self.unit == "immediate":
            return start
        if self.unit == "hours":
            return start + dt.timedelta(hours=self.amount)
        if self.unit == "working_hours":
            return hours.add_working_hours(start, self.amount)
        day = start.date()
        if not hours.is_working_day(day) or start >= hours.day_end(day):
            day = hours.next_working_day(day)
        for _ in range(self.amount):
            day = hours.next_working_day(day)
        return hours.day_end(day)

    @property
    def within_working_day(self) -> bool:
        """True for "same working day" or anything shorter (immediate, hours)."""
        return self.unit in ("immediate", "hours", "working_hours") or (
            self.unit == "working_days" and self.amount == 0)


@lru_cache(maxsize=1024)
def parse_timeframe(text: str) -> Timeframe:
    """Read a timeframe such as '2 working days'; TimeframeError listing the valid forms.

    Kept once read (a Timeframe never changes): every outcome shown reads its own."""
    normal = " ".join(text.strip().lower().split())
    for pattern, unit, amount in _PATTERNS:
        match = pattern.match(normal)
        if match:
            return Timeframe(text, unit, amount if amount is not None else int(match.group(1)))
    raise TimeframeError(f"'{text}' is not a timeframe (valid: {VALID})")


_PERIOD = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
HOURS_FORM = ("write the day's periods as HH:MM-HH:MM separated by commas (for example "
              "'09:00-17:00' or '08:00-12:30, 13:30-18:00'), '00:00-24:00' for all day, or "
              "'closed'")


def parse_day_hours(text: str) -> tuple[Period, ...]:
    """One day's opening hours, such as '09:00-17:00'; ValueError saying what is wrong."""
    normal = text.strip().lower()
    if normal == "closed":
        return ()
    periods: list[Period] = []
    for part in normal.split(","):
        match = _PERIOD.match(part.strip())
        if match is None:
            raise ValueError(f"'{part.strip()}' is not a period of opening hours: {HOURS_FORM}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
            raise ValueError(f"'{part.strip()}' is not a time of day (hours run 00 to 23, "
                             "minutes 00 to 59, and 24:00 is the end of the day)")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            hint = (" (midnight at the end of the day is 24:00)" if end == 0 else
                    f"; a period cannot run past midnight: write '{part.strip()[:5]}-24:00' "
                    f"here and '00:00-{part.strip()[-5:]}' on the next day")
            raise ValueError(f"'{part.strip()}' ends before it starts{hint}")
        periods.append((start, end))
    periods.sort()
    for (s1, e1), (s2, e2) in zip(periods, periods[1:], strict=False):
        if s2 < e1:
            raise ValueError(f"the periods {_hhmm(s1)}-{_hhmm(e1)} and {_hhmm(s2)}-{_hhmm(e2)} "
                             "overlap; give each time once")
    return tuple(periods)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@lru_cache(maxsize=8)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


@lru_cache(maxsize=4096)
def is_bank_holiday(day: dt.date) -> bool:
    """An English bank holiday (kept once asked: every call's clock facts ask again)."""
    return day in _bank_holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not an English bank holiday (the default opening hours)."""
    return OFFICE_HOURS.is_working_day(day)


def next_working_day(day: dt.date) -> dt.date:
    """The first working day after ``day`` (the default opening hours)."""
    return OFFICE_HOURS.next_working_day(day)
