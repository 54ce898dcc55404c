"""The wrap-up, further needs, corrections on the record and earlier contacts: the engine
as the API, the screen and the terminal use it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from triage.adapters.clients.sqlite_index import SqliteClientIndex
from triage.calls import CallEngine, CallSession, ContactHistory, EarlierContact
from triage.errors import CallError, CallFinished, CannotGoBack
from triage.matching.port import SearchDetails
from triage.pipeline import check_paths
from triage.routing.catalogue import Catalogue
from triage.vocabulary import CallPhase, TrailKind

NOW = dt.datetime(2026, 12, 1, 14, 0, tzinfo=dt.UTC)
EDIE = SearchDetails(given_name="Edie", family_name="Dummy", date_of_birth="1945-09-09")
RED_FLAGS_NO = [("danger_to_life", "no"), ("abuse_or_neglect", "no"),
                ("mental_health_crisis", "no")]


class History(ContactHistory):
    """Earlier contacts held in a list, as the service's store would give them."""

    def __init__(self, *contacts: tuple[str, float, str]) -> None:
        self.asked: list[str] = []
        self.contacts = [EarlierContact(f"c{n}", (NOW - dt.timedelta(hours=hours)).isoformat(),
                                        "information_advice", kind, None)
                         for n, (_person, hours, kind) in enumerate(contacts)]
        self.people = [person for person, _h, _k in contacts]

    def recent(self, person_id: str, *, since: dt.datetime) -> list[EarlierContact]:
        self.asked.append(person_id)
        return [c for c, p in zip(self.contacts, self.people, strict=True)
                if p == person_id and dt.datetime.fromisoformat(c.started_at) >= since]


@pytest.fixture
def engine(shipped_catalogue: Catalogue, demo_index: SqliteClientIndex) -> CallEngine:
    return CallEngine(shipped_catalogue, demo_index, history=History(), clock=lambda: NOW)


def walk(engine: CallEngine, call: CallSession, answers: list[tuple[str, str]]) -> None:
    for step, answer in answers:
        engine.answer(call, step, answer)


def at_the_person_check(engine: CallEngine) -> CallSession:
    call = engine.start("front-door", {"caller_type": "family_friend", "consent": "agrees"})
    walk(engine, call, RED_FLAGS_NO)
    return call


def test_an_outcome_starts_the_wrap_up_and_only_finishing_ends_the_call(
        engine: CallEngine) -> None:
    call = engine.start("front-door", {"caller_type": "self"})
    engine.answer(call, "danger_to_life", "yes")
    assert call.phase is CallPhase.WRAP_UP
    with pytest.raises(CallFinished, match="wrap-up"):
        engine.answer(call, None, "no")
    engine.finish(call, without_person_check="the caller would not say")
    assert call.phase is CallPhase.FINISHED
    with pytest.raises(CallFinished):
        engine.add_need(call)


def test_after_an_escalation_the_person_check_is_done_in_the_wrap_up(engine: CallEngine) -> None:
    call = engine.start("front-door", {"caller_type": "self"})
    engine.answer(call, "danger_to_life", "yes")
    assert engine.person_check_needed(call)
    with pytest.raises(CallError, match="give the reason") as refused:
        engine.finish(call)
    assert refused.value.field == "without_person_check" and call.phase is CallPhase.WRAP_UP
    found = engine.search(call, EDIE)
    assert [c.person_id for c in found.candidates][:1] == ["SYN0000205"]
    wrap = engine.confirm_person(call, "SYN0000205")
    assert not wrap.person_check_needed
    assert wrap.person == {"known_status": "open", "person_id": "SYN0000205",
                           "allocated_worker": "Alex Placeholder",
                           "allocated_team": "Occupational Therapy Team", "alerts": []}
    out = engine.outcome(call)
    assert out.outcome_id == "front-door:emergency_services_now"  # the outcome is fixed
    assert out.person is not None and out.person["person_id"] == "SYN0000205"
    engine.finish(call)
    assert call.flags == []


