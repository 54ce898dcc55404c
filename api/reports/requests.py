"""Reading a report request's period and filters, each problem a sentence naming the
field (:class:`~triage.errors.ReportRefused`, a 422), and turning a figure into CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection
from dataclasses import asdict
from typing import Any

from api.reports.figures import Filters
from api.reports.model import Figure, Period, Report
from triage.errors import ReportRefused

LONGEST = dt.timedelta(days=3 * 366)
"""The longest period a report covers (about three years)."""
DEFAULT_WEEKS = 12
BY = ("week", "month")
TEAM_LIMIT = 64
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _day(text: str, field: str) -> dt.date:
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ReportRefused(f"'{text[:40]}' is not a date: give {field} as YYYY-MM-DD, such "
                            "as 2026-04-01.", field=field) from None


def read_period(start: str | None, end: str | None, by: str | None,
                today: dt.date) -> Period:
    """The period from ``start`` to ``end`` (both days included) by week or month; without
    dates, the 12 weeks up to ``today``."""
    by = by or "week"
    if by not in BY:
        raise ReportRefused(f"'{by[:40]}' is not a way to group a report: by takes week or "
                            "month.", field="by")
    last = _day(end, "end") if end else today
    first = _day(start, "start") if start else last - dt.timedelta(weeks=DEFAULT_WEEKS) + \
        dt.timedelta(days=1)
    if last < first:
        raise ReportRefused(f"The period ends ({last.isoformat()}) before it starts "
                            f"({first.isoformat()}): give an end on or after the start.",
                            field="end")
    if last - first >= LONGEST:
        raise ReportRefused(f"The period from {first.isoformat()} to {last.isoformat()} is "
                            f"longer than three years ({LONGEST.days:,} days); ask for a "
                            "shorter one.", field="end")
    return Period(first, last + dt.timedelta(days=1), by)


def read_filters(team: str | None, pathway_version: str | None,
                 teams: Collection[str] = ()) -> Filters:
    """The team and pathway-version filters; a team must be one of ``teams`` (when
    given), a version a whole number from 1."""
    if team is not None and (len(team) > TEAM_LIMIT or (teams and team not in teams)):
        known = ", ".join(sorted(teams)) if teams else "a team id from the directory"
        raise ReportRefused(f"'{team[:40]}' is not a team of the directory; teams are: "
                            f"{known}.", field="team")
    version = None
    if pathway_version is not None:
        if not pathway_version.isdigit() or not 1 <= int(pathway_version) <= 2**31 - 1:
            raise ReportRefused(f"'{pathway_version[:40]}' is not a pathway version: give a "
                                "whole number such as 3.", field="pathway_version")
        version = int(pathway_version)
    return Filters(team or None, version)


def report_json(report: Report) -> dict[str, Any]:
    """A report as the API answers it (the period's end as the last day included)."""
    data = asdict(report)
    data["period"] = {"start": report.period.start.isoformat(),
                      "end": (report.period.end - dt.timedelta(days=1)).isoformat(),
                      "by": report.period.by}
    data["as_of"] = report.as_of.isoformat() if report.as_of else None
    return data


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # a spreadsheet would run it as a formula
    return "" if value is None else value


def figure_csv(figure: Figure) -> str:
    """A figure's table as CSV: the headings (with units), then its rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"{c.heading} ({c.unit})" if c.unit else c.heading
                     for c in figure.columns])
    for row in figure.rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
