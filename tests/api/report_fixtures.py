"""Reports made by hand, with numbers known in advance, for the report pages' tests.

They have the shape the report figures take (:mod:`api.reports.model`), so the pages and
charts are tested on what a manager would see without depending on how the figures are
computed. :class:`FixedReports` is a report source serving them (and can be told the
reports database is unreachable).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from api.reports.model import ChartKind, Column, Figure, Period, Report
from api.reports.port import ReportEntry, ReportSource
from triage.errors import ReportsUnavailable, UnknownReport

CALLER_TYPES = Figure(
    key="caller-type", title="Contacts by caller type",
    columns=[Column("caller_type", "Caller type"), Column("contacts", "Contacts"),
             Column("share", "Share", "%")],
    rows=[["Family, friend or neighbour", 120, 40.0], ["GP or community health", 90, 30.0],
          ["The person themselves", 60, 20.0], ["Police, probation or court", 30, 10.0]],
    chart=ChartKind.BAR, value="contacts")

OUTCOME_MIX = Figure(
    key="outcome-mix", title="Outcome mix by week",
    columns=[Column("week", "Week"), Column("deflect_online", "Deflected online"),
             Column("referral", "New referral"), Column("signpost", "Signposted")],
    rows=[["2026-W44", 30, 20, 10], ["2026-W45", 15, 25, 5], ["2026-W46", 0, 10, 0]],
    chart=ChartKind.STACKED_BAR, series=["deflect_online", "referral", "signpost"])

DEFLECTION = Figure(
    key="deflection-rate", title="Deflection rate by week",
    columns=[Column("week", "Week"), Column("deflection_rate", "Deflection rate", "%"),
             Column("assisted_share", "Assisted share", "%")],
    rows=[["2026-W44", 50.0, 10.0], ["2026-W45", 33.3, 20.0], ["2026-W46", 0.0, None]],
    chart=ChartKind.LINE, series=["deflection_rate", "assisted_share"])

EQUITY = Figure(
    key="deflection-by-language", title="Deflection by preferred language",
    columns=[Column("language", "Preferred language"), Column("contacts", "Contacts"),
             Column("deflected", "Deflected", "%")],
    rows=[["English", 250, 32.0], ["Polish", 30, 10.0], ["Welsh", 20, 30.0]],
    chart=ChartKind.BAR, value="deflected", flagged=[1],
    notes=["312 older contacts lack a preferred language"])

ESCALATIONS = Figure(
    key="escalation-times", title="Time to a red-flag escalation",
    columns=[Column("measure", "Measure"), Column("minutes", "Minutes", "minutes")],
    rows=[["Median", 2.5], ["90th percentile", 6.0]], chart=ChartKind.NONE)

NOTHING = Figure(
    key="repeat-contacts", title="Repeat contacts within 28 days",
    columns=[Column("week", "Week"), Column("repeats", "Repeat contacts")], rows=[],
    chart=ChartKind.BAR, value="repeats")

CATALOGUE = (
    ReportEntry("contacts", "Who calls and why",
                "Contacts by caller type, and how each contact ended."),
    ReportEntry("equity", "Equity and escalations",
                "Deflection by preferred language, and time to a red-flag escalation."),
)


class FixedReports(ReportSource):
    """A report source serving the hand-made reports above, whatever the period; it
    remembers what it was asked for."""

    def __init__(self, *, as_of: dt.datetime | None = None) -> None:
        self.as_of = as_of
        self.unreachable = False
        self.asked: list[tuple[str, Period, dict[str, str]]] = []

    def catalogue(self) -> tuple[ReportEntry, ...]:
        if self.unreachable:
            raise ReportsUnavailable(reason="connection refused")
        return CATALOGUE

    def report(self, key: str, period: Period, filters: Mapping[str, str]) -> Report:
        if self.unreachable:
            raise ReportsUnavailable(reason="connection refused")
        self.asked.append((key, period, dict(filters)))
        if key == "contacts":
            figures = [CALLER_TYPES, OUTCOME_MIX, DEFLECTION, NOTHING]
        elif key == "equity":
            figures = [EQUITY, ESCALATIONS]
        else:
            raise UnknownReport(f"There is no report '{key}'.")
        title = next(entry.title for entry in CATALOGUE if entry.key == key)
        return Report(key=key, title=title, period=period, figures=figures, as_of=self.as_of,
                      filters=dict(filters))
