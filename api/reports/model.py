"""The shape every report figure takes, shared by the queries that compute it and the
pages, CSV downloads and API that show it.

A :class:`Figure` is one table of numbers with the chart that draws it. The numbers are
the truth: a chart is drawn from the table, never the other way round, so the table beside
the chart (and its CSV) always says exactly what the chart shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

Cell = str | int | float | None


class ChartKind(StrEnum):
    """How a figure is drawn."""

    BAR = "bar"  # one bar per row: the first column names it, ``value`` is its length
    STACKED_BAR = "stacked_bar"  # one bar per row, stacked by ``series`` columns
    LINE = "line"  # one line per ``series`` column over the rows (weeks or months)
    NONE = "none"  # a table only


@dataclass(frozen=True)
class Column:
    """One column of a figure's table: its key, its heading and its unit."""

    key: str
    heading: str
    unit: str = ""  # "", "%", "minutes", ...


@dataclass(frozen=True)
class Figure:
    """One report figure: a titled table of numbers and how to chart it."""

    key: str  # stable id, used in addresses and CSV file names: "outcome-mix"
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    chart: ChartKind = ChartKind.BAR
    value: str | None = None  # the column a BAR chart draws
    series: Sequence[str] = ()  # the columns a STACKED_BAR or LINE chart draws
    notes: Sequence[str] = ()  # e.g. "312 older contacts lack a preferred language"
    flagged: Sequence[int] = ()  # rows to call out (equity: over 10 points from the whole)


@dataclass(frozen=True)
class Period:
    """A report period: from ``start`` (inclusive) to ``end`` (exclusive), UTC dates."""

    start: dt.date
    end: dt.date
    by: str = "week"  # "week" | "month"


@dataclass(frozen=True)
class Report:
    """A report page: its figures over a period, and how fresh they are."""

    key: str
    title: str
    period: Period
    figures: Sequence[Figure]
    as_of: dt.datetime | None = None  # the replica's last replayed change; None: live
    filters: dict[str, str] = field(default_factory=dict)  # team, pathway version
