"""A finished call becomes a contact record; supervisors read records and every read is
audited. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

from structlog.testing import capture_logs

from tests.api.conftest import INFORMATION_CALL, Service
from triage.adapters.clients import demo_people
from triage.matching.records import CaseStatus


def open_case() -> Any:
    """A person in the demo client index with an open case."""
    return next(p for p in demo_people()
                if p.case_status is CaseStatus.OPEN)


def finished_call(service: Service, **override: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    state = service.walk(service.start(), INFORMATION_CALL)
    reply = service.finish(state, override or None)
    assert reply.status_code == 200, reply.text
    return state, reply.json()


def test_a_finished_call_becomes_a_complete_contact_record(service: Service) -> None:
    state, record = finished_call(service)
    assert record["call_id"] == state["call_id"]
    assert record["pathway"] == {"id": "front-door", "version": 1}
    assert record["handler"] == "demo-handler"
    assert record["caller_type"] == "family_friend"
    assert record["reason"] == "information_advice"
    assert record["person"]["known_status"] == "not_known"
    # The person's voice, a typed field of its own, and the clock the call was routed on.
    assert record["consent"] == "agrees"
    assert set(record["clock"]) == {"at", "in_hours", "out_of_hours", "next_opening"}
    assert record["clock"]["at"] == record["started_at"]
    assert record["clock"]["in_hours"] is not record["clock"]["out_of_hours"]
    assert record["suggested_outcome"]["id"].endswith("signpost_directory")
    assert record["suggested_outcome"]["kind"] == "signpost"
    assert record["suggested_outcome"]["timeframe"] == "immediate"
    assert record["codes"]["route_of_access"] == "community"
    assert record["codes"]["request_outcome"] == "nfa_information_advice"
    assert record["started_at"] and record["ended_at"] >= record["started_at"][:19]
    assert record["override"] is None
    answered = [(t["step"].rsplit("/")[-1], t["answer"]) for t in record["trail"]
                if t["kind"] == "answered"]
    assert answered == INFORMATION_CALL


def test_a_person_found_at_the_person_check_is_on_the_record(service: Service) -> None:
    person = open_case()
    state = service.walk(service.start(), INFORMATION_CALL[:4])
    reply = service.post(f"/api/calls/{state['call_id']}/search", {
        "version": state["version"], "nhs_number": person.nhs_number,
        "given_name": person.given_name, "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat()})
    assert reply.status_code == 200, reply.text
    found = reply.json()
    first = found["search"]["candidates"][0]
    assert first["person_id"] == person.system_id
    state = service.walk(found, [("find_person", person.system_id),
                                 ("consent", "agrees"),
                                 ("reason", "information_advice"),
                                 ("advice_topic", "answered_on_call")])
    record = service.finish(state).json()
    assert record["person"]["person_id"] == person.system_id
    assert record["person"]["known_status"] == "open"
    assert record["person"]["allocated_worker"] == person.allocated_worker


def test_an_override_needs_a_known_kind_and_a_reason_and_is_recorded(service: Service) -> None:
    state = service.walk(service.start(), INFORMATION_CALL)
    reply = service.finish(state, {"kind": "teleport", "reason": "Caller asked"})
    assert reply.status_code == 422
    assert "'teleport' is not an outcome kind" in reply.json()["error"]["reason"]
    reply = service.finish(state, {"kind": "team_referral", "reason": "   "})
    assert reply.status_code == 422
    assert reply.json()["error"]["field"] == "override.reason"
    reply = service.finish(state, {"kind": "team_referral", "team": "duty",
                                   "reason": "Caller is struggling more than they said"})
    assert reply.status_code == 200, reply.text
    record = reply.json()
    assert record["override"] == {"kind": "team_referral", "team": "duty",
                                  "reason": "Caller is struggling more than they said"}
    listed = service.get("/api/contacts", role="supervisor", limit=500).json()
    row = next(r for r in listed if r["call_id"] == state["call_id"])
    assert (row["outcome_kind"], row["team"]) == ("team_referral", "duty")


def test_a_call_cannot_be_finished_early_or_twice_or_changed_afterwards(
        service: Service) -> None:
    state = service.walk(service.start(), INFORMATION_CALL[:2])
    reply = service.finish(state)
    assert reply.status_code == 422
    assert "has not reached an outcome" in reply.json()["error"]["reason"]
    state = service.walk(state, INFORMATION_CALL[2:])
    assert service.finish(state).status_code == 200
    again = service.finish(state)
    assert again.status_code == 409  # from the old version: the record moved it on
    now = service.get(f"/api/calls/{state['call_id']}").json()
    assert service.finish(now).status_code == 422
    back = service.post(f"/api/calls/{state['call_id']}/back", {"version": now["version"]})
    assert back.status_code == 422
    assert "finished" in back.json()["error"]["reason"]
    listed = service.get("/api/contacts", role="supervisor", limit=500).json()
    assert [r["call_id"] for r in listed].count(state["call_id"]) == 1


def test_supervisors_list_records_newest_first_and_every_read_is_audited(
        service: Service) -> None:
    older, _ = finished_call(service)
    newer, _ = finished_call(service)
    listed = service.get("/api/contacts", role="supervisor", limit=500).json()
    ids = [r["call_id"] for r in listed]
    assert ids.index(newer["call_id"]) < ids.index(older["call_id"])
    assert "record" not in listed[0]
    contact_id = listed[ids.index(newer["call_id"])]["contact_id"]

    with capture_logs() as logs:
        first = service.get(f"/api/contacts/{contact_id}", role="supervisor")
        second = service.get(f"/api/contacts/{contact_id}", role="supervisor")
    assert first.status_code == second.status_code == 200
    assert first.json()["record"]["call_id"] == newer["call_id"]
    assert [e for e in logs if e["event"] == "contact_read"] == [
        {"event": "contact_read", "user": "demo-supervisor", "contact_id": contact_id,
         "log_level": "info"}] * 2
    with service.own_store() as store:
        reads = store.reads_of(contact_id)
    assert [r["username"] for r in reads] == ["demo-supervisor", "demo-supervisor"]


def test_a_missing_contact_record_is_404_and_its_read_is_not_recorded(
        service: Service) -> None:
    reply = service.get("/api/contacts/2147483000", role="supervisor")
    assert reply.status_code == 404
    assert reply.json()["error"]["reason"] == "There is no contact record with this id."
    too_big = service.get(f"/api/contacts/{2**63}", role="supervisor")
    assert too_big.status_code == 422
    assert too_big.json()["error"]["field"] == "path.contact_id"
