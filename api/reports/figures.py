"""Every report figure, as SQL aggregates (SQLAlchemy Core) over the contact records'
report columns (:mod:`api.reports.fields`), on SQLite and PostgreSQL alike.

Each figure takes a connection (of the reports database: the read replica where one is
set, never the primary's repository), a :class:`~api.reports.model.Period` and
:class:`Filters`, and gives a :class:`~api.reports.model.Figure`. Test calls never count.
Times are UTC: a week starts on Monday, a month on its first day.

The reports (:data:`REPORTS`) group the figures into pages: ``callers`` (who calls and
why), ``outcomes`` (outcome mix, deflection, resolution at first contact, repeat contacts,
overrides), ``safety`` (red-flag escalations and their times; calls in progress and
abandoned) and ``equity`` (outcome and deflection mix by preferred language, age band and
communication needs, flagged over 10 points from the whole).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from api.reports.fields import AGE_BAND_NAMES
from api.reports.model import Cell, ChartKind, Column, Figure, Period, Report
from api.storage.schema import calls, contacts
from triage.vocabulary import OutcomeKind

ABANDONED_AFTER = dt.timedelta(hours=2)
"""A call started and not finished is abandoned once untouched for this long."""
EQUITY_POINTS = 10.0
"""A group's share differing from the whole's by more than this many points is flagged."""
EQUITY_SMALLEST = 20
"""Groups with fewer contacts are shown but never flagged: their shares swing too much."""
CLOSED_AT_FRONT_DOOR = (OutcomeKind.SIGNPOST.value, OutcomeKind.NO_FURTHER_ACTION.value)
ESCALATION_KINDS = (OutcomeKind.EMERGENCY_SERVICES.value, OutcomeKind.URGENT_ESCALATION.value)
REFERRAL_KINDS = (OutcomeKind.TEAM_REFERRAL.value, OutcomeKind.ALLOCATED_WORKER.value)
NOT_KNOWN = "Not known"
PERCENT = "%"
ID_LIMIT = 1000

c = contacts.c


@dataclass(frozen=True)
class Filters:
    """Which contacts a report counts, besides its period: one team, one pathway version."""

    team: str | None = None
    pathway_version: int | None = None

    def as_dict(self) -> dict[str, str]:
        """The filters that are set, as text (the report's ``filters``)."""
        found = {"team": self.team, "pathway_version": self.pathway_version}
        return {k: str(v) for k, v in found.items() if v is not None}


def period_text(day: dt.date) -> str:
    """A date as the start of a stored start time (ISO text: text order is time order)."""
    return day.isoformat()


def counted(period: Period, filters: Filters, table: Any = contacts) -> list[Any]:
    """The conditions every figure's contacts meet."""
    t = table.c
    found = [t.started_at >= period_text(period.start), t.started_at < period_text(period.end),
             t.test_call == sa.false()]
    if filters.team is not None:
        found.append(t.team == filters.team)
    if filters.pathway_version is not None:
        found.append(t.pathway_version == filters.pathway_version)
    return found


def bucket(period: Period) -> Any:
    """The column a figure over time groups by: the week's Monday or the month's first."""
    return c.started_month if period.by == "month" else c.started_week


def share(part: int | float, whole: int | float) -> float | None:
    """``part`` as a percentage of ``whole`` (one decimal), None when there is no whole."""
    return round(100.0 * part / whole, 1) if whole else None


def nearest_rank(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile of sorted ``values`` (the value a ``fraction`` of them
    are at or below)."""
    if not values:
        return None
    return values[max(math.ceil(fraction * len(values)), 1) - 1]


def minutes(seconds: float | None) -> float | None:
    """Seconds as minutes, one decimal."""
    return None if seconds is None else round(seconds / 60.0, 1)


def _label(value: Any) -> str:
    return NOT_KNOWN if value is None else str(value)


# ---- who calls and why --------------------------------------------------------------------


def _counts_by(conn: sa.Connection, column: Any, period: Period, filters: Filters
               ) -> list[tuple[str, int]]:
    rows = conn.execute(sa.select(column, sa.func.count()).where(*counted(period, filters))
                        .group_by(column)).all()
    return sorted(((_label(v), int(n)) for v, n in rows), key=lambda r: (-r[1], r[0]))


def _breakdown(key: str, title: str, heading: str, column: Any) -> Callable[..., Figure]:
    def figure(conn: sa.Connection, period: Period, filters: Filters) -> Figure:
        found = _counts_by(conn, column, period, filters)
        total = sum(n for _v, n in found)
        return Figure(key, title, (Column("group", heading), Column("contacts", "Contacts"),
                                   Column("share", "Share of contacts", PERCENT)),
                      [(v, n, share(n, total)) for v, n in found], ChartKind.BAR,
                      value="contacts", notes=(f"{total:,} contacts in the period.",))
    figure.__doc__ = f"{title}: contacts and their share."
    return figure


caller_type = _breakdown("caller-type", "Contacts by who called", "Who called", c.caller_type)
reason = _breakdown("reason", "Contacts by reason", "Reason", c.reason)
known_status = _breakdown("known-status", "Contacts by whether the person is known",
                          "Known to adult social care", c.known_status)


def _crosstab(key: str, title: str, row: Any, row_heading: str, col: Any
              ) -> Callable[..., Figure]:
    def figure(conn: sa.Connection, period: Period, filters: Filters) -> Figure:
        rows = conn.execute(sa.select(row, col, sa.func.count()).where(
            *counted(period, filters)).group_by(row, col)).all()
        cells: dict[str, dict[str, int]] = {}
        for r, k, n in rows:
            cells.setdefault(_label(r), {})[_label(k)] = int(n)
        keys = sorted({k for found in cells.values() for k in found})
        order = sorted(cells, key=lambda r: (-sum(cells[r].values()), r))
        return Figure(key, title, (Column("group", row_heading), *(Column(k, k) for k in keys),
                                   Column("total", "Total")),
                      [(r, *(cells[r].get(k, 0) for k in keys), sum(cells[r].values()))
                       for r in order], ChartKind.STACKED_BAR, series=tuple(keys))
    figure.__doc__ = f"{title}: counts in each pair."
    return figure


caller_by_reason = _crosstab("caller-type-by-reason", "Who called, by reason", c.caller_type,
                             "Who called", c.reason)
reason_by_known = _crosstab("reason-by-known-status", "Reasons, by whether the person is known",
                            c.reason, "Reason", c.known_status)


def contacts_over_time(conn: sa.Connection, period: Period, filters: Filters) -> Figure:
    """Contacts in each week or month of the period."""
    b = bucket(period)
    rows = conn.execute(sa.select(b, sa.func.count()).where(*counted(period, filters))
                        .group_by(b).order_by(b)).all()
    return Figure("contacts-over-time", f"Contacts by {period.by}",
                  (Column("period", f"{period.by.capitalize()} starting"),
                   Column("contacts", "Contacts")),
                  [(str(k), int(n)) for k, n in rows], ChartKind.LINE, series=("contacts",))


# ---- outcomes -----------------------------------------------------------------------------


def outcome_mix(conn: sa.Connection, period: Period, filters: Filters) -> Figure:
    """Contacts by the kind of outcome recorded (an override's, where there was one)."""
    found = _counts_by(conn, c.outcome_kind, period, filters)
    total = sum(n for _v, n in found)
    return Figure("outcome-mix", "Outcome mix",
                  (Column("outcome_kind", "Outcome"), Column("contacts", "Contacts"),
                   Column("share", "Share of contacts", PERCENT)),
                  [(v, n, share(n, total)) for v, n in found], ChartKind.BAR, value="share")


def deflection(conn: sa.Connection, period: Period, filters: Filters) -> Figure:
    """Deflection rate (deflections / contacts that reached an outcome) and the assisted
    share of deflections, by week or month, with the whole period last."""
    b = bucket(period)
    plain = sa.func.sum(sa.case((c.deflection == "plain", 1), else_=0))
    assisted = sa.func.sum(sa.case((c.deflection == "assisted", 1), else_=0))
    rows = conn.execute(sa.select(b, sa.func.count(), plain, assisted)
                        .where(*counted(period, filters)).group_by(b).order_by(b)).all()
    table: list[Sequence[Cell]] = []
    totals = [0, 0, 0]
    for k, n, p, a in rows:
        n, p, a = int(n), int(p or 0), int(a or 0)
        totals = [totals[0] + n, totals[1] + p, totals[2] + a]
        table.append((str(k), n, p + a, share(p + a, n), a, share(a, p + a)))
    n, p, a = totals
    table.append(("Whole period", n, p + a, share(p + a, n), a, share(a, p + a)))
    return Figure("deflection", "Deflection rate and assisted share",
                  (Column("period", f"{period.by.capitalize()} starting"),
                   Column("contacts", "Contacts with an outcome"),
                   Column("deflections", "Deflected online"),
                   Column("rate", "Deflection rate", PERCENT),
                   Column("assisted", "Assisted deflections"),
                   Column("assisted_share", "Assisted share of deflections", PERCENT)),
                  table, ChartKind.LINE, series=("rate", "assisted_share"),
                  notes=("Every contact record has reached an outcome, so the rate is "
                         "deflections over all contacts of the period.",))


def _later() -> Any:
    return contacts.alias("later")


def resolution_at_first_contact(conn: sa.Connection, period: Period, filters: Filters
                                ) -> Figure:
    """Contacts closed at the front door (signpost or no further action) with no further
    contact about the same person and reason within 28 days, by week or month."""
    b = bucket(period)
    later = _later()
    followed = sa.exists().where(
        later.c.person_id == c.person_id, later.c.reason == c.reason,
        later.c.started_at > c.started_at, later.c.started_at <= c.follow_up_until,
        later.c.call_id != c.call_id, later.c.test_call == sa.false())
    closed = c.outcome_kind.in_(CLOSED_AT_FRONT_DOOR)
    rows = conn.execute(sa.select(
        b, sa.func.count(),
        sa.func.sum(sa.case((closed, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(closed, c.person_id.is_(None)), 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(closed, c.person_id.is_not(None), ~followed), 1),
                            else_=0)),
    ).where(*counted(period, filters)).group_by(b).order_by(b)).all()
    table: list[Sequence[Cell]] = []
    unnamed = 0
    for k, _n, shut, anon, resolved in rows:
        shut, anon, resolved = int(shut or 0), int(anon or 0), int(resolved or 0)
        unnamed += anon
        table.append((str(k), shut - anon, resolved, share(resolved, shut - anon)))
    notes = ["Closed at the front door: a signpost or no further action. A completed "
             "online deflection would count too, but whether the form was sent is not "
             "recorded yet, so deflections are not counted."]
    if unnamed:
        notes.append(f"{unnamed:,} contacts closed at the front door were about nobody "
                     "identified, so a further contact cannot be seen; they are left out.")
    if period.end > dt.datetime.now(dt.UTC).date() - dt.timedelta(days=28):
        notes.append("The last 28 days of the period are not over yet: a further contact "
                     "may still come, so their rate can only go down.")
    return Figure("resolution-first-contact", "Resolution at first contact",
                  (Column("period", f"{period.by.capitalize()} starting"),
                   Column("closed", "Closed at the front door (person identified)"),
                   Column("resolved", "With no further contact in 28 days"),
                   Column("rate", "Resolution at first contact", PERCENT)),
                  table, ChartKind.LINE, series=("rate",), notes=tuple(notes))


def repeat_contacts(conn: sa.Connection, period: Period, filters: Filters) -> Figure:
    """Contacts about a person who had been the subject of another contact (another call)
    in the 28 days before, by week or month."""
    b = bucket(period)
    earlier = contacts.alias("earlier")
    repeat = sa.exists().where(
        earlier.c.person_id == c.person_id, earlier.c.started_at >= c.repeat_since,
        earlier.c.started_at < c.started_at, earlier.c.call_id != c.call_id,
        earlier.c.test_call == sa.false())
    named = c.person_id.is_not(None)
    rows = conn.execute(sa.select(
        b, sa.func.sum(sa.case((named, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(named, repeat), 1), else_=0)),
    ).where(*counted(period, filters)).group_by(b).order_by(b)).all()
    return Figure("repeat-contacts", "Repeat contacts about the same person within 28 days",
                  (Column("period", f"{period.by.capitalize()} starting"),
                   Column("about_a_person", "Contacts about an identified person"),
                   Column("repeats", "Repeat contacts"),
                   Column("share", "Share that are repeats", PERCENT)),
                  [(str(k), int(n or 0), int(r or 0), share(int(r or 0), int(n or 0)))
                   for k, n, r in rows], ChartKind.LINE, series=("share",),
                  notes=("A repeat: another call about the same person in the 28 days "
                         "before (any team, any reason; earlier contacts before the "
                         "period count too).",))


def overrides(conn: sa.Connection, period: Period, filters: Filters) -> Figure:
    """Overridden outcomes by the outcome step suggested and the pathway version."""
    over = sa.func.sum(sa.case((c.overridden == sa.true(), 1), else_=0))
    rows = conn.execute(sa.select(c.pathway_id, c.pathway_version, c.outcome_id,
                                  sa.func.count(), over)
                        .where(*counted(period, filters))
                        .group_by(c.pathway_id, c.pathway_version, c.outcome_id)).all()
    found = sorted(((f"{p} v{v}", str(o), int(n), int(x or 0)) for p, v, o, n, x in rows
                    if x), key=lambda r: (-r[3], r[0], r[1]))
    total = sum(int(x or 0) for *_r, x in rows)
    return Figure("overrides", "Overrides by outcome step and pathway version",
                  (Column("version", "Pathway version"), Column("step", "Suggested outcome"),
                   Column("contacts", "Contacts reaching it"),
                   Column("overridden", "Overridden"),
                   Column("share", "Share overridden", PERCENT)),
                  [(*r, share(r[3], r[2])) for r in found], ChartKind.BAR,
                  value="overridden", notes=(f"{total:,} overrides in the period.",))


# ---- safety -------------------------------------------------------------------------------


def escalations(conn: sa.Connection, period: Period, filters: Filters) -> Figure:
    """Escalations (the suggested outcome an escalation kind), those after a red-flag
    answer, and the minutes from the start of the call to the escalation (median and 90th
    percentile, nearest rank), by week or month, the whole period last."""
    b = bucket(period)
    rows = conn.execute(sa.select(b, c.first_red_flag_at.is_not(None), c.escalation_seconds)
                        .where(*counted(period, filters), c.escalated == sa.true())
                        .order_by(b, c.escalation_seconds)).all()
    groups: dict[str, list[tuple[bool, float | None]]] = {}
    for k, flagged, seconds in rows:
        groups.setdefault(str(k), []).append((bool(flagged), seconds))

    def line(name: str, found: Iterable[tuple[bool, float | None]]) -> tuple[Cell, ...]:
        found = list(found)
        times = sorted(s for _f, s in found if s is not None)
        return (name, len(found), sum(1 for f, _s in found if f),
                minutes(statistics.median(times)) if times else None,
                minutes(nearest_rank(times, 0.9)))

    table = [line(k, v) for k, v in groups.items()]
    table.append(line("Whole period", [x for v in groups.values() for x in v]))
    lacking = conn.execute(sa.select(sa.func.count()).where(
        *counted(period, filters), c.escalated == sa.true(),
        c.fields_from == "backfill")).scalar_one()
    notes = ["Time to escalation: from the start of the call to the escalation outcome, "
             "from the trail's times."]
    if lacking:
        notes.append(f"{lacking:,} escalations were recorded before red-flag answer times "
                     "were kept; they are not counted as after a red flag.")
    return Figure("escalations", "Red-flag escalations and time to escalation",
                  (Column("period", f"{period.by.capitalize()} starting"),
                   Column("escalations", "Escalations"),
                   Column("after_red_flag", "After a red-flag answer"),
                   Column("median", "Median time to escalation", "minutes"),
                   Column("p90", "90th percentile", "minutes")),
                  table, ChartKind.LINE, series=("median", "p90"), notes=tuple(notes))


def calls_in_progress(conn: sa.Connection, period: Period, filters: Filters, *,
                      now: dt.datetime | None = None) -> Figure:
    """Calls started and not finished: in progress (touched in the last 2 hours) and
    abandoned (untouched for longer), now; the abandoned ones by when they were last
    touched within the period."""
    now = now or dt.datetime.now(dt.UTC)
    cutoff = now - ABANDONED_AFTER
    where = [calls.c.status == "active"]
    if filters.pathway_version is not None:
        where.append(calls.c.pathway_version == filters.pathway_version)
    stale = calls.c.updated_at < cutoff
    active, abandoned = conn.execute(sa.select(
        sa.func.count(), sa.func.sum(sa.case((stale, 1), else_=0))).where(*where)).one()
    start = dt.datetime.combine(period.start, dt.time(), dt.UTC)
    end = dt.datetime.combine(period.end, dt.time(), dt.UTC)
    in_period = conn.execute(sa.select(sa.func.count()).where(
        *where, stale, calls.c.updated_at >= start, calls.c.updated_at < end)).scalar_one()
    active, abandoned = int(active or 0), int(abandoned or 0)
    notes = [f"As of {now:%Y-%m-%d %H:%M} UTC. Abandoned: started, not finished and "
             "untouched for more than 2 hours."]
    if filters.team is not None:
        notes.append("A call has no team until its contact is written, so the team filter "
                     "does not apply here.")
    return Figure("calls-in-progress", "Calls in progress and abandoned calls",
                  (Column("state", "Calls"), Column("calls", "Number")),
                  [("In progress", active - abandoned), ("Abandoned", abandoned),
                   ("Abandoned, last touched in the period", int(in_period or 0))],
                  ChartKind.BAR, value="calls", notes=tuple(notes))


# ---- equity -------------------------------------------------------------------------------

EQUITY_COLUMNS = (("escalated", "Escalated", ESCALATION_KINDS),
                  ("referred", "Referred to a team or worker", REFERRAL_KINDS),
                  ("deflected", "Deflected online", (OutcomeKind.DEFLECT_ONLINE.value,
                                                     OutcomeKind.DEFLECT_ONLINE_ASSISTED.value)),
                  ("closed", "Signposted or no further action", CLOSED_AT_FRONT_DOOR))


def _equity(key: str, title: str, heading: str, group: Any,
            order: Sequence[str] = ()) -> Callable[..., Figure]:
    def figure(conn: sa.Connection, period: Period, filters: Filters) -> Figure:
        sums = [sa.func.sum(sa.case((c.outcome_kind.in_(kinds), 1), else_=0))
                for _k, _h, kinds in EQUITY_COLUMNS]
        assisted = sa.func.sum(sa.case((c.deflection == "assisted", 1), else_=0))
        rows = conn.execute(sa.select(group.label("g"), sa.func.count(), *sums, assisted)
                            .where(*counted(period, filters)).group_by("g")).all()
        found = {_label(g): [int(x or 0) for x in rest] for g, *rest in rows}
        whole = [sum(v[i] for v in found.values()) for i in range(len(EQUITY_COLUMNS) + 2)]

        def line(name: str, v: Sequence[int]) -> list[Cell]:
            n = v[0]
            return [name, n, *(share(x, n) for x in v[1:-1]), share(v[-1], v[3])]

        ranked = sorted(found, key=lambda g: (
            order.index(g) if g in order else len(order), -found[g][0], g))
        table = [line("All contacts", whole)] + [line(g, found[g]) for g in ranked]
        flagged = []
        for n, cells in enumerate(table[1:], start=1):
            if int(cells[1] or 0) < EQUITY_SMALLEST:
                continue
            if any(a is not None and b is not None and abs(float(a) - float(b)) > EQUITY_POINTS
                   for a, b in zip(cells[2:], table[0][2:], strict=True)):
                flagged.append(n)
        lacking = found.get(NOT_KNOWN, [0])[0]
        notes = [f"Flagged: a group of {EQUITY_SMALLEST} contacts or more whose share "
                 f"differs from all contacts' by more than {EQUITY_POINTS:g} points."]
        if lacking:
            notes.append(f"{lacking:,} contacts have no {heading.lower()} recorded "
                         "(shown as Not known).")
        return Figure(key, title, (Column("group", heading), Column("contacts", "Contacts"),
                                   *(Column(k, h, PERCENT) for k, h, _kinds in EQUITY_COLUMNS),
                                   Column("assisted", "Assisted share of deflections", PERCENT)),
                      table, ChartKind.STACKED_BAR,
                      series=tuple(k for k, _h, _kinds in EQUITY_COLUMNS),
                      notes=tuple(notes), flagged=tuple(flagged))
    figure.__doc__ = f"{title}, each group beside all contacts."
    return figure


COMMUNICATION = sa.case((c.communication_needs.is_not(None), "Has communication needs"),
                        (c.person_id.is_not(None), "None recorded"), else_=sa.null())
equity_language = _equity("equity-language", "Outcomes by preferred language",
                          "Preferred language", c.preferred_language)
equity_age = _equity("equity-age", "Outcomes by age band", "Age band", c.age_band,
                     AGE_BAND_NAMES)
equity_communication = _equity("equity-communication", "Outcomes by communication needs",
                               "Communication needs", COMMUNICATION)


# ---- the reports --------------------------------------------------------------------------

FigureQuery = Callable[[sa.Connection, Period, Filters], Figure]


@dataclass(frozen=True)
class ReportSpec:
    """A report page: its key, title and figures in order."""

    key: str
    title: str
    figures: Mapping[str, FigureQuery]


def _spec(key: str, title: str, *queries: FigureQuery) -> ReportSpec:
    return ReportSpec(key, title, {_KEYS[q]: q for q in queries})


_KEYS: dict[FigureQuery, str] = {
    contacts_over_time: "contacts-over-time", caller_type: "caller-type", reason: "reason",
    known_status: "known-status", caller_by_reason: "caller-type-by-reason",
    reason_by_known: "reason-by-known-status", outcome_mix: "outcome-mix",
    deflection: "deflection", resolution_at_first_contact: "resolution-first-contact",
    repeat_contacts: "repeat-contacts", overrides: "overrides", escalations: "escalations",
    calls_in_progress: "calls-in-progress", equity_language: "equity-language",
    equity_age: "equity-age", equity_communication: "equity-communication",
}

REPORTS: Mapping[str, ReportSpec] = {s.key: s for s in (
    _spec("callers", "Who calls and why", contacts_over_time, caller_type, reason,
          known_status, caller_by_reason, reason_by_known),
    _spec("outcomes", "What the front door did", outcome_mix, deflection,
          resolution_at_first_contact, repeat_contacts, overrides),
    _spec("safety", "Red flags, escalations and calls in progress", escalations,
          calls_in_progress),
    _spec("equity", "Equity in outcomes", equity_language, equity_age,
          equity_communication),
)}
"""Every report page, by key."""


def backfill_notes(conn: sa.Connection, period: Period, filters: Filters) -> list[str]:
    """What older contacts of the period lack (recorded before the report fields)."""
    older = conn.execute(sa.select(sa.func.count()).where(
        *counted(period, filters), c.fields_from == "backfill")).scalar_one()
    if not older:
        return []
    return [f"{older:,} contacts of this period were recorded before reports were added: "
            "their preferred language, communication needs and red-flag answer times are "
            "not known (their other figures come from the stored record)."]


def build_report(engine: sa.Engine, key: str, period: Period, filters: Filters,
                 only: str | None = None) -> Report:
    """The report ``key`` (or just its figure ``only``) over ``period``, from ``engine``
    (the reports database); KeyError for an unknown report or figure."""
    spec = REPORTS[key]
    queries = {only: spec.figures[only]} if only is not None else dict(spec.figures)
    with engine.connect() as conn:
        figures = [q(conn, period, filters) for q in queries.values()]
        extra = backfill_notes(conn, period, filters)
    if extra and figures:
        first = figures[0]
        figures[0] = Figure(first.key, first.title, first.columns, first.rows, first.chart,
                            first.value, first.series, (*first.notes, *extra),
                            first.flagged)
    return Report(spec.key, spec.title, period, figures, None, filters.as_dict())


# ---- the contacts behind a figure (supervisors only) -------------------------------------

ROW_COLUMNS: Mapping[str, Any] = {
    "caller-type": c.caller_type, "reason": c.reason, "known-status": c.known_status,
    "outcome-mix": c.outcome_kind, "equity-language": c.preferred_language,
    "equity-age": c.age_band, "overrides": c.outcome_id,
}
"""The figures whose rows name one value of a column, so their contacts can be listed."""
OVER_TIME: Mapping[str, Any] = {
    "contacts-over-time": sa.true(), "deflection": c.deflection != "none",
    "escalations": c.escalated == sa.true(),
}
"""The figures by week or month whose rows can be listed (the row is the period's start)."""


def contact_ids(engine: sa.Engine, period: Period, filters: Filters, figure: str,
                row: str) -> list[int]:
    """The ids of the contacts behind one row of ``figure`` (newest first, at most 1,000);
    KeyError if that figure's rows cannot be listed."""
    where = counted(period, filters)
    if figure in ROW_COLUMNS:
        column = ROW_COLUMNS[figure]
        where.append(column.is_(None) if row == NOT_KNOWN else column == row)
        if figure == "overrides":
            where.append(c.overridden == sa.true())
    else:
        where += [OVER_TIME[figure], bucket(period) == row]
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(
            sa.select(c.contact_id).where(*where).order_by(c.started_at.desc(),
                                                            c.contact_id.desc())
            .limit(ID_LIMIT)).scalars()]


__all__ = ["REPORTS", "Filters", "ReportSpec", "build_report", "contact_ids"]
