"""The report pages, for managers and supervisors: the list of reports, a page per report
(the period form, each figure as a chart with its table one click away, a CSV of each
table), and the page that says reports are unavailable when their database cannot be
reached.

Pages (a manager or supervisor signed in; anyone else gets the screen's 403 page):

- ``/reports`` the list of reports
- ``/reports/{report}?start-day=...&end-day=...&by=week&team=&pathway_version=`` a report
  over a period (the form is sent with GET, so a report's address can be bookmarked)
- ``/reports/{report}/{figure}.csv?...`` one figure's table, as CSV, over the same period

The pages ask a :class:`~api.reports.port.ReportSource` for the reports (the app's
``state.reports``, else the service's ``reports``); they never read the store themselves,
and never show a contact record. Every page view and download is written to the audit log
(who, which report, which period and filters: nothing about any person).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from api.reports.model import Cell, Figure, Period, Report
from api.reports.port import ReportEntry, ReportSource
from api.service import Role, User
from api.web.charts import NO_CONTACTS, chart, is_empty, value_text
from api.web.routing import Router
from api.web.screen import Screen
from triage.errors import ReportsUnavailable, RoleNotAllowed, TriageError, UnknownReport
from triage.timeframes import UK_TIME

REPORTERS = (Role.MANAGER, Role.SUPERVISOR)
"""Who may see reports."""
MAX_DAYS = 3 * 366
"""The longest period a report covers (about three years)."""
DEFAULT_WEEKS = 12
"""A report opened without a period covers the last 12 weeks, to today."""
BY = (("week", "By week"), ("month", "By month"))
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
ALL = ""
"""The filter choice that filters nothing."""


# --- who may see a report, and where the reports come from ----------------------------------

def reporter(screen: Screen, request: Request) -> User | Response:
    """The signed-in manager or supervisor, or the page to show anyone else."""
    user = screen.user(request)
    if user is None:
        return screen.to_sign_in(request)
    if user.role not in REPORTERS:
        screen.log.warning("reports_refused", user=user.username, role=user.role.value,
                           path=request.url.path)
        return screen.refused(request, user, RoleNotAllowed(
            role=user.role.value, allowed=[role.value for role in REPORTERS]))
    return user


def report_source(request: Request) -> ReportSource:
    """The reports: the app's own source if it was given one, else the service's."""
    source = getattr(request.app.state, "reports", None)
    if source is None:
        source = getattr(request.app.state.front_door, "reports", None)
    if not isinstance(source, ReportSource):
        raise ReportsUnavailable(reason="no report source is configured")
    return source


# --- the period form ------------------------------------------------------------------------

@dataclass
class PeriodForm:
    """The period form as entered, what it asks for once checked, and its problems."""

    values: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    period: Period | None = None
    filters: dict[str, str] = field(default_factory=dict)

    def query(self) -> str:
        """The form as an address's query (for the CSV links and the back link)."""
        return "&".join(f"{name}={value}" for name, value in self.values.items()
                        if value != "")


@dataclass(frozen=True)
class Choices:
    """The teams and pathway versions a report can be filtered by: (value, label)."""

    teams: Sequence[tuple[str, str]]
    pathway_versions: Sequence[tuple[str, str]]


def filter_choices(screen: Screen, request: Request) -> Choices:
    """The teams of the loaded pathways' directories, and the loaded versions of the
    pathways calls start on (a contact records the version of the pathway its call
    started on), newest first."""
    library = screen.door(request).library
    teams: dict[str, str] = {}
    for compiled in library.catalogue.pathways.values():
        for team in compiled.places.teams.values():
            teams.setdefault(team.id, team.name)
    entry_ids = {p.id for p in library.entry_pathways()}
    versions: dict[str, str] = {}
    for pathway in library.listing():
        if pathway.id in entry_ids:
            versions.setdefault(str(pathway.version), f"Version {pathway.version}")
    ordered = sorted(versions.items(), key=lambda item: -int(item[0]))
    return Choices(sorted(teams.items(), key=lambda item: item[1]), ordered)


def _date(form: PeriodForm, name: str, label: str) -> dt.date | None:
    parts = [form.values[f"{name}-{part}"] for part in ("day", "month", "year")]
    if not any(parts):
        form.errors.append((name, f"Enter the {label.lower()}"))
        return None
    missing = [part for part, value in zip(("day", "month", "year"), parts, strict=True)
               if not value]
    if missing:
        form.errors.append((name, f"{label} must include a {' and a '.join(missing)}"))
        return None
    if not all(value.isdigit() for value in parts) or len(parts[2]) != 4:
        form.errors.append((name, f"{label} must be a real date, for example 1 10 2026"))
        return None
    try:
        return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        form.errors.append((name, f"{label} must be a real date, for example 1 10 2026"))
        return None


