"""The review queue's rules and the audit sample and form, with no storage: due days in
working days, change notes that answer an item, a sample drawn towards risk and
reproducible from its seed, and the audit form's problems located as file:line:col."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from triage.adapters.auditform import load_audit_form
from triage.audits import Candidate, DrawnFor, draw, month_bounds, repeat_callers, sample_size
from triage.errors import AuditFormProblems
from triage.reviews import due_on, mentions

ROOT = Path(__file__).resolve().parents[2]
INVALID = ROOT / "tests" / "fixtures" / "audits" / "invalid"


def test_an_item_is_due_ten_working_days_later_skipping_weekends_and_bank_holidays() -> None:
    assert due_on(dt.date(2026, 11, 2)) == dt.date(2026, 11, 16)  # two plain weeks
    # Christmas Day, Boxing Day (Monday 28th in 2026) and New Year's Day are skipped.
    assert due_on(dt.date(2026, 12, 21)) == dt.date(2027, 1, 7)


def test_a_change_note_answers_an_item_only_when_it_names_that_number() -> None:
    assert mentions("Adds a housing option (review #12).", 12)
    assert mentions("answers Review # 12 and review #13", 13)
    assert not mentions("Answers review #120.", 12)
    assert not mentions("Answers review 12.", 12)


def test_the_sample_is_two_percent_and_at_least_thirty() -> None:
    assert [sample_size(n) for n in (10, 30, 100, 1500, 1501, 100_000)] == [
        10, 30, 30, 30, 31, 2000]


def people(n: int) -> list[Candidate]:
    return [Candidate(i, early_exit=i % 3 == 0, overridden=i % 50 == 1,
                      repeat_caller=i % 7 == 2, third_party=i % 2 == 1)
            for i in range(1, n + 1)]


def test_the_sample_is_filled_in_order_of_risk_with_a_random_part() -> None:
    drawn = draw(people(5000), "seed")
    assert len(drawn) == 100 and len({cid for cid, _ in drawn}) == 100
    kinds = [why for _, why in drawn]
    order = list(DrawnFor)
    assert kinds == sorted(kinds, key=order.index)
    assert kinds.count(DrawnFor.EARLY_EXIT) == 40
    assert kinds.count(DrawnFor.OVERRIDE) == 20
    assert kinds.count(DrawnFor.RANDOM) >= 15


def test_a_kind_with_too_few_contacts_passes_its_room_on() -> None:
    few = [Candidate(i, overridden=i <= 2) for i in range(1, 201)]
    kinds = [why for _, why in draw(few, "s")]
    assert kinds.count(DrawnFor.OVERRIDE) == 2 and len(kinds) == 30
    assert kinds.count(DrawnFor.RANDOM) == 28


def test_the_same_seed_gives_the_same_sample_and_another_seed_another() -> None:
    shuffled = list(reversed(people(3000)))
    assert draw(people(3000), "2026-11") == draw(shuffled, "2026-11")
    assert draw(people(3000), "2026-11") != draw(people(3000), "2026-12")


def test_a_repeat_caller_had_a_contact_about_the_same_person_within_28_days() -> None:
    contacts = [(1, "p1", "2026-11-01T09:00:00+00:00"), (2, "p1", "2026-11-20T09:00:00+00:00"),
                (3, "p1", "2027-01-20T09:00:00+00:00"), (4, "p2", "2026-11-02T09:00:00+00:00"),
                (5, None, "2026-11-02T09:00:00+00:00")]
    assert repeat_callers(contacts) == {2}


def test_a_month_is_given_as_year_and_month() -> None:
    assert month_bounds("2026-12") == (dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                                       dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(ValueError, match="'2026-13' is not a month; give it as YYYY-MM"):
        month_bounds("2026-13")


def test_the_shipped_audit_form_loads() -> None:
    form = load_audit_form(ROOT / "audits" / "form.yaml")
    assert (form.id, form.version) == ("front-door-audit", 1)
    assert form.score({"red_flags_first": "yes", "escalated_in_time": "not_applicable",
                       "right_outcome": "partly", "deflection_suitable": "no",
                       "reasons_recorded": "yes"}) == (4, 6)


@pytest.mark.parametrize("case", sorted(INVALID.glob("*.yaml")), ids=lambda p: p.stem)
def test_a_bad_audit_form_reports_exactly_its_problems_as_file_line_col(case: Path) -> None:
    expected = case.with_suffix(".expected").read_text().splitlines()
    here = os.getcwd()
    os.chdir(INVALID)  # problems name the file as it was given
    try:
        with pytest.raises(AuditFormProblems) as raised:
            load_audit_form(Path(case.name))
    finally:
        os.chdir(here)
    assert [str(p) for p in raised.value.problems] == expected
