"""A deterministic generator of recorded contacts, driving the real engine on real pathways.

Each generated call is a real call: started on the catalogue's entry pathway, answered
step by step through :class:`~triage.calls.CallEngine` (red flags, the person check, the
reason and the reason pathway's own questions), wrapped up and finished. The mix is
realistic and the same seed always gives the same calls:

- caller types, reasons and red flags in proportions a council's front door sees;
- people from the client index (about six in ten calls), not known, or a possible match;
- repeat callers: some people are the subject of several contacts within days, so the
  repeat-contact rule and the earlier-contacts panel have something to show;
- further needs on one call, corrections (some of a red flag after an escalation, with a
  reason) and overrides of the suggested outcome, each a few in a hundred.

Time moves forward through the period call by call, and the engine's clock and contact
history follow it, so each call sees the contacts generated before it. The generator
produces :class:`GeneratedCall` values; writing them to a store is the caller's job
(``triage contacts generate`` writes them to the service's store).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from triage.answers import options_for
from triage.calls import CallEngine, CallSession, ContactHistory, EarlierContact
from triage.errors import CallError
from triage.matching.port import (
    Candidate,
    ClientIndex,
    ClientRecord,
    KnownStatus,
    MatchBand,
    SearchDetails,
    SearchResult,
)
from triage.matching.records import CaseStatus, PersonRecord
from triage.routing.catalogue import Catalogue
from triage.vocabulary import CallPhase, OutcomeKind, StepKind, TrailKind

CALLER_TYPES = {"self": 24, "family_friend": 24, "unpaid_carer": 10,
                "gp_community_health": 10, "hospital": 8, "care_provider": 7,
                "council_housing": 3, "police_probation": 3, "other_professional": 5,
                "advocate": 2, "anonymous": 2, "internal": 1, "other": 1}
REASONS = {"needs_assessment": 20, "information_advice": 16, "carer_support": 9,
           "straightforward_application": 10, "equipment_ot": 9, "existing_client": 10,
           "professional_referral": 7, "hospital_discharge": 6, "care_provider_query": 4,
           "safeguarding": 4, "mental_health_crisis": 2, "complaint": 3}
PERSON_SHARE = (0.60, 0.30, 0.10)  # on the index, not known, a possible match
RED_FLAG_YES, RED_FLAG_NOT_SURE = 0.012, 0.006
FURTHER_NEED, CORRECTION, RED_FLAG_CORRECTION, OVERRIDE = 0.04, 0.05, 0.01, 0.03
REPEAT_SHARE = 0.08  # calls about one of a small set of people who ring again and again
HANDLERS = tuple(f"handler-{n:02d}" for n in range(1, 13))
OVERRIDE_REASONS = ("Synthetic override: the team had already been told.",
                    "Synthetic override: the caller asked to speak to the duty worker.",
                    "Synthetic override: known circumstances the pathway cannot see.")


@dataclass(frozen=True)
class Override:
    """A handler's decision to use another outcome than the one suggested."""

    kind: str
    team: str | None
    reason: str


@dataclass(frozen=True)
class GeneratedCall:
    """One finished call: the session (every need in it), who handled it, any override."""

    session: CallSession
    handler: str
    override: Override | None


class _Index(ClientIndex):
    """The people of the index, found by NHS number as a handler would find them (the
    matcher itself is not what is being generated here)."""

    def __init__(self, people: Sequence[PersonRecord]) -> None:
        self.by_nhs = {p.nhs_number: p for p in people if p.nhs_number}
        self.by_id = {p.system_id: p for p in people}

    def search(self, details: SearchDetails, *, limit: int = 5) -> SearchResult:
        person = self.by_nhs.get(details.nhs_number or "")
        if person is None:
            return SearchResult(advice="Not found with these details.")
        return SearchResult((Candidate(person.system_id, 0.99, MatchBand.MATCH),))

    def get(self, person_id: str) -> ClientRecord | None:
        person = self.by_id.get(person_id)
        if person is None:
            return None
        status = (KnownStatus.OPEN if person.case_status is CaseStatus.OPEN
                  else KnownStatus.PREVIOUSLY_KNOWN)
        return ClientRecord(person.system_id, status, person.allocated_worker, person.team,
                            person.alerts, person.preferred_language,
                            person.communication_needs, person.date_of_birth)