def test_a_further_need_after_an_escalation_asks_the_consent_never_asked(
        engine: CallEngine) -> None:
    # A family member reports danger: the call escalates before the person check and the
    # consent question; the further need asks for consent before the reason.
    call = engine.start("front-door", {"caller_type": "family_friend"})
    engine.answer(call, "danger_to_life", "yes")
    engine.confirm_person(call, "not_known")
    engine.add_need(call)
    assert call.state == "consent"
    engine.answer(call, "consent", "agrees")
    assert call.state == "reason"
    # Someone calling about themselves is not asked, and consent asked once is carried.
    own = engine.start("front-door", {"caller_type": "self"})
    engine.answer(own, "danger_to_life", "yes")
    engine.confirm_person(own, "not_known")
    engine.add_need(own)
    assert own.state == "reason"


def test_finishing_without_the_person_check_records_why(engine: CallEngine) -> None:
    call = engine.start("front-door", {"caller_type": "self"})
    engine.answer(call, "danger_to_life", "yes")
    engine.finish(call, without_person_check="the caller would not say")
    assert [(f["kind"], f["reason"]) for f in call.flags] == [
        ("finished_without_person_check", "the caller would not say")]


def test_a_further_need_is_routed_with_the_caller_the_red_flags_and_the_person_carried_over(
        engine: CallEngine) -> None:
    call = at_the_person_check(engine)
    engine.search(call, EDIE)
    walk(engine, call, [("find_person", "SYN0000205"), ("reason", "information_advice"),
                        ("advice_topic", "community_support")])
    first = engine.outcome(call).outcome_id
    view = engine.add_need(call)
    assert view.step_id == "reason" and view.need == 2 and call.phase is CallPhase.ROUTING
    carried = [h.state for h in call.history if h.kind == TrailKind.CARRIED]
    assert carried == ["danger_to_life", "abuse_or_neglect", "mental_health_crisis"]
    assert call.values["person_id"] == "SYN0000205"
    assert call.values["caller_type"] == "family_friend"
    walk(engine, call, [("reason", "complaint")])
    while not call.at_outcome:
        view = engine.current(call)
        engine.answer(call, view.state, view.choices[0].code if view.choices else "A few words")
    needs = engine.needs(call)
    assert [n.need for n in needs] == [1, 2]
    assert needs[0].outcome.outcome_id == first and needs[1].values["reason"] == "complaint"
    # Back cannot undo the answers carried over; a change asks them again.
    call2 = at_the_person_check(engine)
    walk(engine, call2, [("find_person", "not_known"), ("reason", "information_advice"),
                         ("advice_topic", "community_support")])
    engine.add_need(call2)
    with pytest.raises(CannotGoBack, match="carried over"):
        engine.back(call2)
    result = engine.change(call2, "abuse_or_neglect", "yes")
    assert result.view.pathway_id == "safeguarding"


def test_a_further_need_before_the_outcome_is_refused_and_changes_nothing(
        engine: CallEngine) -> None:
    call = at_the_person_check(engine)
    before = call.to_dict()
    with pytest.raises(CallError, match="answer the remaining questions first"):
        engine.add_need(call)
    assert call.to_dict() == before


def test_a_correction_keeps_the_superseded_answer_who_changed_it_when_and_why(
        engine: CallEngine) -> None:
    call = at_the_person_check(engine)
    walk(engine, call, [("find_person", "not_known"), ("reason", "information_advice")])
    first_answer_at = next(h.at for h in call.history if h.state == "danger_to_life")
    engine.change(call, "reason", "complaint", reason="misheard")
    corrected = [h for h in call.history if h.kind == TrailKind.CORRECTED]
    assert [(h.state, h.answer, h.why) for h in corrected] == [
        ("reason", {"from": "information_advice", "to": "complaint", "by": ""}, "misheard")]
    # The answers given again keep the times they were first given; the trail is in order.
    assert next(h.at for h in call.history if h.state == "danger_to_life") == first_answer_at
    assert [h.at for h in call.history] == sorted(h.at for h in call.history)


