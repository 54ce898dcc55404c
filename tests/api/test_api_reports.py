"""The reports API: who may read what, bad periods and filters (422 naming the field),
CSV downloads, the contacts behind a figure for supervisors only, and the report fields
a finished call writes."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import structlog

from api.storage.schema import contacts
from tests.api.conftest import MakeService, Service
from tests.api.reports_data import put_contacts
from tests.api.test_api_contacts import open_case

PERIOD = {"start": "2026-03-02", "end": "2026-03-15"}


@pytest.fixture
def reporting(make_service: MakeService) -> Service:
    service = make_service("sqlite")
    with service.own_store() as store:
        put_contacts(store.engine)
    return service


@pytest.mark.parametrize("role", ["manager", "supervisor"])
def test_managers_and_supervisors_read_every_report(reporting: Service, role: str) -> None:
    for report in ("callers", "outcomes", "safety", "equity"):
        reply = reporting.get(f"/api/reports/{report}", role=role, **PERIOD)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["period"] == {"start": "2026-03-02", "end": "2026-03-15", "by": "week"}
        assert all(f["rows"] is not None for f in body["figures"])
    mix = reporting.get("/api/reports/callers", role=role, **PERIOD).json()["figures"][1]
    assert mix["key"] == "caller-type"
    assert mix["rows"][0] == ["self", 4, 44.4]


@pytest.mark.parametrize("role", ["handler", "designer"])
def test_handlers_and_designers_get_403_for_reports(reporting: Service, role: str) -> None:
    for url in ("/api/reports/callers", "/api/reports/callers/caller-type.csv",
                "/api/reports/contacts"):
        reply = reporting.get(url, role=role, **PERIOD)
        assert reply.status_code == 403, (url, reply.text)
        assert reply.json()["error"]["field"] == "role"


def test_a_manager_never_gets_the_contacts_behind_a_figure(reporting: Service) -> None:
    reply = reporting.get("/api/reports/contacts", role="manager", figure="reason",
                          row="safeguarding", **PERIOD)
    assert reply.status_code == 403
    assert reporting.get("/api/contacts/1", role="manager").status_code == 403
    body = reporting.get("/api/reports/outcomes", role="manager", **PERIOD).text
    assert "contact_id" not in body and "P1" not in body and "call-0" not in body


def test_a_supervisor_lists_the_contacts_behind_a_row(reporting: Service) -> None:
    reply = reporting.get("/api/reports/contacts", role="supervisor", figure="reason",
                          row="safeguarding", **PERIOD)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"figure": "reason", "row": "safeguarding", "contact_ids": [8, 7],
                            "limited": False}
    reply = reporting.get("/api/reports/contacts", role="supervisor", figure="repeat-contacts",
                          row="x", **PERIOD)
    assert reply.status_code == 404
    assert reply.json()["error"]["field"] == "figure"


def test_a_figure_downloads_as_csv(reporting: Service) -> None:
    reply = reporting.get("/api/reports/outcomes/deflection.csv", role="manager", **PERIOD)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/csv")
    assert 'filename="outcomes-deflection-2026-03-02-to-2026-03-15.csv"' in (
        reply.headers["content-disposition"])
    rows = list(csv.reader(io.StringIO(reply.text)))
    assert rows[0] == ["Week starting", "Contacts with an outcome", "Deflected online",
                       "Deflection rate (%)", "Assisted deflections",
                       "Assisted share of deflections (%)"]
    assert rows[1:] == [["2026-03-02", "6", "2", "33.3", "1", "50.0"],
                        ["2026-03-09", "3", "0", "0.0", "0", ""],
                        ["Whole period", "9", "2", "22.2", "1", "50.0"]]


@pytest.mark.parametrize(("params", "field", "words"), [
    ({"start": "2026-03-15", "end": "2026-03-02"}, "end", "before it starts"),
    ({"start": "2020-01-01", "end": "2026-03-02"}, "end", "longer than three years"),
    ({"start": "2026-13-01"}, "start", "give start as YYYY-MM-DD"),
    ({"start": "2026-3-1"}, "start", "is not a date"),
    ({"end": "yesterday"}, "end", "is not a date"),
    ({"by": "fortnight"}, "by", "by takes week or month"),
    ({"team": "nowhere"}, "team", "is not a team of the directory"),
    ({"pathway_version": "two"}, "pathway_version", "is not a pathway version"),
])
def test_a_bad_period_or_filter_is_a_422_naming_the_field(
        reporting: Service, params: dict[str, str], field: str, words: str) -> None:
    reply = reporting.get("/api/reports/callers", role="manager", **params)
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["field"] == field
    assert words in error["reason"]


def test_an_unknown_report_or_figure_names_the_ones_there_are(reporting: Service) -> None:
    reply = reporting.get("/api/reports/finance", role="manager")
    assert reply.status_code == 404
    assert reply.json()["error"]["reason"] == (
        "There is no report 'finance'; reports are: callers, outcomes, safety, equity.")
    reply = reporting.get("/api/reports/callers/nope.csv", role="manager")
    assert reply.status_code == 404
    assert reply.json()["error"]["field"] == "figure"


def test_every_report_read_is_audited_without_personal_details(reporting: Service) -> None:
    with structlog.testing.capture_logs() as logs:
        reporting.get("/api/reports/equity", role="manager", team="mash", **PERIOD)
    read = [e for e in logs if e["event"] == "report_read"]
    assert read == [{"event": "report_read", "user": "demo-manager", "role": "manager",
                     "report": "equity", "start": "2026-03-02", "end": "2026-03-16",
                     "by": "week", "team": "mash", "log_level": "info"}]


def _row(service: Service, call_id: str) -> dict[str, Any]:
    with service.own_store() as store, store.engine.connect() as conn:
        found = conn.execute(contacts.select().where(contacts.c.call_id == call_id)
                             ).mappings().one()
    return dict(found)


def test_a_finished_call_writes_its_report_fields(service: Service) -> None:
    person = open_case()
    state = service.walk(service.start(), [("caller_type", "self"), ("danger_to_life", "no"),
                                           ("abuse_or_neglect", "no"),
                                           ("mental_health_crisis", "no")])
    found = service.post(f"/api/calls/{state['call_id']}/search", {
        "version": state["version"], "nhs_number": person.nhs_number,
        "given_name": person.given_name, "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat()}).json()
    state = service.walk(found, [("find_person", person.system_id),
                                 ("reason", "information_advice"),
                                 ("advice_topic", "answered_on_call")])
    assert service.finish(state).status_code == 200
    row = _row(service, state["call_id"])
    assert row["preferred_language"] == (person.preferred_language or "English")
    assert row["age_band"] is not None
    assert row["in_hours"] in (True, False)
    assert row["outcome_at"] >= row["started_at"]
    assert row["escalated"] is False and row["escalation_seconds"] is None
    assert row["first_red_flag_at"] is None
    assert row["deflection"] == "none" and row["test_call"] is False
    assert row["fields_from"] == "written"
    assert row["started_week"] <= row["started_at"][:10]


def test_a_red_flag_call_records_its_red_flag_and_escalation_times(service: Service) -> None:
    state = service.walk(service.start(), [("caller_type", "family_friend"),
                                           ("danger_to_life", "yes")])
    assert state["step"] is None or state.get("outcome") is not None
    reply = service.finish(state, None)
    if reply.status_code != 200:  # the person check is asked in the wrap-up
        reply = service.post(f"/api/calls/{state['call_id']}/finish", {
            "version": state["version"], "without_person_check": "Emergency"})
    assert reply.status_code == 200, reply.text
    row = _row(service, state["call_id"])
    assert row["escalated"] is True
    assert row["first_red_flag_at"] is not None
    assert row["escalation_seconds"] is not None and row["escalation_seconds"] >= 0
