"""The report source the screen's report pages read: the report figures
(:mod:`api.reports.figures`) computed on the reports database."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import sqlalchemy as sa

from api.reports.figures import REPORTS, Filters, build_report
from api.reports.model import Period, Report
from api.reports.port import ReportEntry, ReportSource
from triage.errors import ReportsUnavailable, UnknownReport

SUMMARIES = {
    "callers": "Contacts by caller type, reason and known status, and how they cross.",
    "outcomes": "The outcome mix, deflection, resolution at first contact, repeat contacts "
                "and overrides.",
    "safety": "Red-flag escalations and the time to reach them; calls in progress and "
              "abandoned.",
    "equity": "Outcomes and deflection by preferred language, age band and communication "
              "needs, with groups that differ from the whole called out.",
}


class EngineReports(ReportSource):
    """Reports computed on the engine ``engine()`` gives (the replica's where one is set)."""

    def __init__(self, engine: Callable[[], sa.Engine]) -> None:
        self.engine = engine

    def catalogue(self) -> Sequence[ReportEntry]:
        return [ReportEntry(spec.key, spec.title, SUMMARIES.get(spec.key, ""))
                for spec in REPORTS.values()]

    def report(self, key: str, period: Period, filters: Mapping[str, str]) -> Report:
        if key not in REPORTS:
            raise UnknownReport(f"There is no report '{key}'; reports are: "
                                f"{', '.join(REPORTS)}.")
        version = filters.get("pathway_version")
        chosen = Filters(team=filters.get("team") or None,
                         pathway_version=int(version) if version else None)
        try:
            return build_report(self.engine(), key, period, chosen)
        except sa.exc.OperationalError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            raise ReportsUnavailable(reason=reason[0] if reason else "no answer") from exc
