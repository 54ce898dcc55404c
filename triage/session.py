"""Guided calls: start, answer, go back, correct, reach an outcome, save and restore.

A :class:`CallSession` is a small plain object (state, answers, history) that the
pathway version's shared machine moves from state to state. :class:`CallEngine` holds
the catalogue and the client index and offers the operations a handler needs. Every
refused request raises a :class:`~triage.errors.CallError` and leaves the call exactly as
it was.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from triage.answers import (
    AnswerRejected,
    describe_allowed,
    label_text,
    options_for,
    validate_answer,
)
from triage.audit import audit_logger
from triage.compiler import Catalogue, CompiledPathway
from triage.definitions import OutcomeSpec
from triage.errors import (
    CallError,
    CallFinished,
    CannotGoBack,
    InvalidAnswer,
    LookupRefused,
    NoRouteMatched,
    PathwayVersionNotLoaded,
    RestoreError,
    StepNotCurrent,
)
from triage.graph import Node
from triage.matching.port import (
    Candidate,
    ClientIndex,
    KnownStatus,
    MatchBand,
    SearchDetails,
    SearchResult,
)
from triage.plaindata import plain
from triage.rendering import MISSING, Words, render
from triage.timeframes import UK_TIME, parse_timeframe

WAITING_KINDS = ("question", "lookup")
SAVE_FORMAT = 1
LOOKUP_CODES = ("not_known", "possible_match")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass
class HistoryEntry:
    """One line of a call's audit trail."""

    at: float  # seconds since the epoch (UTC); cheap to take on every answer
    state: str
    kind: str  # answered | pre-answered | passed | outcome | searched | taken_over
    answer: Any = None
    why: str = ""  # the plain words of the route taken
    route: str = ""  # that route's condition, or default / next / handover / return

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        data: dict[str, Any] = plain(self)
        return data


@dataclass(frozen=True)
class SavedSearch:
    """The latest person search on a call: the details searched on and what was shown.

    It is part of the saved call (the call record), so whoever opens the call next, on
    any instance or after a restart, sees the same people found and can refill the form.
    """

    step: str  # the person-check step it was made from
    at: str  # when (UTC, ISO 8601)
    details: dict[str, str]  # the details given, by field name (blank fields left out)
    candidates: tuple[Candidate, ...] = ()
    advice: str | None = None
    missing: tuple[str, ...] = ()

    @classmethod
    def of(cls, step: str, details: SearchDetails, result: SearchResult) -> SavedSearch:
        """The record of one search and its result."""
        given = {name: str(getattr(details, name)).strip() for name in details.given_fields()}
        return cls(step, _now(), given, tuple(result.candidates), result.advice,
                   tuple(result.missing))

    def result(self) -> SearchResult:
        """The result as the client index gave it."""
        return SearchResult(self.candidates, self.missing, self.advice)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"step": self.step, "at": self.at, "details": dict(self.details),
                "candidates": [{"person_id": c.person_id, "band": c.band.value,
                                "score": c.score, "summary": dict(c.summary),
                                "reasons": dict(c.reasons)} for c in self.candidates],
                "advice": self.advice, "missing": list(self.missing)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SavedSearch:
        """Read a saved search (KeyError, TypeError or ValueError if it is damaged)."""
        candidates = tuple(
            Candidate(str(c["person_id"]), float(c["score"]), MatchBand(c["band"]),
                      {str(k): str(v) for k, v in dict(c.get("summary") or {}).items()},
                      {str(k): str(v) for k, v in dict(c.get("reasons") or {}).items()})
            for c in data.get("candidates") or [])
        details = {str(k): str(v) for k, v in dict(data.get("details") or {}).items()}
        advice = data.get("advice")
        return cls(str(data["step"]), str(data["at"]), details, candidates,
                   None if advice is None else str(advice),
                   tuple(str(m) for m in data.get("missing") or []))