def test_changing_a_red_flag_after_an_escalation_needs_a_reason_and_is_flagged(
        engine: CallEngine) -> None:
    call = engine.start("front-door", {"caller_type": "self"})
    engine.answer(call, "danger_to_life", "yes")
    before = call.to_dict()
    with pytest.raises(CallError, match="needs a reason") as refused:
        engine.change(call, "danger_to_life", "no")
    assert refused.value.field == "reason" and call.to_dict() == before
    engine.change(call, "danger_to_life", "no", reason="misheard: nobody is in danger")
    flag = call.flags[0]
    assert flag["kind"] == "red_flag_changed_after_escalation"
    assert (flag["from"], flag["to"], flag["outcome_before"]) == ("yes", "no",
                                                                    "emergency_services")
    assert flag["reason"] == "misheard: nobody is in danger"


def test_a_correction_that_reroutes_the_call_keeps_the_confirmed_person(
        engine: CallEngine) -> None:
    call = at_the_person_check(engine)
    engine.search(call, EDIE)
    walk(engine, call, [("find_person", "SYN0000205"), ("reason", "information_advice")])
    engine.change(call, "danger_to_life", "yes")
    assert engine.outcome(call).kind == "emergency_services"
    assert call.values["person_id"] == "SYN0000205"
    assert call.values["allocated_worker"] == "Alex Placeholder"
    assert not engine.person_check_needed(call)


def test_earlier_contacts_are_shown_once_the_person_is_confirmed(
        shipped_catalogue: Catalogue, demo_index: SqliteClientIndex) -> None:
    history = History(("SYN0000205", 30, "signpost"), ("SYN0000205", 24 * 40, "signpost"),
                      ("SYN0000202", 2, "team_referral"))
    engine = CallEngine(shipped_catalogue, demo_index, history=history, clock=lambda: NOW)
    call = at_the_person_check(engine)
    engine.search(call, EDIE)
    engine.answer(call, "find_person", "SYN0000205")
    view = engine.current(call)
    assert [c["contact_id"] for c in view.earlier_contacts] == ["c0"]  # 28 days, this person
    assert call.values["contacts_in_28_days"] == 1 and call.values["repeat_contact"] is False
    assert call.values["last_outcome_kind"] == "signpost"
    assert history.asked == ["SYN0000205"]


def test_a_third_contact_within_96_hours_is_a_repeat_contact_and_goes_to_duty(
        shipped_catalogue: Catalogue, demo_index: SqliteClientIndex) -> None:
    history = History(("SYN0000205", 10, "signpost"), ("SYN0000205", 90, "no_further_action"))
    engine = CallEngine(shipped_catalogue, demo_index, history=history, clock=lambda: NOW)
    call = at_the_person_check(engine)
    engine.search(call, EDIE)
    walk(engine, call, [("find_person", "SYN0000205"), ("reason", "information_advice")])
    assert call.values["repeat_contact"] is True
    assert engine.outcome(call).outcome_id == "front-door:repeat_contact_duty"


def test_a_saved_call_from_before_the_wrap_up_is_read_with_its_outcome_kept(
        engine: CallEngine) -> None:
    call = engine.start("front-door", {"caller_type": "self"})
    engine.answer(call, "danger_to_life", "yes")
    old = call.to_dict()
    old["format"] = 1
    old["finished_at"], old["outcome_at"] = old["outcome_at"], None
    restored = engine.restore(json.loads(json.dumps(old)))
    assert restored.phase is CallPhase.WRAP_UP and restored.outcome_at == call.outcome_at


def test_an_edit_that_lets_a_repeat_contact_end_early_fails_validation(tmp_path: Path) -> None:
    for name in ("pathways", "scripts"):
        shutil.copytree(ROOT / name, tmp_path / name)
    front_door = tmp_path / "pathways" / "front-door.yaml"
    text = front_door.read_text()
    route = ('      - when: "repeat_contact"\n        goto: repeat_contact_duty\n'
             '        why: Repeat contact about the same person, screened by the duty social '
             'worker\n')
    assert route in text
    front_door.write_text(text.replace(route, ""))
    lib, _ = check_paths([tmp_path / "pathways", tmp_path / "scripts"])
    messages = [p.message for p in lib.problems if p.check == "safety"]
    assert any(m.startswith("safety rule (repeat contacts): a person's contact number 3 or "
                            "more within 96 hours can end at ") for m in messages), messages
