"""Guidance for the handler apart from the words to read, and the clock as call facts:
opening hours, bank holidays and closures, due times, and the clock a call was routed on."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import MakeLibrary
from triage.calls import CallEngine
from triage.clock import FixedClock, clock_facts
from triage.pipeline import check_paths, load_catalogue
from triage.routing.catalogue import Catalogue
from triage.timeframes import OFFICE_HOURS, OpeningHours, parse_day_hours, parse_timeframe

RED_FLAGS_CLEAR = ("no", "no", "no")


def shipped_hours(catalogue: Catalogue) -> OpeningHours:
    return catalogue.get("front-door").places.hours


def engine_at(catalogue: Catalogue, when: dt.datetime) -> CallEngine:
    return CallEngine(catalogue, clock=FixedClock(when))


def safeguarding_call(engine: CallEngine) -> str:
    """A safeguarding concern routed to its outcome; the outcome id."""
    session = engine.start("front-door", {"caller_type": "family_friend",
                                          "known_status": "not_known",
                                          "reason": "safeguarding", "consent": "agrees"})
    for answer in (*RED_FLAGS_CLEAR, "no", ["neglect"]):
        engine.answer(session, None, answer)
    return engine.outcome(session).outcome_id


# --- guidance ----------------------------------------------------------------------------------

def test_the_person_check_instruction_is_guidance_and_never_under_the_words_to_read(
        shipped_catalogue: Catalogue) -> None:
    engine = CallEngine(shipped_catalogue)
    session = engine.start("front-door", {"caller_type": "self"})
    for answer in RED_FLAGS_CLEAR:
        engine.answer(session, None, answer)
    view = engine.current(session)
    assert view.step_id == "find_person"
    assert "never read out details from a record" not in view.words
    assert "never read out details from a record" in view.guidance
    assert "full name, date of birth and postcode" in view.words


def test_outcome_guidance_fills_its_placeholders_and_stays_out_of_what_the_caller_hears(
        shipped_catalogue: Catalogue) -> None:
    engine = engine_at(shipped_catalogue, dt.datetime(2026, 12, 2, 10, 0))
    session = engine.start("front-door", {"caller_type": "family_friend",
                                          "known_status": "not_known",
                                          "reason": "safeguarding", "consent": "agrees"})
    for answer in (*RED_FLAGS_CLEAR, "no", ["neglect"]):
        engine.answer(session, None, answer)
    out = engine.outcome(session)
    assert out.outcome_id == "safeguarding:mash_same_day"
    assert "Complete the safeguarding concern form now" in out.guidance
    assert "01895 556006" in out.guidance  # {team_phone} filled
    assert "Handler" not in out.words and "form" not in out.words


def test_no_shipped_words_to_read_address_the_handler() -> None:
    lib, _ = check_paths()
    assert lib.problems == []
    assert [str(w) for w in lib.warnings] == []


def test_words_that_address_the_handler_are_a_located_warning_and_still_load(
        make_library: MakeLibrary) -> None:
    folder = make_library(('text: {en: "Is anyone in danger right now?"}',
                           'text: {en: "Is anyone in danger right now? Tell the caller to '
                           'stay on the line."}'))
    lib, _ = check_paths([folder])
    assert lib.problems == []
    assert len(lib.warnings) == 1
    warning = str(lib.warnings[0])
    assert warning.startswith(f"{lib.warnings[0].file}:19:")
    assert "warning: steps.danger.text.en: the words to read say 'tell the caller'" in warning
    assert "move it into 'guidance'" in warning
    assert load_catalogue([folder]).ids() == ["mini"]


def test_a_council_adds_its_own_phrase_and_makes_it_an_error(make_library: MakeLibrary) -> None:
    folder = make_library(('text: {en: "Is anyone in danger right now?"}',
                           'text: {en: "Is anyone in danger right now? Look at Mosaic."}'))
    directory = folder / "directory.yaml"
    directory.write_text(directory.read_text().replace(
        "    severity: warning\n    phrases:\n",
        "    severity: error\n    phrases:\n      - look at mosaic\n"))
    lib, _ = check_paths([folder])
    assert [p.message.split(" to be read out")[0] for p in lib.problems] == [
        "the words to read say 'look at mosaic'"]
    assert lib.problems[0].line == 19


# --- opening hours and due times -------------------------------------------------------------

def test_opening_hours_read_periods_all_day_and_closed() -> None:
    assert parse_day_hours("09:00-17:00") == ((540, 1020),)
    assert parse_day_hours("13:30-18:00, 08:00-12:30") == ((480, 750), (810, 1080))
    assert parse_day_hours("00:00-24:00") == ((0, 1440),)
    assert parse_day_hours("Closed") == ()


@pytest.mark.parametrize(("text", "says"), [
    ("09:00-13:00, 12:30-17:00", "overlap"),
    ("22:00-06:00", "cannot run past midnight: write '22:00-24:00' here and '00:00-06:00'"),
    ("17:00-00:00", "midnight at the end of the day is 24:00"),
    ("9am-5pm", "is not a period of opening hours"),
    ("09:00-25:00", "is not a time of day"),
])
def test_opening_hours_that_cannot_be_used_say_why(text: str, says: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_day_hours(text)
    assert says in str(caught.value)


def test_the_shipped_directory_keeps_office_hours_and_its_christmas_closures(
        shipped_catalogue: Catalogue) -> None:
    hours = shipped_hours(shipped_catalogue)
    assert hours.is_open(dt.datetime(2026, 12, 2, 9, 0))
    assert not hours.is_open(dt.datetime(2026, 12, 2, 17, 0))  # closing time is closed
    assert not hours.is_open(dt.datetime(2026, 12, 5, 11, 0))  # Saturday
    assert not hours.is_open(dt.datetime(2026, 12, 25, 11, 0))  # Christmas Day
    assert not hours.is_open(dt.datetime(2026, 12, 29, 11, 0))  # local closure
    assert hours.is_open(dt.datetime(2027, 1, 4, 11, 0))


@pytest.mark.parametrize(("start", "timeframe", "due"), [
    # An evening call: the same working day is tomorrow's.
    (dt.datetime(2026, 12, 2, 18, 0), "same working day", dt.datetime(2026, 12, 3, 17, 0)),
    # A Saturday: Monday.
    (dt.datetime(2026, 12, 5, 11, 0), "same working day", dt.datetime(2026, 12, 7, 17, 0)),
    # Christmas Eve after closing: past the bank holidays (25, 28 Dec, 1 Jan) and the
    # council's closures (29-31 Dec) to Monday 4 January.
    (dt.datetime(2026, 12, 24, 17, 30), "same working day", dt.datetime(2027, 1, 4, 17, 0)),
    (dt.datetime(2026, 12, 24, 10, 0), "2 working days", dt.datetime(2027, 1, 5, 17, 0)),
    # Working hours stop at closing and carry on at the next opening.
    (dt.datetime(2026, 12, 4, 15, 0), "4 working hours", dt.datetime(2026, 12, 7, 11, 0)),
    (dt.datetime(2026, 12, 5, 23, 0), "2 working hours", dt.datetime(2026, 12, 7, 11, 0)),
    # Clock hours are clock hours, in or out of hours.
    (dt.datetime(2026, 12, 5, 18, 30), "4 hours", dt.datetime(2026, 12, 5, 22, 30)),
])
def test_due_times_count_the_councils_working_time(
        shipped_catalogue: Catalogue, start: dt.datetime, timeframe: str,
        due: dt.datetime) -> None:
    assert parse_timeframe(timeframe).due(start, shipped_hours(shipped_catalogue)) == due


def test_a_split_day_and_a_saturday_morning_count_as_working_time() -> None:
    hours = OpeningHours(week=(((480, 720), (780, 1080)),) * 5 + (((540, 780),), ()))
    assert parse_timeframe("3 working hours").due(dt.datetime(2026, 12, 2, 11, 0), hours) == \
        dt.datetime(2026, 12, 2, 15, 0)  # 11-12, then 13-15 after lunch
    assert parse_timeframe("same working day").due(dt.datetime(2026, 12, 5, 10, 0), hours) == \
        dt.datetime(2026, 12, 5, 13, 0)  # open on Saturday until 1pm
    assert parse_timeframe("next working day").due(dt.datetime(2026, 12, 5, 10, 0), hours) == \
        dt.datetime(2026, 12, 7, 18, 0)


def test_clock_facts_say_out_of_hours_and_when_the_office_opens() -> None:
    saturday_evening = dt.datetime(2026, 12, 5, 18, 30, tzinfo=dt.UTC)
    assert clock_facts(saturday_evening, OFFICE_HOURS) == {
        "in_hours": False, "out_of_hours": True, "next_opening": "2026-12-07T09:00+00:00"}
    # British Summer Time: 08:30 UTC is 09:30 in London, so the office is open.
    summer = dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC)
    assert clock_facts(summer, OFFICE_HOURS)["in_hours"] is True


# --- the clock on calls ---------------------------------------------------------------------

@pytest.mark.parametrize(("when", "outcome"), [
    (dt.datetime(2026, 12, 2, 10, 0), "safeguarding:mash_same_day"),  # Wednesday morning
    (dt.datetime(2026, 12, 2, 17, 30), "safeguarding:emergency_duty_team"),  # that evening
    (dt.datetime(2026, 12, 6, 11, 0), "safeguarding:emergency_duty_team"),  # Sunday
    (dt.datetime(2026, 12, 28, 11, 0), "safeguarding:emergency_duty_team"),  # bank holiday
    (dt.datetime(2026, 12, 30, 11, 0), "safeguarding:emergency_duty_team"),  # local closure
])
def test_safeguarding_routes_on_the_clock_without_asking_the_handler(
        shipped_catalogue: Catalogue, when: dt.datetime, outcome: str) -> None:
    assert safeguarding_call(engine_at(shipped_catalogue, when)) == outcome


def test_a_call_keeps_the_clock_it_was_routed_on_through_save_and_restore(
        shipped_catalogue: Catalogue) -> None:
    clock = FixedClock(dt.datetime(2026, 12, 5, 18, 30))
    engine = CallEngine(shipped_catalogue, clock=clock)
    session = engine.start("front-door", {"caller_type": "self"})
    assert session.clock == {"at": "2026-12-05T18:30:00.000+00:00", "in_hours": False,
                             "out_of_hours": True, "next_opening": "2026-12-07T09:00+00:00"}
    assert session.started_at == "2026-12-05T18:30:00.000+00:00"
    clock.set(dt.datetime(2026, 12, 7, 10, 0))  # the office opens; the call keeps its clock
    restored = engine.restore(json.loads(json.dumps(session.to_dict())))
    assert restored.clock == session.clock
    assert restored.values["out_of_hours"] is True


def test_a_further_need_and_a_correction_keep_the_clock_facts(
        shipped_catalogue: Catalogue) -> None:
    engine = engine_at(shipped_catalogue, dt.datetime(2026, 12, 6, 11, 0))
    session = engine.start("front-door", {"caller_type": "family_friend",
                                          "known_status": "not_known",
                                          "reason": "safeguarding", "consent": "agrees"})
    for answer in (*RED_FLAGS_CLEAR, "no", ["neglect"]):
        engine.answer(session, None, answer)
    engine.change(session, "concern_type", ["financial"])
    assert engine.outcome(session).outcome_id == "safeguarding:emergency_duty_team"
    engine.add_need(session)
    assert session.values["out_of_hours"] is True


def test_a_clock_fact_cannot_be_given_as_a_fact_at_the_start(
        shipped_catalogue: Catalogue) -> None:
    engine = CallEngine(shipped_catalogue)
    with pytest.raises(Exception, match="'out_of_hours' is not a call fact"):
        engine.start("front-door", {"out_of_hours": "no"})