@dataclass
class CallSession:
    """A call in progress: where it is, what is known, and how it got there."""

    call_id: str
    pathway_id: str
    version: int
    state: str
    language: str = "en"
    handler: str = ""
    started_at: str = field(default_factory=_now)
    finished_at: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    words_from: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    last_search: SavedSearch | None = None

    def to_dict(self) -> dict[str, Any]:
        """Everything needed to restore the call exactly."""
        data: dict[str, Any] = plain(self)
        data["last_search"] = self.last_search.to_dict() if self.last_search else None
        data["format"] = SAVE_FORMAT
        return data

    def answered(self) -> list[HistoryEntry]:
        """The answers the handler gave (not pre-answered facts), in order."""
        return [h for h in self.history if h.kind == "answered"]

    @property
    def finished(self) -> bool:
        """True once an outcome has been reached."""
        return self.finished_at is not None


@dataclass(frozen=True)
class AnswerChoice:
    """One allowed answer shown to the handler."""

    code: str
    label: str


@dataclass(frozen=True)
class StepView:
    """What the handler sees now: words to read, the question and the allowed answers."""

    state: str
    step_id: str
    kind: str
    title: str | None
    pathway_id: str
    words: str
    language: str
    note: str | None
    answer_type: str | None
    required: bool
    choices: tuple[AnswerChoice, ...]
    hint: str
    known: dict[str, Any]
    finished: bool


@dataclass(frozen=True)
class RouteStep:
    """A step on the route taken, with the answer given and why the route went on."""

    state: str
    answer: Any
    how: str
    why: str
    route: str = ""  # the condition of the route taken (or default, next...)


@dataclass(frozen=True)
class OutcomeView:
    """The disposition reached, what to tell the caller, and the route taken to it."""

    outcome_id: str
    kind: str
    summary: str
    team: dict[str, str | None] | None
    service: dict[str, Any] | None
    timeframe: str
    due: str
    words: str
    language: str
    note: str | None
    codes: dict[str, Any]
    pathway_id: str
    pathway_version: int
    route: tuple[RouteStep, ...]


@dataclass(frozen=True)
class ChangeResult:
    """After correcting an answer: where the call is and which answers no longer apply."""

    view: StepView
    dropped: tuple[str, ...]