def read_period_form(query: Mapping[str, str], choices: Choices,
                     today: dt.date) -> PeriodForm:
    """The period and filters a report page's address asks for (the last
    :data:`DEFAULT_WEEKS` weeks by week when it asks for none), or what is wrong with them,
    each problem naming its field."""
    names = [f"{name}-{part}" for name in ("start", "end") for part in ("day", "month", "year")]
    form = PeriodForm({name: str(query.get(name, "")).strip()[:80]
                       for name in (*names, "by", "team", "pathway_version")})
    if not any(form.values[name] for name in names):
        first = today - dt.timedelta(weeks=DEFAULT_WEEKS) + dt.timedelta(days=1)
        for name, day in (("start", first), ("end", today)):
            form.values.update({f"{name}-day": str(day.day), f"{name}-month": str(day.month),
                                f"{name}-year": str(day.year)})
    form.values["by"] = form.values["by"] or "week"
    start = _date(form, "start", "Start date")
    end = _date(form, "end", "End date")
    if start and end:
        if end < start:
            form.errors.append(("end", "End date must be the same as or after the start "
                                "date"))
        elif (end - start).days + 1 > MAX_DAYS:
            form.errors.append(("end", "End date must be within 3 years of the start date: "
                                f"a report covers at most {MAX_DAYS:,} days"))
    if form.values["by"] not in dict(BY):
        form.errors.append(("by", "Select by week or by month"))
    for name, options, what in (("team", choices.teams, "team"),
                                ("pathway_version", choices.pathway_versions,
                                 "pathway version")):
        value = form.values[name]
        if value != ALL and value not in dict(options):
            form.errors.append((name, f"Select a {what} from the list, or all of them"))
        elif value != ALL:
            form.filters[name] = value
    if not form.errors and start and end:
        # The form's end date is the last day the report includes; a Period's is the next.
        form.period = Period(start=start, end=end + dt.timedelta(days=1),
                             by=form.values["by"])
    return form


# --- what the pages show --------------------------------------------------------------------

def cell_text(value: Cell, unit: str) -> str:
    """A table cell as written in the page's table."""
    return "" if value is None and not unit else value_text(value, unit)


def figure_view(figure: Figure, query: str, report_key: str) -> dict[str, Any]:
    """What a report page shows of one figure."""
    drawn = chart(figure)
    label_of = [str(row[0]) if row and row[0] is not None else "Not recorded"
                for row in figure.rows]
    return {
        "key": figure.key, "title": figure.title,
        "chart": drawn.svg if drawn else None,
        "empty": is_empty(figure) if drawn else not figure.rows,
        "head": [column.heading + (f" ({column.unit})" if column.unit else "")
                 for column in figure.columns],
        "numeric": [any(isinstance(row[i], int | float) for row in figure.rows if i < len(row))
                    for i in range(len(figure.columns))],
        "rows": [[cell_text(row[i] if i < len(row) else None, column.unit)
                  for i, column in enumerate(figure.columns)] for row in figure.rows],
        "flagged": [label_of[i] for i in figure.flagged if 0 <= i < len(label_of)],
        "flagged_rows": set(figure.flagged),
        "notes": list(figure.notes),
        "csv": f"/reports/{report_key}/{figure.key}.csv" + (f"?{query}" if query else ""),
    }


def period_words(period: Period) -> str:
    """'1 October 2026 to 31 December 2026, by week'."""
    last = period.end - dt.timedelta(days=1)
    return (f"{period.start.day} {period.start:%B %Y} to {last.day} {last:%B %Y}, "
            f"by {period.by}")


def as_of_words(report: Report) -> str | None:
    """'Figures as of 10:42' (UK time) when the figures come from a replica, else None."""
    if report.as_of is None:
        return None
    when = report.as_of.astimezone(UK_TIME)
    today = dt.datetime.now(UK_TIME).date()
    day = "" if when.date() == today else f" on {when.day} {when:%B %Y}"
    return f"Figures as of {when:%H:%M}{day}"


