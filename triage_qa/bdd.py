"""The generic Gherkin step library for QA (a pytest plugin; see docs/testing.md).

Load it from a ``conftest.py`` with ``pytest_plugins = ["triage_qa.bdd"]`` and bind
feature files with ``scenarios("features")``: QA then write only ``.feature`` files.
A step that fails says which step, what was expected and where the call actually is.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from triage.adapters.clients.demo import open_demo_index
from triage.calls import CallEngine, CallSession, ContactHistory, EarlierContact, OutcomeView
from triage.clock import FixedClock, local
from triage.errors import CallError
from triage.matching.port import SearchDetails
from triage.pipeline import load_catalogue
from triage.routing.catalogue import Catalogue
from triage.vocabulary import CallPhase


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--triage-paths`` chooses the pathway and script folders the scenarios run on."""
    parser.addoption("--triage-paths", nargs="+", default=None,
                     help="pathway and script files or folders for the BDD scenarios")


@pytest.fixture(scope="session")
def triage_catalogue(request: pytest.FixtureRequest) -> Catalogue:
    """Every shipped pathway, compiled once for the whole test session."""
    root = Path(str(request.config.rootpath))
    chosen = request.config.getoption("--triage-paths") or os.environ.get(
        "TRIAGE_PATHS", "").split() or ["pathways", "scripts"]
    return load_catalogue([root / p for p in chosen])


class ScenarioContacts(ContactHistory):
    """Earlier contacts a scenario gives people ('Given the person ... had these earlier
    contacts'); emptied before every scenario."""

    def __init__(self) -> None:
        self.contacts: dict[str, list[EarlierContact]] = {}

    def recent(self, person_id: str, *, since: dt.datetime) -> list[EarlierContact]:
        """The person's contacts since ``since``, newest first."""
        found = [c for c in self.contacts.get(person_id, [])
                 if dt.datetime.fromisoformat(c.started_at) >= since]
        return sorted(found, key=lambda c: c.started_at, reverse=True)


@pytest.fixture(scope="session")
def triage_contacts() -> ScenarioContacts:
    """The earlier contacts the scenarios' engine sees."""
    return ScenarioContacts()


@pytest.fixture(autouse=True)
def _no_earlier_contacts(triage_contacts: ScenarioContacts) -> None:
    """Every scenario starts with nobody having been in contact before."""
    triage_contacts.contacts.clear()


SCENARIO_TIME = dt.datetime(2026, 12, 2, 10, 30)
"""When every scenario's calls start unless it says otherwise ('Given the time is ...'):
a Wednesday morning, UK time, with the offices open."""


@pytest.fixture(scope="session")
def triage_clock() -> FixedClock:
    """The clock the scenarios' engine reads (UK local time when a scenario sets it)."""
    return FixedClock(SCENARIO_TIME)


@pytest.fixture(autouse=True)
def _scenario_time(triage_clock: FixedClock) -> None:
    """Every scenario starts on a weekday in office hours."""
    triage_clock.set(SCENARIO_TIME)


@pytest.fixture(scope="session")
def triage_engine(triage_catalogue: Catalogue, triage_contacts: ScenarioContacts,
                  triage_clock: FixedClock,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallEngine]:
    """A call engine on the shipped pathways with the demo client index (the people of
    data/demo-clients.csv, as ``triage call`` and the service see them), the earlier
    contacts the scenario gives and the scenario's clock."""
    index = open_demo_index(tmp_path_factory.mktemp("demo-index"))
    yield CallEngine(triage_catalogue, index, history=triage_contacts, clock=triage_clock)
    index.close()


@dataclass
class CallUnderTest:
    """The call a scenario drives, and the last refusal it met."""

    engine: CallEngine
    session: CallSession
    error: CallError | None = None
    dropped: tuple[str, ...] = field(default_factory=tuple)

    def where(self) -> str:
        """Where the call is, for failure messages."""
        if self.session.at_outcome:
            return f"the call ended at outcome '{self.outcome().outcome_id}'"
        view = self.engine.current(self.session)
        return f"the call is at step '{view.step_id}' ({view.pathway_id})"

    def outcome(self) -> OutcomeView:
        """The outcome, or a test failure saying where the call is instead."""
        if not self.session.at_outcome:
            view = self.engine.current(self.session)
            pytest.fail(f"The call has not reached an outcome: it is at step '{view.step_id}' "
                        f"({view.pathway_id}) waiting for an answer ({view.hint}).")
        return self.engine.outcome(self.session)

    def answer(self, step: str | None, answer: str) -> None:
        """Answer, failing the scenario with the reason if the answer is refused."""
        try:
            self.engine.answer(self.session, step, answer)
        except CallError as exc:
            pytest.fail(f"Answering '{answer}' to '{step or 'the current step'}' was refused: "
                        f"{exc} ({self.where()}).")


