"""Reports for managers and supervisors (``/api/reports``): every figure of a report as
JSON, each figure's table as CSV, and, for supervisors only, the contacts behind a row.

They read the reports database: ``app.state.reports_engine`` when one is set (the read
replica), otherwise the service's own. Every request is audited (who, which report and
period; never a person's details).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from api.reports.figures import OVER_TIME, REPORTS, ROW_COLUMNS, build_report, contact_ids
from api.reports.requests import figure_csv, read_filters, read_period, report_json
from api.routes.dependencies import Door, Reporter, Supervisor
from api.routes.openapi import error_doc
from api.service import FrontDoor, User
from api.storage import SqlRepository
from triage.adapters.audit import audit_logger
from triage.errors import UnknownReport

router = APIRouter(prefix="/api/reports", tags=["reports"])
log = audit_logger()

Start = Annotated[str | None, Query(max_length=40, description=(
    "First day of the period, YYYY-MM-DD (default: 12 weeks before the end)."))]
End = Annotated[str | None, Query(max_length=40, description=(
    "Last day of the period (included), YYYY-MM-DD (default: today). At most three years "
    "after the start."))]
By = Annotated[str | None, Query(max_length=40, description="week (default) or month.")]
Team = Annotated[str | None, Query(max_length=200, description=(
    "Only contacts whose outcome went to this team (a directory team id)."))]
Version = Annotated[str | None, Query(max_length=40, description=(
    "Only contacts taken on this version of the front-door pathway."))]
REFUSED: dict[int | str, dict[str, Any]] = {
    422: error_doc("The period or a filter cannot be used; the field is named."),
    404: error_doc("There is no such report or figure.")}


def reports_engine(request: Request, door: FrontDoor) -> Any:
    """The reports database: the replica's engine when one is set, else the service's."""
    found: Any = getattr(request.app.state, "reports_engine", None)
    if found is not None:
        return found
    repository = door.repository
    if not isinstance(repository, SqlRepository):
        raise TypeError("reports need an SQL store or app.state.reports_engine")
    return repository.engine


def _teams(door: FrontDoor) -> set[str]:
    try:
        return set(door.library.catalogue.get("front-door").places.teams)
    except KeyError:
        return set()


def _report_key(report: str) -> str:
    if report not in REPORTS:
        raise UnknownReport(f"There is no report '{report[:40]}'; reports are: "
                            f"{', '.join(REPORTS)}.")
    return report


def _figure_key(report: str, figure: str) -> str:
    figures = REPORTS[report].figures
    if figure not in figures:
        raise UnknownReport(f"Report '{report}' has no figure '{figure[:40]}'; its figures "
                            f"are: {', '.join(figures)}.", field="figure")
    return figure


def _today(door: FrontDoor) -> dt.date:
    return door.engine.clock().date()


def _audit(event: str, user: User, **fields: Any) -> None:
    log.info(event, user=user.username, role=user.role.value, **fields)


@router.get("/contacts", responses={**REFUSED, 403: error_doc(
    "Only supervisors may see the contacts behind a figure.")})
def report_contacts(request: Request, user: Supervisor, door: Door,
                    figure: Annotated[str, Query(max_length=60, description=(
                        "The figure's key, such as reason or outcome-mix."))],
                    row: Annotated[str, Query(max_length=200, description=(
                        "The row's first cell: a group (safeguarding) or a week or month "
                        "start (2026-03-02)."))],
                    start: Start = None, end: End = None, by: By = None, team: Team = None,
                    pathway_version: Version = None) -> dict[str, Any]:
    """The ids of the contacts behind one row of a figure (supervisors only; at most
    1,000, newest first): open each with GET /api/contacts/{contact_id}."""
    period = read_period(start, end, by, _today(door))
    filters = read_filters(team, pathway_version, _teams(door))
    listable = [*ROW_COLUMNS, *OVER_TIME]
    if figure not in listable:
        raise UnknownReport(f"The contacts behind figure '{figure[:40]}' cannot be listed; "
                            f"figures that can: {', '.join(listable)}.", field="figure")
    ids = contact_ids(reports_engine(request, door), period, filters, figure, row)
    _audit("report_contacts_listed", user, figure=figure, start=period.start.isoformat(),
           end=period.end.isoformat(), contacts=len(ids), **filters.as_dict())
    return {"figure": figure, "row": row, "contact_ids": ids, "limited": len(ids) >= 1000}


@router.get("/{report}", responses=REFUSED)
def report(request: Request, user: Reporter, door: Door,
           report: Annotated[str, PathParam(max_length=40)], start: Start = None,
           end: End = None, by: By = None, team: Team = None,
           pathway_version: Version = None) -> dict[str, Any]:
    """Every figure of a report over the period: callers, outcomes, safety or equity."""
    key = _report_key(report)
    period = read_period(start, end, by, _today(door))
    filters = read_filters(team, pathway_version, _teams(door))
    built = build_report(reports_engine(request, door), key, period, filters)
    _audit("report_read", user, report=key, start=period.start.isoformat(),
           end=period.end.isoformat(), by=period.by, **filters.as_dict())
    return report_json(built)


@router.get("/{report}/{figure}.csv", response_class=Response, responses={
    **REFUSED, 200: {"content": {"text/csv": {}}, "description": "The figure's table."}})
def report_csv(request: Request, user: Reporter, door: Door,
               report: Annotated[str, PathParam(max_length=40)],
               figure: Annotated[str, PathParam(max_length=60)], start: Start = None,
               end: End = None, by: By = None, team: Team = None,
               pathway_version: Version = None) -> Response:
    """One figure's table as CSV (aggregate numbers only)."""
    key = _figure_key(_report_key(report), figure)
    period = read_period(start, end, by, _today(door))
    filters = read_filters(team, pathway_version, _teams(door))
    built = build_report(reports_engine(request, door), report, period, filters, only=key)
    _audit("report_csv", user, report=report, figure=key, start=period.start.isoformat(),
           end=period.end.isoformat(), by=period.by, **filters.as_dict())
    last = period.end - dt.timedelta(days=1)
    name = f"{report}-{key}-{period.start.isoformat()}-to-{last.isoformat()}.csv"
    return Response(figure_csv(built.figures[0]), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