class CallEngine:
    """Runs calls on the pathways of a catalogue, with an optional client index."""

    def __init__(self, catalogue: Catalogue, clients: ClientIndex | None = None) -> None:
        self.catalogue = catalogue
        self.clients = clients
        self.log = audit_logger()

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
            fact = compiled.facts.get(name)
            if fact is None:
                raise InvalidAnswer(
                    f"'{name}' is not a call fact; facts are: {', '.join(sorted(compiled.facts))}",
                    field=name)
            try:
                clean[name] = validate_answer(fact.answer, raw)
            except AnswerRejected as exc:
                raise InvalidAnswer(f"fact '{name}': {exc}", field=name) from exc
        return clean

    def restore(self, data: Mapping[str, Any]) -> CallSession:
        """Rebuild a saved call on the same pathway version; the saved data is not changed."""
        try:
            pathway_id, version = str(data["pathway_id"]), int(data["version"])
            state = str(data["state"])
        except (KeyError, TypeError, ValueError) as exc:
            raise RestoreError(f"The saved call is missing or has a bad '{exc}' field; it has "
                               "been kept as it was.") from exc
        if data.get("format", SAVE_FORMAT) != SAVE_FORMAT:
            raise RestoreError(f"The saved call uses save format {data.get('format')}; this "
                               f"engine reads format {SAVE_FORMAT}.")
        try:
            compiled = self.catalogue.get(pathway_id, version)
        except KeyError as exc:
            raise PathwayVersionNotLoaded(pathway_id, version,
                                          self.catalogue.versions(pathway_id)) from exc
        if state not in compiled.graph.nodes:
            raise RestoreError(f"The saved call is at step '{state}', which pathway "
                               f"'{pathway_id}' version {version} does not have.")
        try:
            return CallSession(
                call_id=str(data["call_id"]), pathway_id=pathway_id, version=version,
                state=state, language=str(data.get("language", "en")),
                handler=str(data.get("handler", "")), started_at=str(data["started_at"]),
                finished_at=data.get("finished_at"), facts=dict(data.get("facts", {})),
                values=dict(data.get("values", {})),
                history=[HistoryEntry(**h) for h in data.get("history", [])],
                words_from=list(data.get("words_from", [])),
                candidates=list(data.get("candidates", [])),
                # Calls saved before searches were kept on the call have no last search.
                last_search=(SavedSearch.from_dict(data["last_search"])
                             if data.get("last_search") else None),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RestoreError(f"The saved call cannot be read ({exc}); it has been kept as it "
                               "was.") from exc

    # --- moving the call on ------------------------------------------------------------------

    def _compiled(self, session: CallSession) -> CompiledPathway:
        try:
            return self.catalogue.get(session.pathway_id, session.version)
        except KeyError as exc:
            raise PathwayVersionNotLoaded(session.pathway_id, session.version,
                                          self.catalogue.versions(session.pathway_id)) from exc

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
            if node.kind == "outcome":
                if not session.finished:
                    session.finished_at = _now()
                    session.history.append(HistoryEntry(time.time(), node.state,
                                                        "outcome", None, node.outcome.summary
                                                        if node.outcome else ""))
                    self.log.info("outcome_reached", call_id=session.call_id,
                                  outcome=f"{node.pathway_id}:{node.local_id}",
                                  kind=node.outcome.kind.value if node.outcome else None,
                                  pathway=compiled.id, version=compiled.version)
                return
            if node.kind == "say":
                session.words_from.append(node.state)
                self._advance(compiled, session, node, "passed", None)
            elif node.kind in ("handover", "return"):
                self._advance(compiled, session, node, "passed", None)
            elif node.var is not None and node.var in session.values and not node.red_flag:
                # A red-flag question is asked on every call, whatever is known already
                # (route exploration, and so the safety rule, counts on it).
                self._advance(compiled, session, node, "pre-answered", session.values[node.var])
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
        if node.kind == "lookup":
            updates, recorded = self._lookup_answer(session, node, raw)
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
            if node.kind == "lookup":
                self._recalculate(compiled, session, updates)
            elif node.calc_triggers:
                self._recalculate(compiled, session, only=node.calc_triggers)
            self._advance(compiled, session, node, "answered", recorded)
            self._settle(compiled, session)
        except Exception:
            self._rollback(session, snap)
            raise

    # --- the known-to-services check ------------------------------------------------------

    def search(self, session: CallSession, details: SearchDetails,
               step: str | None = None) -> SearchResult:
        """Search the client index at the person check; the result is kept on the call.

        Without ``step`` the call must be at a person check. With ``step`` it may also be
        an answered person check that is being corrected: the search changes no answer,
        and a person it finds is confirmed with :meth:`change`.
        """
        compiled = self._compiled(session)
        node = self._search_node(compiled, session, step)
        if self.clients is None:
            raise LookupRefused("No client index is configured, so people cannot be searched "
                                "for; answer 'not_known' or 'possible_match'.", step=node.local_id)
        result = self.clients.search(details)
        session.candidates = [c.person_id for c in result.candidates]
        session.last_search = SavedSearch.of(node.state, details, result)
        session.history.append(HistoryEntry(time.time(), node.state, "searched",
                                            {"fields": list(details.given_fields()),
                                             "candidates": list(session.candidates)}))
        self.log.info("person_searched", call_id=session.call_id, handler=session.handler,
                      step=node.state, fields=list(details.given_fields()),
                      candidates=[(c.person_id, c.band.value) for c in result.candidates],
                      missing=list(result.missing))
        return result

    def _search_node(self, compiled: CompiledPathway, session: CallSession,
                     step: str | None) -> Node:
        """The person check a search is made from: the current step, or one being changed."""
        current = compiled.node(session.state)
        if step is None or (not session.finished and step in (current.state, current.local_id)):
            node = self._current_node(compiled, session, step)
            if node.kind != "lookup":
                raise LookupRefused(f"The call is at '{node.local_id}', not at a person "
                                    "search.", step=node.local_id, field="step")
            return node
        node = compiled.node(self._answered_entry(session, step).state)
        if node.kind != "lookup":
            raise LookupRefused(f"'{node.local_id}' is a question, not a person search; search "
                                "from the person check.", step=node.local_id, field="step")
        return node

    def _lookup_answer(self, session: CallSession, node: Node, raw: Any
                       ) -> tuple[dict[str, Any], Any]:
        person_id = raw.get("person_id") if isinstance(raw, Mapping) else raw
        text = str(person_id or "").strip()
        if text in LOOKUP_CODES or text.replace(" ", "_").lower() in LOOKUP_CODES:
            status = text.replace(" ", "_").lower()
            return ({"known_status": status, "person_id": None, "allocated_worker": None,
                     "allocated_team": None, "alerts": []}, status)
        if not text:
            raise InvalidAnswer("Confirm one of the people found, or answer 'not_known' "
                                "(nobody matches) or 'possible_match' (cannot be sure).",
                                step=node.local_id)
        if text not in session.candidates:
            raise LookupRefused(
                f"'{text}' was not among the people found by the last search; search again or "
                "answer 'not_known' or 'possible_match'.", step=node.local_id)
        record = self.clients.get(text) if self.clients else None
        if record is None:
            raise LookupRefused(f"'{text}' is no longer on the client index; search again.",
                                step=node.local_id)
        status = record.known_status.value
        if status not in (KnownStatus.OPEN, KnownStatus.PREVIOUSLY_KNOWN):
            status = KnownStatus.PREVIOUSLY_KNOWN.value
        return ({"known_status": status, "person_id": record.person_id,
                 "allocated_worker": record.allocated_worker,
                 "allocated_team": record.team, "alerts": list(record.alerts)},
                {"person_id": record.person_id, "known_status": status})

    # --- another handler ----------------------------------------------------------------

    def take_over(self, session: CallSession, handler: str, reason: str,
                  taken: Mapping[str, str]) -> None:
        """Hand the call to ``handler`` (the name the scripts use), keeping in the trail who
        took it from whom (``taken``), when and why."""
        session.history.append(HistoryEntry(time.time(), session.state, "taken_over",
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
        if node.kind == "lookup":
            self._lookup_answer(session, node, raw)  # refuses an unknown person before replay
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
        searches = [h for h in session.history if h.kind in ("searched", "taken_over")]
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

    def _lookup_value(self, compiled: CompiledPathway, session: CallSession, node: Node,
                      outcome: dict[str, str] | None = None) -> Any:
        constants = compiled.directory.constants

        def lookup(name: str) -> str | None:
            if outcome and name in outcome:
                return outcome[name]
            if name == "handler_name":
                return session.handler or None
            qualified = node.names.get(name, name)
            if qualified in session.values:
                value = session.values[qualified]
                spec = compiled.graph.var_specs.get(qualified) or (
                    compiled.facts[qualified].answer if qualified in compiled.facts else None)
                if spec is not None and spec.options and isinstance(value, str):
                    for option in spec.options:
                        if option.code == value:
                            return label_text(option.label, session.language)
                if isinstance(value, list):
                    return ", ".join(str(v) for v in value) or None
                return None if value is None else str(value)
            return constants.get(name)

        return lookup

    def current(self, session: CallSession) -> StepView:
        """The current step: words to read (including any read-out steps passed on the way)."""
        return self._view(session, session.state, session.words_from)

    def view_of(self, session: CallSession, step: str) -> StepView:
        """An earlier answered step as it was asked (to offer its answers when changing it)."""
        return self._view(session, self._answered_entry(session, step).state, [])

    def _answered_entry(self, session: CallSession, step: str) -> HistoryEntry:
        given = session.answered()
        match = [h for h in given if step in (h.state, h.state.rsplit("/", 1)[-1])]
        if not match:
            asked = ", ".join(h.state for h in given) or "none yet"
            raise StepNotCurrent(f"'{step}' has not been answered in this call, so it cannot "
                                 f"be changed (answered: {asked}).", step=step)
        return match[-1]

    def _view(self, session: CallSession, state: str, words_from: list[str]) -> StepView:
        compiled = self._compiled(session)
        node = compiled.node(state)
        states = [*words_from, node.state]
        texts, notes, language = [], [], session.language
        for state in states:
            n = compiled.node(state)
            if n.kind == "outcome":
                continue
            words = render(n.scripts, n.text, compiled.scripts, session.language,
                           self._lookup_value(compiled, session, n))
            if words.text:
                texts.append(words.text)
            if words.note:
                notes.append(words.note)
                language = words.language
        choices: tuple[AnswerChoice, ...] = ()
        hint = ""
        if node.kind == "lookup":
            choices = tuple(AnswerChoice(c, c) for c in session.candidates) + (
                AnswerChoice("not_known", "Not known to adult social care"),
                AnswerChoice("possible_match", "Possible match: cannot confirm yet"))
            hint = "Search for the person, then confirm one of the people found or say none."
        elif node.answer is not None:
            choices = tuple(AnswerChoice(c, lab)
                            for c, lab in options_for(node.answer, session.language))
            hint = describe_allowed(node.answer)
        known = {k: session.values.get(k) for k in ("caller_type", "reason", "known_status",
                                                     "allocated_worker", "allocated_team",
                                                     "alerts") if session.values.get(k)}
        return StepView(
            state=node.state, step_id=node.local_id, kind=node.kind, title=node.title,
            pathway_id=node.pathway_id, words="\n\n".join(texts), language=language,
            note=" ".join(dict.fromkeys(notes)) or None,
            answer_type=("lookup" if node.kind == "lookup" else
                         node.answer.type.value if node.answer else None),
            required=bool(node.answer.required) if node.answer else node.kind == "lookup",
            choices=choices, hint=hint, known=known, finished=session.finished)

    def outcome(self, session: CallSession) -> OutcomeView:
        """The outcome reached, with what to tell the caller and the route taken."""
        compiled = self._compiled(session)
        node = compiled.node(session.state)
        if not session.finished or node.outcome is None:
            raise CallFinished(f"The call has not reached an outcome yet; it is at "
                               f"'{node.local_id}'.", step=node.local_id)
        spec: OutcomeSpec = node.outcome
        directory = compiled.directory
        team = next((t for t in directory.teams if t.id == spec.team), None)
        service = next((s for s in directory.online_services if s.id == spec.service), None)
        started = dt.datetime.fromisoformat(session.started_at)
        # Working days and hours are English ones, whatever the server's own time zone.
        local_start = started.astimezone(UK_TIME).replace(tzinfo=None)
        due = parse_timeframe(spec.timeframe).due(local_start)
        due_text = ("now" if spec.timeframe.strip().lower().startswith("immediate") else
                    due.strftime("by %H:%M on %A %d %B %Y").replace(" 0", " "))
        context = {
            "team": team.name if team else MISSING,
            "team_phone": (team.phone if team and team.phone else MISSING),
            "service": service.name if service else MISSING,
            "service_url": service.url if service else MISSING,
            "timeframe": spec.timeframe,
            "due": due_text,
        }
        words: Words = render(node.scripts, node.text, compiled.scripts, session.language,
                              self._lookup_value(compiled, session, node, context))
        route = tuple(RouteStep(h.state, h.answer, h.kind, h.why, h.route) for h in session.history
                      if h.kind != "outcome")
        return OutcomeView(
            outcome_id=f"{node.pathway_id}:{node.local_id}", kind=spec.kind.value,
            summary=spec.summary,
            team={"id": team.id, "name": team.name, "phone": team.phone} if team else None,
            service=({"id": service.id, "name": service.name, "url": service.url,
                      "assisted": service.assisted} if service else None),
            timeframe=spec.timeframe,
            due=due.replace(tzinfo=UK_TIME).isoformat(timespec="minutes"),
            words=words.text, language=words.language, note=words.note,
            codes=spec.codes.model_dump(mode="json"), pathway_id=compiled.id,
            pathway_version=compiled.version, route=route)