def _table(datatable: list[list[str]], columns: tuple[str, str]) -> list[tuple[str, str]]:
    header = [c.strip() for c in datatable[0]]
    if tuple(header) != columns:
        pytest.fail(f"The table needs the header | {' | '.join(columns)} |, not "
                    f"| {' | '.join(header)} |.")
    return [(row[0].strip(), row[1].strip()) for row in datatable[1:]]


# --- Given ---------------------------------------------------------------------------------

@given(parsers.parse('the time is "{when}"'))
def the_time_is(triage_clock: FixedClock, when: str) -> None:
    """Calls started from now on start at this UK local time ("2026-12-05 18:30")."""
    try:
        triage_clock.set(dt.datetime.fromisoformat(when))
    except ValueError:
        pytest.fail(f"'{when}' is not a time: write it as YYYY-MM-DD HH:MM (UK local time).")


@given(parsers.parse('a call on the "{pathway}" pathway'), target_fixture="call")
def start_call(triage_engine: CallEngine, pathway: str) -> CallUnderTest:
    """Start a call with nothing known yet."""
    try:
        return CallUnderTest(triage_engine, triage_engine.start(pathway, handler="QA tester"))
    except CallError as exc:
        pytest.fail(f"Cannot start a call on '{pathway}': {exc}")


@given(parsers.parse('a call on the "{pathway}" pathway with these facts:'),
       target_fixture="call")
def start_call_with_facts(triage_engine: CallEngine, pathway: str,
                          datatable: list[list[str]]) -> CallUnderTest:
    """Start a call with facts already known; each pre-answers its question."""
    facts: dict[str, Any] = {}
    for name, value in _table(datatable, ("fact", "value")):
        facts[name] = [v.strip() for v in value.split(",") if v.strip()] if name == "alerts" \
            else value
    try:
        return CallUnderTest(triage_engine, triage_engine.start(pathway, facts,
                                                                handler="QA tester"))
    except CallError as exc:
        pytest.fail(f"Cannot start a call on '{pathway}' with facts {facts}: {exc}")


@given(parsers.parse('the person "{person_id}" had these earlier contacts:'))
def earlier_contacts(triage_contacts: ScenarioContacts, triage_clock: FixedClock,
                     person_id: str, datatable: list[list[str]]) -> None:
    """Contacts already recorded about the person: | hours ago | reason | outcome | team |."""
    header = [c.strip() for c in datatable[0]]
    if header != ["hours ago", "reason", "outcome", "team"]:
        pytest.fail("The table needs the header | hours ago | reason | outcome | team |, not "
                    f"| {' | '.join(header)} |.")
    now = triage_clock.now()
    for n, row in enumerate(datatable[1:], 1):
        hours, reason, outcome, team = (cell.strip() for cell in row)
        try:
            started = now - dt.timedelta(hours=float(hours))
        except ValueError:
            pytest.fail(f"Row {n}: 'hours ago' must be a number of hours, not '{hours}'.")
        triage_contacts.contacts.setdefault(person_id, []).append(EarlierContact(
            f"earlier-{n}", started.isoformat(), reason or None, outcome, team or None))


@given(parsers.parse('the call is in "{language}"'))
def call_language(call: CallUnderTest, language: str) -> None:
    """Show the words in another language (English stands in where there is none)."""
    call.session.language = language


# --- When ----------------------------------------------------------------------------------

@when(parsers.parse('the handler answers "{answer}" to "{step}"'))
def answer_step(call: CallUnderTest, answer: str, step: str) -> None:
    """Answer the current step, named by its step id."""
    call.answer(step, answer)


@when(parsers.parse('the handler answers "{answer}" to the question "{question}"'))
def answer_question(call: CallUnderTest, answer: str, question: str) -> None:
    """Answer the current step, named by words of its question."""
    view = call.engine.current(call.session)
    if question.casefold() not in view.words.casefold():
        pytest.fail(f"The current step '{view.step_id}' does not ask \"{question}\"; it reads: "
                    f"{view.words[-300:]!r}")
    call.answer(view.state, answer)


