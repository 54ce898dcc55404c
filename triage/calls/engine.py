"""Guided calls: start, answer, go back, correct, reach an outcome, save and restore.

:class:`CallEngine` holds the catalogue, the person check and the event log, and offers the
operations a handler needs. Every refused request raises a
:class:`~triage.errors.CallError` and leaves the call exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from triage.answers import validate_answer
from triage.calls.history import ContactHistory, EarlierContact, contact_facts, default_facts
from triage.calls.model import CallSession, HistoryEntry, now_text
from triage.calls.person_check import PersonCheck
from triage.calls.saving import compiled_for, restore
from triage.calls.views import (
    NeedSummary,
    OutcomeView,
    StepView,
    WrapUpView,
    outcome_view,
    step_view,
    wrap_up_view,
)
from triage.clock import Clock, SystemClock, aware, clock_facts
from triage.errors import (
    AnswerRejected,
    CallError,
    CallFinished,
    CannotGoBack,
    InvalidAnswer,
    LookupRefused,
    NoRouteMatched,
    StepNotCurrent,
)
from triage.events import EventLog, Unrecorded
from triage.expressions import kleene
from triage.matching.port import ClientIndex, SearchDetails, SearchResult
from triage.routing.catalogue import Catalogue, CompiledPathway
from triage.routing.plan import Node
from triage.vocabulary import (
    CONTACT_WINDOW_DAYS,
    LOOKUP_FACTS,
    CallPhase,
    RecordFlag,
    StepKind,
    TrailKind,
)

CARRIED_FACTS = ("caller_type", "consent")
"""What a further need takes from the call besides its facts, red flags and the person."""


@dataclass(frozen=True)
class ChangeResult:
    """After correcting an answer: where the call is and which answers no longer apply."""

    view: StepView
    dropped: tuple[str, ...]


class CallEngine:
    """Runs calls on the pathways of a catalogue, with an optional client index.

    ``events`` receives an audit event for each start, search, correction and outcome
    (none per answer: the call's own history is the full trail). ``history`` finds the
    person's earlier contacts once they are confirmed; ``clock`` (a :class:`Clock`, or
    any function giving the time) says what time it is: a call's start, its clock facts
    and its due times come from it, so a test or a replay fixes them with a FixedClock.
    """

    def __init__(self, catalogue: Catalogue, clients: ClientIndex | None = None, *,
                 events: EventLog | None = None, history: ContactHistory | None = None,
                 clock: Clock | Callable[[], dt.datetime] | None = None) -> None:
        self.catalogue = catalogue
        self.log: EventLog = events or Unrecorded()
        self.person_check = PersonCheck(clients, self.log)
        self.history = history
        self.clock: Callable[[], dt.datetime] = clock or SystemClock()

    @property
    def clients(self) -> ClientIndex | None:
        """The client index people are searched for on."""
        return self.person_check.clients

    # --- starting and saving ---------------------------------------------------------------

    def start(self, pathway_id: str, facts: Mapping[str, Any] | None = None, *,
              language: str = "en", handler: str = "", version: int | None = None,
              call_id: str | None = None) -> CallSession:
        """Start a call; facts already known (caller type, known status...) pre-answer steps."""
        try:
            compiled = self.catalogue.get(pathway_id, version)
        except KeyError as exc:
            raise LookupRefused(str(exc.args[0]), field="pathway") from exc
        if compiled.usage != "entry":
            raise LookupRefused(
                f"'{pathway_id}' is a sub-pathway: it is only reached through a handover, "
                "after the red-flag screen. Start the call on an entry pathway.",
                field="pathway")
        clean = self._check_facts(compiled, facts or {})
        now = aware(self.clock())
        session = CallSession(call_id or uuid.uuid4().hex, compiled.id, compiled.version,
                              compiled.start, language=language, handler=handler, facts=clean,
                              started_at=now.isoformat(timespec="milliseconds"))
        session.clock = {"at": session.started_at,
                         **clock_facts(now, compiled.places.hours)}
        session.values.update(default_facts())
        session.values.update(session.clock_values())
        session.values.update(clean)
        self._recalculate(compiled, session, clean)
        self._settle(compiled, session)
        self.log.info("call_started", call_id=session.call_id, pathway=compiled.id,
                      version=compiled.version, handler=handler,
                      facts_given=sorted(clean), state=session.state)
        return session

    def _check_facts(self, compiled: CompiledPathway, facts: Mapping[str, Any]
                     ) -> dict[str, Any]:
        clean: dict[str, Any] = {}
        for name, raw in facts.items():
            rule = compiled.facts.get(name)
            if rule is None:
                raise InvalidAnswer(
                    f"'{name}' is not a call fact; facts are: {', '.join(sorted(compiled.facts))}",
                    field=name)
            try:
                clean[name] = validate_answer(rule, raw)
            except AnswerRejected as exc:
                raise InvalidAnswer(f"fact '{name}': {exc}", field=name) from exc
        return clean

    def restore(self, data: Mapping[str, Any]) -> CallSession:
        """Rebuild a saved call on the same pathway version; the saved data is not changed."""
        return restore(data, self.catalogue)

    # --- moving the call on ------------------------------------------------------------------

    def _compiled(self, session: CallSession) -> CompiledPathway:
        return compiled_for(self.catalogue, session.pathway_id, session.version)

    def _recalculate(self, compiled: CompiledPathway, session: CallSession,
                     changed: Mapping[str, Any] | None = None,
                     only: tuple[str, ...] | None = None) -> None:
        """Work out calculations again: ``only`` those named, or those using ``changed``."""
        if only is not None:
            calcs = [compiled.calcs[name] for name in only]
        else:
            names = set(changed or ())
            calcs = []
            for calc in compiled.graph.calcs:
                if changed is None or calc.expression.names & names:
                    calcs.append(calc)
                    names.add(calc.name)
        for calc in calcs:
            try:
                session.values[calc.name] = calc.expression.evaluate(session.values)
            except Exception:  # a calculation that cannot be worked out yet has no value
                session.values.pop(calc.name, None)

    def _advance(self, compiled: CompiledPathway, session: CallSession, node: Node,
                 kind: str, answer: Any) -> None:
        before = session.state
        edge = compiled.trigger(session, node)
        if edge is None:
            raise NoRouteMatched(
                f"No route from step '{node.local_id}' fits the answers given; the pathway "
                "needs a default route here (please report this to the pathway owner).",
                step=node.state)
        session.history.append(HistoryEntry(time.time(), before, kind, answer, edge.why,
                                            edge.label))

    def _settle(self, compiled: CompiledPathway, session: CallSession) -> None:
        """Move through steps that need no handler input, gathering words to read."""
        for _ in range(10_000):
            node = compiled.node(session.state)
            if node.kind is StepKind.OUTCOME:
                if session.outcome_at is None:
                    session.outcome_at = now_text()
                    summary = node.outcome.summary if node.outcome else ""
                    session.history.append(HistoryEntry(time.time(), node.state,
                                                        TrailKind.OUTCOME, None, summary))
                    self.log.info("outcome_reached", call_id=session.call_id, need=session.need,
                                  outcome=f"{node.pathway_id}:{node.local_id}",
                                  kind=node.outcome.kind.value if node.outcome else None,
                                  pathway=compiled.id, version=compiled.version)
                return
            if node.kind is StepKind.SAY:
                session.words_from.append(node.state)
                self._advance(compiled, session, node, TrailKind.PASSED, None)
            elif node.kind in (StepKind.HANDOVER, StepKind.RETURN):
                self._advance(compiled, session, node, TrailKind.PASSED, None)
            elif node.var is not None and node.var in session.values and not node.red_flag:
                # A red-flag question is asked on every call, whatever is known already
                # (route exploration, and so the safety rule, counts on it).
                self._advance(compiled, session, node, TrailKind.PRE_ANSWERED,
                              session.values[node.var])
            else:
                return
        raise NoRouteMatched("The call went round a loop without asking anything; please "
                             "report this pathway to its owner.")

    def _snapshot(self, session: CallSession) -> tuple[Any, ...]:
        return (session.state, dict(session.values), len(session.history), session.words_from,
                session.outcome_at, session.person, list(session.earlier_contacts))

    def _rollback(self, session: CallSession, snap: tuple[Any, ...]) -> None:
        (session.state, session.values, length, session.words_from, session.outcome_at,
         session.person, session.earlier_contacts) = snap
        del session.history[length:]

    def _current_node(self, compiled: CompiledPathway, session: CallSession,
                      step: str | None) -> Node:
        node = compiled.node(session.state)
        if session.phase is CallPhase.FINISHED:
            raise CallFinished("The call is finished and takes no more answers.", step=step)
        if session.at_outcome:
            raise CallFinished("This need has reached its outcome and takes no more answers. "
                               "In the wrap-up you can do the person check, add a further "
                               "need, or correct an earlier answer.", step=step)
        if step is not None and step not in (node.state, node.local_id):
            raise StepNotCurrent(
                f"'{step}' is not the current step; the call is at '{node.local_id}'. "
                "Answer that, or go back to change an earlier answer.", step=step)
        return node

    def answer(self, session: CallSession, step: str | None, raw: Any) -> str:
        """Answer the current step and return the state the call moves to.

        An invalid answer raises and leaves the call exactly as it was. Use
        :meth:`current` for the words and answers of the new step.
        """
        compiled = self._compiled(session)
        node = self._current_node(compiled, session, step)
        if node.kind is StepKind.LOOKUP:
            updates, recorded = self._person_answer(compiled, session, node, raw)
        else:
            assert node.answer is not None and node.var is not None
            try:
                value = validate_answer(node.answer, raw)
            except AnswerRejected as exc:
                raise InvalidAnswer(f"{exc}", step=node.local_id) from exc
            recorded = value
            routed = value
            if value == "not_sure" and node.answer.unsure_means:
                routed = node.answer.unsure_means
            updates = {node.var: routed}
        # No log line per answer: the call's own history is the full trail, and the
        # start, searches, corrections and outcome are logged.
        self._apply(compiled, session, node, updates, recorded)
        return session.state

    def _apply(self, compiled: CompiledPathway, session: CallSession, node: Node,
               updates: Mapping[str, Any], recorded: Any) -> None:
        snap = self._snapshot(session)
        try:
            session.words_from = []
            session.values.update(updates)
            if node.kind is StepKind.LOOKUP:
                self._recalculate(compiled, session, updates)
            elif node.calc_triggers:
                self._recalculate(compiled, session, only=node.calc_triggers)
            self._advance(compiled, session, node, TrailKind.ANSWERED, recorded)
            self._settle(compiled, session)
        except Exception:
            self._rollback(session, snap)
            raise

    # --- the person check ------------------------------------------------------------------

    def _person_answer(self, compiled: CompiledPathway, session: CallSession, node: Node,
                       raw: Any) -> tuple[dict[str, Any], Any]:
        """The facts an answer to the person check sets, with what the person's earlier
        contacts give; the confirmed person is kept on the call."""
        updates, recorded = self.person_check.answer(session, node, raw)
        person_id = updates.get("person_id")
        updates.update(default_facts())
        contacts: list[dict[str, Any]] = []
        if person_id:
            kept = session.person
            if kept and kept.get("person_id") == person_id and "contacts" in kept:
                contacts = list(kept["contacts"])  # as first seen: a correction re-asks no one
                seen_at = dt.datetime.fromisoformat(str(kept["contacts_seen_at"]))
            else:
                contacts = self._earlier_contacts(session, str(person_id))
                seen_at = self.clock()
            earlier = [EarlierContact(**{k: v for k, v in c.items() if k != "open"})
                       for c in contacts]
            updates.update(contact_facts(earlier, seen_at, compiled.policy.repeat))
            session.person = {"person_id": person_id, "facts": dict(updates),
                              "answer": recorded, "contacts": contacts,
                              "contacts_seen_at": seen_at.isoformat()}
        else:
            session.person = {"person_id": None, "facts": dict(updates), "answer": recorded}
        session.earlier_contacts = contacts
        return updates, recorded

    def earlier_contacts(self, session: CallSession, person_id: str) -> list[dict[str, Any]]:
        """The person's contacts of the last 28 days, looked up now, this call's own left
        out (none without a contact history); the view is logged."""
        return self._earlier_contacts(session, person_id)

    def _earlier_contacts(self, session: CallSession, person_id: str) -> list[dict[str, Any]]:
        """The person's contacts of the last 28 days (none without a contact history)."""
        if self.history is None:
            return []
        since = self.clock() - dt.timedelta(days=CONTACT_WINDOW_DAYS)
        found = [c for c in self.history.recent(person_id, since=since)
                 if c.call_id != session.call_id]
        self.log.info("earlier_contacts_viewed", call_id=session.call_id, person_id=person_id,
                      contacts=len(found))
        return [c.as_dict() | {"call_id": c.call_id} for c in found]

    def person_check_needed(self, session: CallSession) -> bool:
        """True in the wrap-up of a need that ended before the person check (an escalation
        at the red-flag screen): who the person is has still to be found out."""
        return session.phase is CallPhase.WRAP_UP and "known_status" not in session.values

    def confirm_person(self, session: CallSession, raw: Any) -> WrapUpView:
        """The person check in the wrap-up: confirm someone the last search found, or
        answer 'not_known' / 'possible_match'. The outcome is not routed again."""
        compiled = self._compiled(session)
        if session.phase is not CallPhase.WRAP_UP:
            raise LookupRefused("The person check is done on the call's route; it is asked "
                                "separately only in the wrap-up after an escalation.",
                                field="call")
        node = self._person_check_node(compiled)
        snap = self._snapshot(session)
        try:
            updates, recorded = self._person_answer(compiled, session, node, raw)
            session.values.update(updates)
            self._recalculate(compiled, session, updates)
            session.history.append(HistoryEntry(time.time(), node.state,
                                                TrailKind.PERSON_CHECKED, recorded,
                                                "the person check, after the outcome"))
        except Exception:
            self._rollback(session, snap)
            raise
        self.log.info("person_checked_in_wrap_up", call_id=session.call_id,
                      known_status=session.values.get("known_status"))
        return self.wrap_up(session)

    def _person_check_node(self, compiled: CompiledPathway) -> Node:
        """The entry pathway's person check, which a wrap-up search is made from."""
        for node in compiled.graph.nodes.values():
            if node.kind is StepKind.LOOKUP and node.pathway_id == compiled.id:
                return node
        raise LookupRefused(f"Pathway '{compiled.id}' has no person check step, so the "
                            "person cannot be looked up on this call.", field="call")

    def search(self, session: CallSession, details: SearchDetails,
               step: str | None = None) -> SearchResult:
        """Search the client index at the person check; the result is kept on the call.

        Without ``step`` the call must be at a person check. With ``step`` it may also be
        an answered person check that is being corrected: the search changes no answer,
        and a person it finds is confirmed with :meth:`change`.
        """
        compiled = self._compiled(session)
        return self.person_check.search(session, self._search_node(compiled, session, step),
                                        details)

    def _search_node(self, compiled: CompiledPathway, session: CallSession,
                     step: str | None) -> Node:
        """The person check a search is made from: the current step, or one being changed."""
        current = compiled.node(session.state)
        if step is None and self.person_check_needed(session):
            return self._person_check_node(compiled)
        if step is None or (not session.at_outcome and step in (current.state, current.local_id)):
            node = self._current_node(compiled, session, step)
            if node.kind is not StepKind.LOOKUP:
                raise LookupRefused(f"The call is at '{node.local_id}', not at a person "
                                    "search.", step=node.local_id, field="step")
            return node
        node = compiled.node(self._answered_entry(session, step).state)
        if node.kind is not StepKind.LOOKUP:
            raise LookupRefused(f"'{node.local_id}' is a question, not a person search; search "
                                "from the person check.", step=node.local_id, field="step")
        return node

    # --- another handler ----------------------------------------------------------------

    def take_over(self, session: CallSession, handler: str, reason: str,
                  taken: Mapping[str, str]) -> None:
        """Hand the call to ``handler`` (the name the scripts use), keeping in the trail who
        took it from whom (``taken``), when and why."""
        session.history.append(HistoryEntry(time.time(), session.state, TrailKind.TAKEN_OVER,
                                            dict(taken), reason))
        session.handler = handler

    # --- going back and correcting --------------------------------------------------------

    def back(self, session: CallSession) -> StepView:
        """Go back to the previous question, dropping its answer."""
        given = session.answered()
        if not given or given[-1].kind == TrailKind.CARRIED:
            if given:
                raise CannotGoBack("The answers before this one were carried over from the "
                                   "call's first need; change one of them to ask it again.")
            raise CannotGoBack("There is no earlier answer to go back to: this is the first "
                               "question of the call.")
        answers = {h.state: h.answer for h in given[:-1]}
        self._replay(session, answers)
        self.log.info("went_back", call_id=session.call_id, state=session.state)
        return self.current(session)

    def change(self, session: CallSession, step: str, raw: Any, *,
               reason: str | None = None) -> ChangeResult:
        """Correct an earlier answer; answers the new route no longer needs are dropped.

        The trail keeps the superseded answer, who changed it, when and why. Changing a
        red-flag answer once the call has reached an escalation needs ``reason``, and is
        flagged on the contact record.
        """
        compiled = self._compiled(session)
        if session.phase is CallPhase.FINISHED:
            raise CallFinished("The call is finished; its answers can no longer be changed.",
                               step=step)
        given = session.answered()
        entry = self._answered_entry(session, step)
        node = compiled.node(entry.state)
        if node.kind is StepKind.LOOKUP:
            self.person_check.answer(session, node, raw)  # refuses an unknown person first
            new_value: Any = raw
        else:
            assert node.answer is not None
            try:
                new_value = validate_answer(node.answer, raw)
            except AnswerRejected as exc:
                raise InvalidAnswer(str(exc), step=node.local_id) from exc
        reason = (reason or "").strip() or None
        before = self._current_outcome_kind(compiled, session)
        escalated = before is not None and before in compiled.policy.escalation_kinds
        if node.red_flag and escalated and reason is None:
            raise CallError(f"The call has reached an escalation ({before}), so changing the "
                            f"answer to the red-flag question '{node.local_id}' needs a "
                            "reason: say why, and the change is flagged on the contact "
                            "record.", step=node.local_id, field="reason")
        answers = {h.state: h.answer for h in given}
        answers[entry.state] = raw
        correction = HistoryEntry(time.time(), entry.state, TrailKind.CORRECTED,
                                  {"from": entry.answer, "to": new_value,
                                   "by": session.handler}, reason or "")
        dropped = self._replay(session, answers, keep=[correction])
        after = self._current_outcome_kind(compiled, session)
        if node.red_flag and escalated:
            session.flags.append({
                "kind": RecordFlag.RED_FLAG_CHANGED.value, "need": session.need,
                "step": entry.state, "from": entry.answer, "to": new_value,
                "reason": reason, "by": session.handler, "at": now_text(),
                "outcome_before": before, "outcome_after": after,
                "early_exit": after is not None and after in compiled.policy.early_exit_kinds,
            })
        self.log.info("answer_changed", call_id=session.call_id, step=entry.state,
                      dropped=list(dropped), state=session.state, reason_given=bool(reason))
        return ChangeResult(self.current(session), tuple(dropped))

    def _current_outcome_kind(self, compiled: CompiledPathway, session: CallSession
                              ) -> str | None:
        node = compiled.node(session.state)
        return node.outcome.kind.value if session.at_outcome and node.outcome else None

    def _replay(self, session: CallSession, answers: dict[str, Any],
                keep: list[HistoryEntry] | None = None) -> list[str]:
        """Route the need again from the pathway's start, re-using answers while the route
        still asks them; a confirmed person check the new route does not reach is kept."""
        compiled = self._compiled(session)
        fresh = replace(session, state=compiled.start, values=dict(session.facts),
                        history=[], words_from=[], outcome_at=None, flags=list(session.flags))
        fresh.values.update(default_facts())
        fresh.values.update(session.clock_values())
        fresh.values.update(session.facts)
        # A person confirmed earlier stays confirmable while the call is worked out again,
        # even when a later search (from a correction) did not find them.
        confirmed = [h.answer["person_id"] for h in session.answered()
                     if isinstance(h.answer, Mapping) and h.answer.get("person_id")]
        fresh.candidates = list(dict.fromkeys([*session.candidates, *confirmed]))
        # Searches, corrections and take-overs happened whatever the answers: kept.
        kept = [h for h in session.history if h.kind in (TrailKind.SEARCHED,
                                                         TrailKind.TAKEN_OVER,
                                                         TrailKind.CORRECTED,
                                                         TrailKind.NEW_NEED,
                                                         TrailKind.PERSON_CHECKED)]
        kept.extend(keep or [])
        answered_at = {(h.state, repr(h.answer)): h.at for h in session.answered()}
        self._recalculate(compiled, fresh, fresh.facts)
        self._settle(compiled, fresh)
        pending = dict(answers)
        while not fresh.at_outcome and fresh.state in pending:
            raw = pending.pop(fresh.state)
            if isinstance(raw, Mapping) and "person_id" in raw:
                raw = raw["person_id"]
            try:
                self.answer(fresh, fresh.state, raw)
            except CallError:
                pending[fresh.state] = raw
                break
        if fresh.state in pending:
            pending.pop(fresh.state)
        if "known_status" not in fresh.values and session.person is not None:
            # The new route does not reach the person check: who the person is stays known.
            fresh.values.update(session.person["facts"])
            fresh.person = session.person
        self._keep_times(session, fresh, answered_at)
        fresh.history = sorted([*kept, *fresh.history], key=lambda h: h.at)
        for name in ("state", "values", "history", "words_from", "outcome_at", "person",
                     "earlier_contacts", "candidates"):
            setattr(session, name, getattr(fresh, name))
        return list(pending)

    def _keep_times(self, session: CallSession, fresh: CallSession,
                    answered_at: Mapping[tuple[str, str], float]) -> None:
        """Give the re-routed trail the times the answers were first given: an answer given
        again by the replay keeps its time, and the steps passed after it share it."""
        first = dt.datetime.fromisoformat(session.started_at).timestamp()
        last = first
        for entry in fresh.history:
            if entry.kind == TrailKind.ANSWERED:
                last = answered_at.get((entry.state, repr(entry.answer)), entry.at)
            entry.at = last

    # --- the wrap-up ------------------------------------------------------------------------

    def wrap_up(self, session: CallSession) -> WrapUpView:
        """The call after its outcome: the needs so far, whether the person check is still
        to do, the person's earlier contacts, and what is flagged."""
        compiled = self._compiled(session)
        if not session.at_outcome:
            node = compiled.node(session.state)
            raise CallError(f"The call has not reached an outcome yet; it is at "
                            f"'{node.local_id}'.", step=node.local_id, field="call")
        return wrap_up_view(compiled, session, self.needs(session),
                            self.person_check_needed(session))

    def needs(self, session: CallSession) -> list[NeedSummary]:
        """Every need routed on the call so far, the first first, each with its outcome."""
        compiled = self._compiled(session)
        return [NeedSummary(routed.need, outcome_view(compiled, routed,
                                                      compiled.node(routed.state)),
                            dict(routed.values))
                for routed in self.routed_needs(session)]

    def routed_needs(self, session: CallSession) -> list[CallSession]:
        """Each need that has reached its outcome, as a call of its own (its answers,
        trail and outcome; the person found in a later need's wrap-up included), the
        first first: what a contact record is written from, one per need."""
        compiled = self._compiled(session)
        found = []
        for earlier in [*session.earlier_needs, None]:
            routed = session if earlier is None else self._need_session(session, earlier)
            if routed.at_outcome and compiled.node(routed.state).outcome is not None:
                found.append(routed)
        return found

    def _need_session(self, session: CallSession, earlier: Mapping[str, Any]) -> CallSession:
        """An earlier need as a call of its own (for its outcome and contact record)."""
        values = dict(earlier["values"])
        if session.person is not None and "known_status" not in values:
            values.update(session.person["facts"])  # found out in a later need's wrap-up
        return replace(session, state=str(earlier["state"]), need=int(earlier["need"]),
                       outcome_at=earlier.get("outcome_at"), values=values,
                       history=[HistoryEntry(**h) for h in earlier["history"]], words_from=[])

    def add_need(self, session: CallSession) -> StepView:
        """Record a further need on the call: a linked contact for another reason.

        It starts at the reason question (or at the person check, if the person is not
        known yet) with the caller, the red-flag answers and the person carried over and
        shown as already asked; changing one of those asks it again.
        """
        compiled = self._compiled(session)
        if session.phase is CallPhase.FINISHED:
            raise CallFinished("The call is finished; start a new call for another need.",
                               field="call")
        if not session.at_outcome:
            raise CallError("A further need can be added once this need has reached its "
                            "outcome: answer the remaining questions first.", field="call")
        start = self._further_need_start(compiled, session)
        session.earlier_needs.append({
            "need": session.need, "state": session.state, "outcome_at": session.outcome_at,
            "values": dict(session.values), "history": [h.to_dict() for h in session.history]})
        carried_values = dict(session.facts)
        carried_values.update(default_facts())
        carried_values.update(session.clock_values())
        carried: list[HistoryEntry] = [HistoryEntry(time.time(), session.state,
                                                    TrailKind.NEW_NEED, session.need + 1,
                                                    "a further need on the same call")]
        flags = set(compiled.graph.red_flag_states)
        for entry in session.history:
            if entry.kind in (TrailKind.ANSWERED, TrailKind.CARRIED) and (
                    entry.state in flags or compiled.node(entry.state).var in CARRIED_FACTS):
                node = compiled.node(entry.state)
                if node.var is not None:
                    carried_values[node.var] = session.values.get(node.var)
                carried.append(HistoryEntry(time.time(), entry.state, TrailKind.CARRIED,
                                            entry.answer, "carried over from the first need"))
        for name in (*LOOKUP_FACTS, *default_facts(), *CARRIED_FACTS):
            if name in session.values:
                carried_values[name] = session.values[name]
        session.need += 1
        session.state = start.state
        session.values = carried_values
        session.history = carried
        session.words_from = []
        session.outcome_at = None
        self._recalculate(compiled, session, session.values)
        self._settle(compiled, session)
        self.log.info("need_added", call_id=session.call_id, need=session.need,
                      state=session.state)
        return self.current(session)

    def _further_need_start(self, compiled: CompiledPathway, session: CallSession) -> Node:
        """Where a further need starts: the reason question when the person is known, else
        the person check before it."""
        nodes = [n for n in compiled.graph.nodes.values() if n.pathway_id == compiled.id]
        reason = next((n for n in nodes if n.var == "reason"), None)
        lookup = next((n for n in nodes if n.kind is StepKind.LOOKUP), None)
        start = reason if "known_status" in session.values else (lookup or reason)
        if start is reason and lookup is not None:
            # A question between the person check and the reason that every need shares
            # (consent) and that was never asked (the call escalated before it): ask it.
            after = self._next_from(compiled, lookup, session.values)
            if after is not None and after.var in CARRIED_FACTS \
                    and after.var not in session.values:
                start = after
        if start is None:
            raise CallError(f"Pathway '{compiled.id}' asks no reason for the call, so a "
                            "further need cannot be added: start a new call.", field="call")
        return start

    @staticmethod
    def _next_from(compiled: CompiledPathway, node: Node, values: Mapping[str, Any]
                   ) -> Node | None:
        """The step ``node`` leads to with these answers (None if that cannot be told)."""
        for edge in node.edges:
            verdict = True if edge.condition is None else kleene(edge.condition, values)
            if verdict is None:
                return None
            if verdict:
                return compiled.node(edge.target)
        return None

    def finish(self, session: CallSession, *, without_person_check: str | None = None) -> None:
        """End the wrap-up. After an escalation that ended routing before the person check,
        either the person check is done or ``without_person_check`` says why it was not
        ("the caller would not say"); the reason is flagged on the record."""
        if session.phase is CallPhase.FINISHED:
            raise CallFinished("The call is already finished.", field="call")
        if not session.at_outcome:
            raise CallError("The call has not reached an outcome yet; answer the remaining "
                            "questions first.", field="call")
        reason = (without_person_check or "").strip()
        if self.person_check_needed(session):
            if not reason:
                raise CallError(
                    "The call ended before the person check. Search for the person and "
                    "confirm who they are (or answer not_known or possible_match), or give "
                    "the reason it cannot be done, such as 'the caller would not say'.",
                    field="without_person_check")
            session.flags.append({"kind": RecordFlag.FINISHED_WITHOUT_PERSON_CHECK.value,
                                  "reason": reason,
                                  "by": session.handler, "at": now_text(),
                                  "need": session.need})
        skipped = self.person_check_needed(session)
        session.finished_at = now_text()
        self.log.info("call_finished", call_id=session.call_id, needs=session.need,
                      person_check_skipped=skipped)

    # --- what the handler sees --------------------------------------------------------------

    def current(self, session: CallSession) -> StepView:
        """The current step: words to read (including any read-out steps passed on the way)."""
        return step_view(self._compiled(session), session, session.state, session.words_from)

    def view_of(self, session: CallSession, step: str) -> StepView:
        """An earlier answered step as it was asked (to offer its answers when changing it)."""
        return step_view(self._compiled(session), session,
                         self._answered_entry(session, step).state, [])

    def _answered_entry(self, session: CallSession, step: str) -> HistoryEntry:
        given = session.answered()  # carried-over answers of a further need count
        match = [h for h in given if step in (h.state, h.state.rsplit("/", 1)[-1])]
        if not match:
            asked = ", ".join(h.state for h in given) or "none yet"
            raise StepNotCurrent(f"'{step}' has not been answered in this call, so it cannot "
                                 f"be changed (answered: {asked}).", step=step)
        return match[-1]

    def outcome(self, session: CallSession) -> OutcomeView:
        """The outcome reached, with what to tell the caller and the route taken."""
        compiled = self._compiled(session)
        node = compiled.node(session.state)
        if not session.at_outcome or node.outcome is None:
            raise CallFinished(f"The call has not reached an outcome yet; it is at "
                               f"'{node.local_id}'.", step=node.local_id)
        return outcome_view(compiled, session, node)
