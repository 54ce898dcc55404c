"""Every report figure on a small hand-made set of contacts (tests/api/reports_data.py),
asserting the numbers a manager would see, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.reports import figures
from api.reports.figures import Filters, build_report, calls_in_progress, contact_ids
from api.reports.model import Figure, Period
from api.storage import database_url, make_engine, migrate
from tests.api.conftest import Databases
from tests.api.reports_data import NOW, put_contacts

WEEKS = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 16), "week")
ALL = Filters()


@pytest.fixture
def store(backend: str, tmp_path: Path, databases: Databases) -> Iterator[sa.Engine]:
    url = database_url(databases.fresh() if backend == "postgresql" else None, tmp_path)
    migrate(url)
    engine = make_engine(url)
    put_contacts(engine)
    yield engine
    engine.dispose()


def figure(engine: sa.Engine, report: str, key: str, period: Period = WEEKS,
           filters: Filters = ALL) -> Figure:
    return build_report(engine, report, period, filters, only=key).figures[0]


def test_contacts_by_caller_type_count_the_period_and_leave_test_calls_out(
        store: sa.Engine) -> None:
    found = figure(store, "callers", "caller-type")
    assert [tuple(r) for r in found.rows] == [
        ("self", 4, 44.4), ("hospital", 2, 22.2), ("family_friend", 1, 11.1),
        ("gp_community_health", 1, 11.1), ("other", 1, 11.1)]
    assert "9 contacts in the period." in found.notes


def test_contacts_by_reason_and_by_known_status(store: sa.Engine) -> None:
    assert [tuple(r)[:2] for r in figure(store, "callers", "reason").rows] == [
        ("information_advice", 4), ("needs_assessment", 2), ("safeguarding", 2),
        ("equipment_ot", 1)]
    assert [tuple(r)[:2] for r in figure(store, "callers", "known-status").rows] == [
        ("open", 4), ("previously_known", 4), ("not_known", 1)]


def test_the_cross_tabulation_counts_each_pair(store: sa.Engine) -> None:
    found = figure(store, "callers", "reason-by-known-status")
    heads = [c.key for c in found.columns]
    assert heads == ["group", "not_known", "open", "previously_known", "total"]
    assert [tuple(r) for r in found.rows] == [
        ("information_advice", 1, 1, 2, 4), ("needs_assessment", 0, 2, 0, 2),
        ("safeguarding", 0, 1, 1, 2), ("equipment_ot", 0, 0, 1, 1)]


def test_contacts_over_time_by_week_and_by_month(store: sa.Engine) -> None:
    assert [tuple(r) for r in figure(store, "callers", "contacts-over-time").rows] == [
        ("2026-03-02", 6), ("2026-03-09", 3)]
    months = Period(dt.date(2026, 2, 1), dt.date(2026, 4, 1), "month")
    assert [tuple(r) for r in figure(store, "callers", "contacts-over-time", months).rows
            ] == [("2026-02-01", 1), ("2026-03-01", 10)]


def test_the_outcome_mix(store: sa.Engine) -> None:
    rows = {r[0]: (r[1], r[2]) for r in figure(store, "outcomes", "outcome-mix").rows}
    assert rows == {"team_referral": (2, 22.2), "signpost": (2, 22.2),
                    "no_further_action": (1, 11.1), "deflect_online": (1, 11.1),
                    "deflect_online_assisted": (1, 11.1), "urgent_escalation": (1, 11.1),
                    "emergency_services": (1, 11.1)}


def test_the_deflection_rate_and_assisted_share(store: sa.Engine) -> None:
    assert [tuple(r) for r in figure(store, "outcomes", "deflection").rows] == [
        ("2026-03-02", 6, 2, 33.3, 1, 50.0), ("2026-03-09", 3, 0, 0.0, 0, None),
        ("Whole period", 9, 2, 22.2, 1, 50.0)]


def test_resolution_at_first_contact_counts_a_later_contact_about_the_same_reason(
        store: sa.Engine) -> None:
    # P2's no-further-action is followed by another information call on 20 March; P1's
    # signpost only by a test call, which does not count.
    assert [tuple(r) for r in figure(store, "outcomes", "resolution-first-contact").rows] == [
        ("2026-03-02", 2, 1, 50.0), ("2026-03-09", 1, 1, 100.0)]


def test_repeat_contacts_look_back_28_days_before_the_period_too(store: sa.Engine) -> None:
    assert [tuple(r) for r in figure(store, "outcomes", "repeat-contacts").rows] == [
        ("2026-03-02", 5, 1, 20.0), ("2026-03-09", 3, 2, 66.7)]


def test_overrides_by_step_and_pathway_version(store: sa.Engine) -> None:
    found = figure(store, "outcomes", "overrides")
    assert [tuple(r) for r in found.rows] == [
        ("front-door v1", "needs-assessment:x", 1, 1, 100.0)]
    assert "1 overrides in the period." in found.notes


def test_red_flag_escalations_with_median_and_90th_percentile_minutes(
        store: sa.Engine) -> None:
    assert [tuple(r) for r in figure(store, "safety", "escalations").rows] == [
        ("2026-03-02", 1, 1, 5.0, 5.0), ("2026-03-09", 1, 1, 10.0, 10.0),
        ("Whole period", 2, 2, 7.5, 10.0)]


def test_calls_in_progress_and_abandoned_after_two_hours(store: sa.Engine) -> None:
    with store.connect() as conn:
        found = calls_in_progress(conn, Period(dt.date(2026, 3, 16), dt.date(2026, 3, 17)),
                                  ALL, now=NOW)
    assert [tuple(r) for r in found.rows] == [
        ("In progress", 1), ("Abandoned", 1), ("Abandoned, last touched in the period", 1)]


def test_equity_by_language_flags_groups_over_ten_points_from_the_whole(
        store: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    found = figure(store, "equity", "equity-language")
    assert [tuple(r) for r in found.rows] == [
        ("All contacts", 9, 22.2, 22.2, 22.2, 33.3, 50.0),
        ("English", 6, 33.3, 33.3, 0.0, 33.3, None),
        ("Not known", 1, 0.0, 0.0, 100.0, 0.0, 0.0),
        ("Polish", 1, 0.0, 0.0, 0.0, 100.0, None),
        ("Urdu", 1, 0.0, 0.0, 100.0, 0.0, 100.0)]
    assert found.flagged == ()  # every group is under 20 contacts
    monkeypatch.setattr(figures, "EQUITY_SMALLEST", 1)
    assert figure(store, "equity", "equity-language").flagged == (1, 2, 3, 4)


def test_equity_by_age_band_keeps_the_bands_in_age_order(store: sa.Engine) -> None:
    found = figure(store, "equity", "equity-age")
    assert [r[:2] for r in found.rows] == [["All contacts", 9], ["65 to 74", 2],
                                          ["85 and over", 1], ["Not known", 6]]


def test_a_team_and_a_pathway_version_filter_the_contacts(store: sa.Engine) -> None:
    found = figure(store, "callers", "caller-type", filters=Filters(team="mash"))
    assert [tuple(r) for r in found.rows] == [("hospital", 1, 100.0)]
    none = figure(store, "callers", "caller-type", filters=Filters(pathway_version=2))
    assert list(none.rows) == []


def test_the_contacts_behind_a_row_are_listed_newest_first(store: sa.Engine) -> None:
    assert contact_ids(store, WEEKS, ALL, "reason", "safeguarding") == [8, 7]
    assert contact_ids(store, WEEKS, ALL, "escalations", "2026-03-09") == [8]
    assert contact_ids(store, WEEKS, ALL, "equity-language", "Not known") == [5]
