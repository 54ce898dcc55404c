"""Audit logs carry no personal details; timeframes count working days."""

from __future__ import annotations

import datetime as dt
import io
import json

from triage.adapters.audit import audit_logger, configure_logging
from triage.adapters.clients.sqlite_index import SqliteClientIndex
from triage.calls import CallEngine
from triage.matching.port import SearchDetails
from triage.routing.catalogue import Catalogue
from triage.timeframes import parse_timeframe

PERSONAL = ["Testpatient", "1941-02-14", "9991000003", "UB8 1QQ", "ada@example.org",
            "07700 900123", "my neighbour shouts at her", "14/02/1941"]


def test_no_personal_details_reach_the_audit_log(shipped_catalogue: Catalogue,
                                                 demo_index: SqliteClientIndex) -> None:
    stream = io.StringIO()
    configure_logging(stream, cache=False)
    try:
        engine = CallEngine(shipped_catalogue, demo_index, events=audit_logger())
        call = engine.start("front-door", {"caller_type": "family_friend",
                                           "caller_name": "Ada Testpatient"})
        for step in ("danger_to_life", "abuse_or_neglect", "mental_health_crisis"):
            engine.answer(call, step, "no")
        engine.search(call, SearchDetails(nhs_number="9991000003", family_name="Testpatient",
                                          date_of_birth="1941-02-14", postcode="UB8 1QQ"))
        engine.answer(call, "find_person", "SYN0000201")
        engine.log.info("free_text_check", note="call me on 07700 900123 or ada@example.org",
                        caller_name="Ada Testpatient", details="my neighbour shouts at her",
                        when="14/02/1941", nested={"postcode": "UB8 1QQ"})
    finally:
        configure_logging(io.StringIO(), cache=False)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert {line["event"] for line in lines} >= {"call_started", "person_searched",
                                                 "free_text_check"}
    text = stream.getvalue()
    for detail in PERSONAL:
        assert detail not in text, f"{detail!r} leaked into the audit log"
    searched = next(line for line in lines if line["event"] == "person_searched")
    assert searched["candidates"] == [["SYN0000201", "match"]]


def test_working_day_timeframes_skip_weekends_and_bank_holidays() -> None:
    friday_before_christmas = dt.datetime(2026, 12, 24, 10, 0)  # a Thursday
    due = parse_timeframe("2 working days").due(friday_before_christmas)
    # 25 and 28 December 2026 are bank holidays (Boxing Day falls on a Saturday).
    assert due == dt.datetime(2026, 12, 30, 17, 0)
    assert parse_timeframe("same working day").due(dt.datetime(2026, 11, 28, 9)) == \
        dt.datetime(2026, 11, 30, 17, 0)
    assert parse_timeframe("4 working hours").due(dt.datetime(2026, 11, 27, 15, 0)) == \
        dt.datetime(2026, 11, 30, 11, 0)
    assert parse_timeframe("immediate").due(dt.datetime(2026, 11, 27, 15, 0)) == \
        dt.datetime(2026, 11, 27, 15, 0)
