"""The seam between the report figures and what shows them: a report source.

The screen's report pages (:mod:`api.web.report_pages`) ask a :class:`ReportSource` for
the list of reports and for one report over a period; they never query the store
themselves. The real source computes the figures from the contact records (on the reports
database: the read replica when one is set); tests use a source of hand-made reports that
subclasses this port, so it cannot drift from the contract.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from api.reports.model import Period, Report

FILTERS = ("team", "pathway_version")
"""The filters a report can be asked for (each optional): a team's id from the directory,
and the version (a whole number, as text) of the pathway calls start on."""


@dataclass(frozen=True)
class ReportEntry:
    """One report in the list of reports: its key (in its address), title and summary."""

    key: str
    title: str
    summary: str


class ReportSource(abc.ABC):
    """Where report pages get their reports.

    Both methods raise :class:`~triage.errors.ReportsUnavailable` when the reports database
    cannot be reached, and :meth:`report` raises :class:`~triage.errors.UnknownReport` for a
    key that is not in :meth:`catalogue`.
    """

    @abc.abstractmethod
    def catalogue(self) -> Sequence[ReportEntry]:
        """Every report, in the order the list of reports shows them."""

    @abc.abstractmethod
    def report(self, key: str, period: Period, filters: Mapping[str, str]) -> Report:
        """The report ``key`` over ``period``, with only the ``filters`` given (keys from
        :data:`FILTERS`) applied."""
