"""Guided calls: start, answer, go back, correct, reach an outcome, save and restore.

:class:`CallEngine` holds the catalogue, the person check and the event log, and offers the
operations a handler needs. Every refused request raises a
:class:`~triage.errors.CallError` and leaves the call exactly as it was.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from triage.answers import validate_answer
from triage.calls.model import CallSession, HistoryEntry, now_text
from triage.calls.person_check import PersonCheck
from triage.calls.saving import compiled_for, restore
from triage.calls.views import OutcomeView, StepView, outcome_view, step_view
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
from triage.matching.port import ClientIndex, SearchDetails, SearchResult
from triage.routing.catalogue import Catalogue, CompiledPathway
from triage.routing.plan import Node
from triage.vocabulary import StepKind, TrailKind


@dataclass(frozen=True)
class ChangeResult:
    """After correcting an answer: where the call is and which answers no longer apply."""

    view: StepView
    dropped: tuple[str, ...]


class CallEngine:
    """Runs calls on the pathways of a catalogue, with an optional client index.

    ``events`` receives an audit event for each start, search, correction and outcome
    (none per answer: the call's own history is the full trail).
    """

    def __init__(self, catalogue: Catalogue, clients: ClientIndex | None = None, *,
                 events: EventLog | None = None) -> None:
        self.catalogue = catalogue
        self.log: EventLog = events or Unrecorded()
        self.person_check = PersonCheck(clients, self.log)

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
        session = CallSession(call_id or uuid.uuid4().hex, compiled.id, compiled.version,
                              compiled.start, language=language, handler=handler, facts=clean)
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
                if not session.finished:
                    session.finished_at = now_text()
                    summary = node.outcome.summary if node.outcome else ""
                    session.history.append(HistoryEntry(time.time(), node.state,
                                                        TrailKind.OUTCOME, None, summary))
                    self.log.info("outcome_reached", call_id=session.call_id,
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
                session.finished_at)

    def _rollback(self, session: CallSession, snap: tuple[Any, ...]) -> None:
        session.state, session.values, length, session.words_from, session.finished_at = snap
        del session.history[length:]

    def _current_node(self, compiled: CompiledPathway, session: CallSession,
                      step: str | None) -> Node:
        node = compiled.node(session.state)
        if session.finished:
            raise CallFinished("The call has reached its outcome and takes no more answers.",
                               step=step)
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
            updates, recorded = self.person_check.answer(session, node, raw)
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
        if step is None or (not session.finished and step in (current.state, current.local_id)):
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
        if not given:
            raise CannotGoBack("There is no earlier answer to go back to: this is the first "
                               "question of the call.")
        answers = {h.state: h.answer for h in given[:-1]}
        self._replay(session, answers)
        self.log.info("went_back", call_id=session.call_id, state=session.state)
        return self.current(session)

    def change(self, session: CallSession, step: str, raw: Any) -> ChangeResult:
        """Correct an earlier answer; answers the new route no longer needs are dropped."""
        compiled = self._compiled(session)
        given = session.answered()
        entry = self._answered_entry(session, step)
        node = compiled.node(entry.state)
        if node.kind is StepKind.LOOKUP:
            self.person_check.answer(session, node, raw)  # refuses an unknown person first
        else:
            assert node.answer is not None
            try:
                validate_answer(node.answer, raw)
            except AnswerRejected as exc:
                raise InvalidAnswer(str(exc), step=node.local_id) from exc
        answers = {h.state: h.answer for h in given}
        answers[entry.state] = raw
        dropped = self._replay(session, answers)
        self.log.info("answer_changed", call_id=session.call_id, step=entry.state,
                      dropped=list(dropped), state=session.state)
        return ChangeResult(self.current(session), tuple(dropped))

    def _replay(self, session: CallSession, answers: dict[str, Any]) -> list[str]:
        """Rebuild the call from its start, re-using answers while the route still asks them."""
        compiled = self._compiled(session)
        fresh = CallSession(session.call_id, session.pathway_id, session.version,
                            compiled.start, session.language, session.handler,
                            session.started_at, facts=dict(session.facts),
                            values=dict(session.facts))
        # A person confirmed earlier stays confirmable while the call is worked out again,
        # even when a later search (from a correction) did not find them.
        confirmed = [h.answer["person_id"] for h in session.answered()
                     if isinstance(h.answer, Mapping) and h.answer.get("person_id")]
        fresh.candidates = list(dict.fromkeys([*session.candidates, *confirmed]))
        # Searches and take-overs happened whatever the answers; a new route keeps them.
        searches = [h for h in session.history
                    if h.kind in (TrailKind.SEARCHED, TrailKind.TAKEN_OVER)]
        self._recalculate(compiled, fresh, fresh.facts)
        self._settle(compiled, fresh)
        pending = dict(answers)
        while not fresh.finished and fresh.state in pending:
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
        fresh.history[:0] = searches
        for name in ("state", "values", "history", "words_from", "finished_at"):
            setattr(session, name, getattr(fresh, name))
        return list(pending)

    # --- what the handler sees --------------------------------------------------------------

    def current(self, session: CallSession) -> StepView:
        """The current step: words to read (including any read-out steps passed on the way)."""
        return step_view(self._compiled(session), session, session.state, session.words_from)

    def view_of(self, session: CallSession, step: str) -> StepView:
        """An earlier answered step as it was asked (to offer its answers when changing it)."""
        return step_view(self._compiled(session), session,
                         self._answered_entry(session, step).state, [])

    def _answered_entry(self, session: CallSession, step: str) -> HistoryEntry:
        given = session.answered()
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
        if not session.finished or node.outcome is None:
            raise CallFinished(f"The call has not reached an outcome yet; it is at "
                               f"'{node.local_id}'.", step=node.local_id)
        return outcome_view(compiled, session, node)