@when("the handler answers these questions:")
def answer_table(call: CallUnderTest, datatable: list[list[str]]) -> None:
    """Answer several steps in order, each when it becomes current."""
    for step, answer in _table(datatable, ("step", "answer")):
        call.answer(step, answer)


@when("the handler goes back")
def go_back(call: CallUnderTest) -> None:
    """Go back to the previous question."""
    try:
        call.engine.back(call.session)
    except CallError as exc:
        pytest.fail(f"Going back was refused: {exc}")


@when(parsers.parse('the handler changes the answer to "{step}" to "{answer}"'))
def change_answer(call: CallUnderTest, step: str, answer: str) -> None:
    """Correct an earlier answer; answers no longer needed are dropped."""
    try:
        call.dropped = call.engine.change(call.session, step, answer).dropped
    except CallError as exc:
        pytest.fail(f"Changing '{step}' to '{answer}' was refused: {exc}")


@when(parsers.parse('the handler changes the answer to "{step}" to "{answer}" because '
                    '"{reason}"'))
def change_answer_with_reason(call: CallUnderTest, step: str, answer: str,
                              reason: str) -> None:
    """Correct an earlier answer, saying why (needed for a red flag after an escalation)."""
    try:
        call.dropped = call.engine.change(call.session, step, answer, reason=reason).dropped
    except CallError as exc:
        pytest.fail(f"Changing '{step}' to '{answer}' was refused: {exc}")


@when(parsers.parse('the handler tries to change the answer to "{step}" to "{answer}"'))
def try_change_answer(call: CallUnderTest, step: str, answer: str) -> None:
    """Correct an earlier answer, expecting it may be refused ('Then ... was refused')."""
    before = call.session.to_dict()
    try:
        call.engine.change(call.session, step, answer)
    except CallError as exc:
        call.error = exc
        assert call.session.to_dict() == before, "The refused change changed the call."


@when("the handler adds a further need")
def add_need(call: CallUnderTest) -> None:
    """In the wrap-up: record another need of the caller's, as a linked contact."""
    try:
        call.engine.add_need(call.session)
    except CallError as exc:
        pytest.fail(f"Adding a further need was refused: {exc} ({call.where()}).")


@when("the handler tries to finish the call")
def try_finish(call: CallUnderTest) -> None:
    """Finish the wrap-up, expecting it may be refused ('Then ... was refused')."""
    try:
        call.engine.finish(call.session)
    except CallError as exc:
        call.error = exc


@when(parsers.parse('the handler finishes the call without the person check because '
                    '"{reason}"'))
def finish_without_person_check(call: CallUnderTest, reason: str) -> None:
    """Finish after an escalation, saying why the person could not be checked."""
    try:
        call.engine.finish(call.session, without_person_check=reason)
    except CallError as exc:
        pytest.fail(f"Finishing the call was refused: {exc}")


@when("the handler confirms the person is not known")
def confirm_not_known(call: CallUnderTest) -> None:
    """Answer the person check: nobody on the client index matches."""
    call.answer(None, "not_known")


@when(parsers.parse('the handler searches for the person with:'))
def search_person(call: CallUnderTest, datatable: list[list[str]]) -> None:
    """Search the client index with | field | value | rows."""
    fields = dict(_table(datatable, ("field", "value")))
    try:
        call.engine.search(call.session, SearchDetails(**fields))
    except (CallError, TypeError) as exc:
        pytest.fail(f"The search was refused: {exc}")


@when(parsers.parse('the handler confirms the person "{person_id}"'))
def confirm_person(call: CallUnderTest, person_id: str) -> None:
    """Confirm one of the people the last search found (in the wrap-up too)."""
    if person_id not in call.session.candidates:
        pytest.fail(f"'{person_id}' was not found by a search in this call (found: "
                    f"{call.session.candidates or 'nobody yet'}); search first with "
                    "'When the handler searches for the person with:'.")
    if call.engine.person_check_needed(call.session):
        try:
            call.engine.confirm_person(call.session, person_id)
        except CallError as exc:
            pytest.fail(f"Confirming '{person_id}' in the wrap-up was refused: {exc}")
        return
    call.answer(None, person_id)


# --- Then ----------------------------------------------------------------------------------