class _History(ContactHistory):
    """The contacts generated so far, as the store would give them back."""

    def __init__(self) -> None:
        # Per person, (start, order added, contact), kept sorted by start: a look-up takes
        # the tail from ``since`` on, so a caller who rings hundreds of times costs no more
        # per call than one who rang twice (as the store's index does).
        self.by_person: dict[str, list[tuple[dt.datetime, int, EarlierContact]]] = {}
        self.added = 0

    def recent(self, person_id: str, *, since: dt.datetime) -> list[EarlierContact]:
        held = self.by_person.get(person_id, [])
        first = bisect.bisect_left(held, (since,))
        return [c for _at, _n, c in reversed(held[first:])]

    def add(self, person_id: str, contact: EarlierContact) -> None:
        self.added += 1
        bisect.insort(self.by_person.setdefault(person_id, []),
                      (dt.datetime.fromisoformat(contact.started_at), self.added, contact))


@dataclass(frozen=True, slots=True)
class _Step:
    """The current step as the generator answers it."""

    state: str
    step_id: str
    kind: StepKind
    answer_type: str | None
    choices: tuple[str, ...]
    required: bool


class ContactGenerator:
    """Calls on ``catalogue``'s ``pathway``, about ``people``, from ``start`` on."""

    def __init__(self, catalogue: Catalogue, people: Sequence[PersonRecord], *,
                 seed: int = 2026, pathway: str = "front-door",
                 start: dt.datetime | None = None, days: float = 365.0,
                 call_prefix: str = "gen") -> None:
        self.rng = random.Random(seed)
        # The seconds between steps come from their own stream, so that timing the calls
        # changes none of the calls the main stream makes.
        self.timing = random.Random(seed + 7919)
        self.call_prefix = call_prefix
        self.pathway = pathway
        self.people = [p for p in people if p.nhs_number]
        if not self.people:
            raise ValueError("the contact generator needs people with NHS numbers")
        self.frequent = self.rng.sample(self.people, min(40, len(self.people)))
        self.history = _History()
        self.now = start or dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
        self.days = days
        self.engine = CallEngine(catalogue, _Index(self.people), history=self.history,
                                 clock=lambda: self.now)
        self.teams = sorted(catalogue.get(pathway).places.teams)
        self._steps: dict[tuple[str, int, str], _Step] = {}
        """Each step's answering needs, worked out once (the pathways do not change)."""
        self._weights: dict[int, tuple[dict[str, int], list[str], list[int]]] = {}

    def calls(self, count: int) -> Iterator[GeneratedCall]:
        """``count`` finished calls, in the order they started."""
        step = dt.timedelta(days=self.days) / max(count, 1)
        for n in range(count):
            self.now = self.now + step
            yield self._call(n)

    # ---- one call

    def _pick(self, weights: dict[str, int]) -> str:
        split = self._weights.get(id(weights))
        if split is None or split[0] is not weights:  # each weight table split once
            split = self._weights[id(weights)] = (weights, list(weights), list(weights.values()))
        return self.rng.choices(split[1], weights=split[2])[0]

    def _call(self, n: int) -> GeneratedCall:
        rng = self.rng
        handler = HANDLERS[n % len(HANDLERS)]
        engine = self.engine
        call = engine.start(self.pathway, {"caller_type": self._pick(CALLER_TYPES)},
                            handler=handler, call_id=f"{self.call_prefix}{n:010d}")
        call.started_at = self.now.isoformat(timespec="milliseconds")
        share = rng.random()
        person = None
        if share < PERSON_SHARE[0]:
            person = (rng.choice(self.frequent) if rng.random() < REPEAT_SHARE
                      else rng.choice(self.people))
        person_answer = (person.system_id if person else
                         "not_known" if share < PERSON_SHARE[0] + PERSON_SHARE[1]
                         else "possible_match")
        reason = self._pick(REASONS)
        self._route(call, person, person_answer, reason)
        if call.at_outcome and rng.random() < CORRECTION:
            self._correct(call)
        if call.at_outcome and rng.random() < FURTHER_NEED:
            engine.add_need(call)
            self._route(call, person, person_answer, self._pick(REASONS))
        if engine.person_check_needed(call):
            if person is not None and rng.random() < 0.8:
                engine.search(call, SearchDetails(nhs_number=person.nhs_number))
                engine.confirm_person(call, person.system_id)
            elif rng.random() < 0.7:
                engine.confirm_person(call, "not_known")
        override = None
        if rng.random() < OVERRIDE:
            kind = rng.choice([k.value for k in OutcomeKind])
            override = Override(kind, rng.choice(self.teams), rng.choice(OVERRIDE_REASONS))
        engine.finish(call, without_person_check=(
            "Synthetic: the caller would not say" if engine.person_check_needed(call)
            else None))
        self._retime(call)
        self._remember(call)
        return GeneratedCall(call, handler, override)

    def _route(self, call: CallSession, person: PersonRecord | None, person_answer: str,
               reason: str) -> None:
        """Answer each step until the need reaches its outcome."""
        engine = self.engine
        for _ in range(200):
            if call.phase is not CallPhase.ROUTING:
                return
            view = self._view(call)
            try:
                if view.kind is StepKind.LOOKUP:
                    if person is not None:
                        engine.search(call, SearchDetails(nhs_number=person.nhs_number))
                    engine.answer(call, view.state, person_answer)
                else:
                    engine.answer(call, view.state, self._answer(view, reason))
            except CallError:
                # A generated answer the question refuses (a date out of range): the
                # first choice or a plain one instead, as a handler would re-ask.
                engine.answer(call, view.state, self._fallback(view))
        raise RuntimeError(f"generated call {call.call_id} did not reach an outcome")

    def _view(self, call: CallSession) -> _Step:
        """What answering the current step needs (the step view's words are not)."""
        key = (call.pathway_id, call.version, call.state)
        step = self._steps.get(key)
        if step is None:
            step = self._steps[key] = self._step(call)
        return step

    def _step(self, call: CallSession) -> _Step:
        node = self.engine.catalogue.get(call.pathway_id, call.version).node(call.state)
        rule = node.answer
        return _Step(node.state, node.local_id, node.kind,
                     "lookup" if node.kind is StepKind.LOOKUP else
                     rule.type.value if rule else None,
                     tuple(code for code, _label in options_for(rule)) if rule else (),
                     bool(rule.required) if rule else True)

    def _answer(self, view: _Step, reason: str) -> Any:
        rng = self.rng
        if view.step_id == "reason":
            return reason
        if view.answer_type in ("yes_no_unsure", "yes_no") and view.step_id in (
                "danger_to_life", "abuse_or_neglect", "mental_health_crisis"):
            roll = rng.random()
            if roll < RED_FLAG_YES:
                return "yes"
            if roll < RED_FLAG_YES + RED_FLAG_NOT_SURE and view.answer_type == "yes_no_unsure":
                return "not_sure"
            return "no"
        if view.answer_type in ("yes_no_unsure", "yes_no"):
            # Risk questions in the reason pathways: mostly no, as on real calls.
            roll = rng.random()
            return "yes" if roll < 0.12 else "not_sure" if (
                roll < 0.15 and view.answer_type == "yes_no_unsure") else "no"
        if view.choices:
            codes = list(view.choices)
            if view.answer_type == "multi_choice":
                return rng.sample(codes, rng.randint(1, min(2, len(codes))))
            return rng.choice(codes)
        return self._open_answer(view.answer_type)

    def _open_answer(self, answer_type: str | None) -> Any:
        rng = self.rng
        if answer_type == "number":
            return str(rng.randint(1, 10))
        if answer_type == "date":
            back = dt.timedelta(days=rng.randint(0, 30000))
            return (self.now.date() - back).isoformat()
        return {"nhs_number": "9990000018", "postcode": "UB8 1UW",
                "phone": "01895 250111", "email": "synthetic@example.org"}.get(
                    answer_type or "text", "Synthetic details given on the call")

    def _fallback(self, view: _Step) -> Any:
        if view.choices:
            return view.choices[0]
        if view.answer_type == "date":
            return (self.now.date() - dt.timedelta(days=365 * 70)).isoformat()
        return "" if not view.required else self._open_answer(view.answer_type)

    def _correct(self, call: CallSession) -> None:
        """A correction after the outcome: a red flag now and then (with a reason)."""
        engine = self.engine
        given = [h for h in call.answered() if h.state != "find_person"]
        if not given:
            return
        flags = [h for h in given if h.state in ("danger_to_life", "abuse_or_neglect",
                                                  "mental_health_crisis")]
        if flags and self.rng.random() < RED_FLAG_CORRECTION / CORRECTION:
            entry = self.rng.choice(flags)
            new = "no" if entry.answer != "no" else "yes"
            engine.change(call, entry.state, new, reason="Synthetic: the caller corrected it")
        else:
            entry = self.rng.choice(given)
            view = engine.view_of(call, entry.state)
            if not view.choices:
                return
            engine.change(call, entry.state, self.rng.choice(view.choices).code,
                          reason="Synthetic: misheard")
        person = call.values.get("person_id")
        self._route(call, None, str(person or "not_known"), self._pick(REASONS))

    def _retime(self, call: CallSession) -> None:
        """Put the call's trail on the generator's clock: the engine stamps trail lines and
        outcomes with the real time, which for a generated call is the moment it was made,
        not the synthetic start. Each line gets a few seconds (an answer 10 to 60), the
        outcomes their outcome line's time and the call's end half a minute after the
        last line, so times from the start of a call (to an escalation, say) are those a
        real call would have."""
        start = dt.datetime.fromisoformat(call.started_at).timestamp()
        lines: list[Any] = [*call.history]
        for earlier in call.earlier_needs:
            lines.extend(earlier["history"])
        real = sorted({float(line.at if not isinstance(line, dict) else line["at"])
                       for line in lines})
        now, moved = start, {}
        for at in real:
            now += self.timing.uniform(10, 60)
            moved[at] = now
        for line in lines:
            if isinstance(line, dict):
                line["at"] = moved[float(line["at"])]
            else:
                line.at = moved[line.at]

        def outcome_time(history: Sequence[Any]) -> str | None:
            ats = [h["at"] if isinstance(h, dict) else h.at for h in history
                   if (h["kind"] if isinstance(h, dict) else h.kind) == TrailKind.OUTCOME]
            return (dt.datetime.fromtimestamp(ats[-1], dt.UTC).isoformat(
                timespec="milliseconds") if ats else None)

        for earlier in call.earlier_needs:
            earlier["outcome_at"] = outcome_time(earlier["history"]) or earlier["outcome_at"]
        call.outcome_at = outcome_time(call.history) or call.outcome_at
        call.finished_at = dt.datetime.fromtimestamp(now + 30, dt.UTC).isoformat(
            timespec="milliseconds")

    def _remember(self, call: CallSession) -> None:
        """Each need of the call becomes an earlier contact for the calls after it (its
        outcome's kind and team read from the pathway: no words are rendered for it)."""
        person_id = call.values.get("person_id")
        if not person_id:
            return
        compiled = self.engine.catalogue.get(call.pathway_id, call.version)
        for need in self.engine.routed_needs(call):
            spec = compiled.node(need.state).outcome
            assert spec is not None
            self.history.add(str(person_id), EarlierContact(
                f"{call.call_id}-{need.need}", call.started_at, need.values.get("reason"),
                spec.kind.value, spec.team, call.call_id))