def csv_text(figure: Figure) -> str:
    """A figure's table as CSV: its headings, then its rows; a text cell that a spreadsheet
    would take for a formula is prefixed with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.heading + (f" ({column.unit})" if column.unit else "")
                     for column in figure.columns])
    for row in figure.rows:
        writer.writerow(["" if cell is None else
                         f"'{cell}" if isinstance(cell, str) and cell[:1] in "=+-@\t\r"
                         else cell for cell in row])
    return out.getvalue()


# --- the pages ------------------------------------------------------------------------------

def add_report_pages(router: Router) -> None:
    """``/reports``, ``/reports/{report}`` and ``/reports/{report}/{figure}.csv``."""
    screen = router.screen

    def unavailable(request: Request, user: User, exc: TriageError) -> Response:
        if isinstance(exc, ReportsUnavailable):
            screen.log.error("reports_unavailable", user=user.username,
                             reason=exc.reason[:200])
        return screen.refused(request, user, exc)

    @router.page("/reports", "GET")
    def report_list(request: Request) -> Response:
        user = reporter(screen, request)
        if isinstance(user, Response):
            return user
        try:
            entries = list(report_source(request).catalogue())
        except (ReportsUnavailable, UnknownReport) as exc:
            return unavailable(request, user, exc)
        screen.log.info("reports_listed", user=user.username, role=user.role.value)
        return screen.render(request, "reports.html", user=user, reports=entries)

    def report_of(request: Request, key: str, form: PeriodForm
                  ) -> tuple[ReportEntry, Report | None]:
        """The report's entry and, when the form is right, the report itself."""
        source = report_source(request)
        entries = {entry.key: entry for entry in source.catalogue()}
        if not KEY.match(key) or key not in entries:
            raise UnknownReport(f"There is no report '{key[:40]}'; reports are: "
                                f"{', '.join(entries)}.")
        if form.period is None:
            return entries[key], None
        return entries[key], source.report(key, form.period, form.filters)

    @router.page("/reports/{key}", "GET")
    def report_page(request: Request) -> Response:
        user = reporter(screen, request)
        if isinstance(user, Response):
            return user
        key = str(request.path_params["key"])
        choices = filter_choices(screen, request)
        form = read_period_form(request.query_params, choices,
                                dt.datetime.now(UK_TIME).date())
        try:
            entry, report = report_of(request, key, form)
        except (ReportsUnavailable, UnknownReport) as exc:
            return unavailable(request, user, exc)
        screen.log.info("report_viewed", user=user.username, role=user.role.value,
                        report=key, start=str(form.period.start) if form.period else None,
                        end=str(form.period.end) if form.period else None,
                        by=form.values["by"], filters=form.filters,
                        refused=[name for name, _ in form.errors])
        query = form.query()
        return screen.render(
            request, "report.html", 422 if form.errors else 200, user=user, entry=entry,
            report=report, errors=form.errors, values=form.values, choices=choices,
            by_choices=BY, anchors={"start": "start-day", "end": "end-day"},
            figures=[figure_view(f, query, key) for f in report.figures] if report else [],
            period=period_words(report.period) if report else None,
            as_of=as_of_words(report) if report else None, no_contacts=NO_CONTACTS,
            filter_words=filter_words(form.filters, choices))

    @router.page("/reports/{key}/{figure}.csv", "GET")
    def figure_csv(request: Request) -> Response:
        user = reporter(screen, request)
        if isinstance(user, Response):
            return user
        key = str(request.path_params["key"])
        figure_key = str(request.path_params["figure"])
        form = read_period_form(request.query_params, filter_choices(screen, request),
                                dt.datetime.now(UK_TIME).date())
        if form.errors:  # the CSV's address was edited by hand: show the form's problems
            return screen.redirect(request, f"/reports/{key}?{form.query()}")
        try:
            _, report = report_of(request, key, form)
        except (ReportsUnavailable, UnknownReport) as exc:
            return unavailable(request, user, exc)
        assert report is not None and form.period is not None
        figure = next((f for f in report.figures if f.key == figure_key), None)
        if figure is None:
            return screen.problem(request, 404, "There is no such table",
                                  f"The report '{report.title}' has no table "
                                  f"'{figure_key[:64]}'. Go back to the report.", user)
        screen.log.info("report_csv_downloaded", user=user.username, role=user.role.value,
                        report=key, figure=figure.key, start=str(form.period.start),
                        end=str(form.period.end), by=form.period.by, filters=form.filters)
        last = form.period.end - dt.timedelta(days=1)
        name = f"{key}-{figure.key}-{form.period.start}-to-{last}.csv"
        return Response(csv_text(figure), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store",
                                 "X-Content-Type-Options": "nosniff"})


def filter_words(filters: Mapping[str, str], choices: Choices) -> str:
    """'All teams, all pathway versions', or the team and version chosen, by name."""
    team = dict(choices.teams).get(filters.get("team", ""), "all teams")
    version = dict(choices.pathway_versions).get(filters.get("pathway_version", ""),
                                                 "all pathway versions")
    words = f"{team}, {version}"
    return words[:1].upper() + words[1:]