@then(parsers.parse('the current step is "{step}"'))
def current_step(call: CallUnderTest, step: str) -> None:
    """The call waits at this step."""
    if call.session.at_outcome:
        pytest.fail(f"Expected the call at step '{step}', but {call.where()}.")
    view = call.engine.current(call.session)
    assert step in (view.step_id, view.state), (
        f"Expected the call at step '{step}', but {call.where()}.")


@then(parsers.parse('the handler is shown "{text}"'))
def shown(call: CallUnderTest, text: str) -> None:
    """The words to read (or the outcome words) contain this text."""
    words = (call.outcome().words if call.session.at_outcome
             else call.engine.current(call.session).words)
    assert text.casefold() in words.casefold(), (
        f"The handler is not shown \"{text}\"; {call.where()} and the words are: {words!r}")


@then(parsers.parse('the handler is given the guidance "{text}"'))
def guidance_shown(call: CallUnderTest, text: str) -> None:
    """The words for the handler (never read out) contain this text."""
    guidance = (call.outcome().guidance if call.session.at_outcome
                else call.engine.current(call.session).guidance)
    assert text.casefold() in guidance.casefold(), (
        f"The handler is not given the guidance \"{text}\"; {call.where()} and the guidance "
        f"is: {guidance!r}")


@then(parsers.parse('the handler is not asked to read "{text}"'))
def not_read_out(call: CallUnderTest, text: str) -> None:
    """The words to read do not contain this text (it is guidance, if anything)."""
    words = (call.outcome().words if call.session.at_outcome
             else call.engine.current(call.session).words)
    assert text.casefold() not in words.casefold(), (
        f"The words to read contain \"{text}\"; {call.where()}: {words!r}")


@then(parsers.parse('the consent recorded is "{code}"'))
def consent_recorded(call: CallUnderTest, code: str) -> None:
    """The person's voice as recorded on the contact (a code of the consent fact, or
    "none" when it was not asked)."""
    got = call.session.values.get("consent")
    assert (got or "none") == code, f"Expected consent '{code}' recorded, but it is {got!r}."


@then(parsers.parse('the call was routed {when} hours'))
def routed_in_or_out_of_hours(call: CallUnderTest, when: str) -> None:
    """The clock facts the call was routed on: "in" or "out of" hours."""
    if when not in ("in", "out of"):
        pytest.fail(f"Say 'in hours' or 'out of hours', not '{when} hours'.")
    out = call.session.clock.get("out_of_hours")
    assert out is (when == "out of"), (
        f"Expected the call routed {when} hours, but its clock facts are {call.session.clock}.")


@then(parsers.parse('the response is due at "{when}"'))
def due_at(call: CallUnderTest, when: str) -> None:
    """When the outcome's response is due, UK local time ("2026-12-07 17:00")."""
    due = local(dt.datetime.fromisoformat(call.outcome().due))
    got = due.strftime("%Y-%m-%d %H:%M")
    assert got == when, f"Expected the response due at {when}, but it is due at {got}."


@then(parsers.parse('the outcome is "{outcome_id}"'))
def outcome_is(call: CallUnderTest, outcome_id: str) -> None:
    """The call ended at this outcome (pathway-id:outcome-step-id)."""
    got = call.outcome().outcome_id
    assert got == outcome_id, f"Expected outcome '{outcome_id}', but the call ended at '{got}'."


@then(parsers.parse('the outcome kind is "{kind}"'))
def outcome_kind(call: CallUnderTest, kind: str) -> None:
    """The disposition kind."""
    out = call.outcome()
    assert out.kind == kind, f"Expected a {kind} outcome, got {out.kind} ({out.outcome_id})."


@then(parsers.parse('the outcome team is "{team}"'))
def outcome_team(call: CallUnderTest, team: str) -> None:
    """The team that acts on the outcome."""
    out = call.outcome()
    got = out.team["id"] if out.team else None
    assert got == team, f"Expected team '{team}', got {got!r} ({out.outcome_id})."


@then(parsers.parse('the online service is "{service}"'))
def online_service(call: CallUnderTest, service: str) -> None:
    """The online service the caller is sent to."""
    out = call.outcome()
    got = out.service["id"] if out.service else None
    assert got == service, f"Expected online service '{service}', got {got!r}."


@then(parsers.parse('the timeframe is "{timeframe}"'))
def timeframe(call: CallUnderTest, timeframe: str) -> None:
    """The response timeframe, as written in the outcome."""
    out = call.outcome()
    assert out.timeframe == timeframe, (
        f"Expected timeframe '{timeframe}', got '{out.timeframe}' ({out.outcome_id}).")


@then(parsers.parse('the route of access is "{code}"'))
def route_of_access(call: CallUnderTest, code: str) -> None:
    """Client Level Data route of access."""
    got = call.outcome().codes.get("route_of_access")
    assert got == code, f"Expected route of access '{code}', got {got!r}."


@then(parsers.parse('the request outcome is "{code}"'))
def request_outcome(call: CallUnderTest, code: str) -> None:
    """Client Level Data request outcome."""
    got = call.outcome().codes.get("request_outcome")
    assert got == code, f"Expected request outcome '{code}', got {got!r}."


@then("the contact is not a Client Level Data request")
def not_cld_request(call: CallUnderTest) -> None:
    """The outcome is not reported as a Client Level Data Request."""
    codes = call.outcome().codes
    assert codes.get("cld_request") is False, f"The contact is a CLD request: {codes}."


@then(parsers.parse('the answer "{answer}" to "{step}" is rejected with "{message}"'))
def rejected(call: CallUnderTest, answer: str, step: str, message: str) -> None:
    """The answer is refused with this message and the call is left unchanged."""
    before = call.session.to_dict()
    try:
        call.engine.answer(call.session, step, answer)
    except CallError as exc:
        assert message.casefold() in str(exc).casefold(), (
            f"'{answer}' was refused, but the message is \"{exc}\", which does not contain "
            f"\"{message}\".")
        after = call.session.to_dict()
        assert after == before, "The refused answer changed the call."
        return
    pytest.fail(f"The answer '{answer}' to '{step}' was accepted; {call.where()}.")


@then("the call is in the wrap-up")
def in_wrap_up(call: CallUnderTest) -> None:
    """The need has reached its outcome; the handler has not finished the call."""
    assert call.session.phase is CallPhase.WRAP_UP, (
        f"Expected the wrap-up, but the call is {call.session.phase.value}; {call.where()}.")


@then("the person check is still to do")
def person_check_to_do(call: CallUnderTest) -> None:
    """The need ended before the person check, and it has not been done since."""
    assert call.engine.person_check_needed(call.session), (
        "Expected the person check to be still to do, but the person is "
        f"{call.session.values.get('known_status')}.")


@then(parsers.parse('the person is known as "{known_status}"'))
def person_known_as(call: CallUnderTest, known_status: str) -> None:
    """The person check's result on the call."""
    found = call.session.values.get("known_status")
    assert found == known_status, f"Expected the person {known_status!r}, found {found!r}."


@then(parsers.parse('need {need:d} ended at "{outcome_id}"'))
def need_ended_at(call: CallUnderTest, need: int, outcome_id: str) -> None:
    """A need of the call (the first is 1) reached this outcome."""
    needs = {n.need: n.outcome.outcome_id for n in call.engine.needs(call.session)}
    assert needs.get(need) == outcome_id, f"Expected need {need} at {outcome_id!r}: {needs}."


@then(parsers.parse('the record is flagged "{kind}"'))
def flagged(call: CallUnderTest, kind: str) -> None:
    """Something a reviewer must see is flagged on the call's record."""
    kinds = [f["kind"] for f in call.session.flags]
    assert kind in kinds, f"Expected the flag {kind!r}; the call's flags are {kinds}."


@then(parsers.parse('it was refused with "{message}"'))
def was_refused(call: CallUnderTest, message: str) -> None:
    """The last attempted change or finish was refused, saying this."""
    assert call.error is not None, f"Nothing was refused; {call.where()}."
    assert message in str(call.error), f"Refused with {str(call.error)!r}."


@then("the call is still in progress")
def in_progress(call: CallUnderTest) -> None:
    """No outcome has been reached."""
    assert not call.session.at_outcome, f"Expected the call in progress, but {call.where()}."


@then(parsers.parse('the answer to "{step}" was dropped'))
def was_dropped(call: CallUnderTest, step: str) -> None:
    """After a change, this answer no longer applied and was dropped."""
    names = {d.rsplit("/", 1)[-1] for d in call.dropped} | set(call.dropped)
    assert step in names, f"Expected '{step}' among the dropped answers {list(call.dropped)}."
