"""What the handler sees of a call: the step now (words, question, answers), the outcome
(what to say, who acts, by when), the route taken, and what is known so far.

Built from the compiled pathway and the call alone; the engine, the service, the screen
and the terminal all show a call through these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from triage.answers import describe_allowed, label_text, options_for
from triage.calls.model import CallSession
from triage.rendering import MISSING, Words, render
from triage.routing.catalogue import CompiledPathway
from triage.routing.plan import Node
from triage.timeframes import UK_TIME, parse_timeframe
from triage.vocabulary import (
    KNOWN_STATUS_WORDS,
    LOOKUP_FACTS,
    CallPhase,
    KnownStatus,
    StepKind,
    TrailKind,
)


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
    kind: StepKind
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
    finished: bool  # the need has reached its outcome (see ``phase``)
    phase: CallPhase = CallPhase.ROUTING
    need: int = 1
    earlier_contacts: tuple[dict[str, Any], ...] = ()
    """The confirmed person's contacts of the last 28 days (empty until confirmed)."""
    guidance: str = ""
    """Words for the handler: what to check or do, never read out."""


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
    person: dict[str, Any] | None = None
    """Who the person is, for the receiving team: known status, record, worker, team,
    alerts (None until the person check is done)."""
    need: int = 1
    guidance: str = ""
    """Words for the handler: what to do now, never read out."""


@dataclass(frozen=True)
class ChangeResult:
    """After correcting an answer: where the call is and which answers no longer apply."""

    view: StepView
    dropped: tuple[str, ...]


@dataclass(frozen=True)
class KnownRow:
    """One line of what is known so far: who is calling, why, and the person."""

    name: str  # the call fact it shows
    label: str
    code: Any  # the value as recorded
    words: str  # the value as a handler reads it
    warning: bool = False


def fact_words(compiled: CompiledPathway, name: str, code: Any, language: str) -> str:
    """A fact's code as its label (the code itself if the fact has no labels)."""
    rule = compiled.facts.get(name)
    if rule is not None:
        for option in rule.options:
            if option.code == code:
                return label_text(option.label, language)
    return str(code)


def known_so_far(compiled: CompiledPathway, session: CallSession) -> tuple[KnownRow, ...]:
    """Who is calling, why, and whether the person is known: the panel beside every step."""
    values = session.values
    language = session.language
    rows: list[KnownRow] = []

    def row(name: str, label: str, words: str | None = None, warning: bool = False) -> None:
        code = values.get(name)
        rows.append(KnownRow(name, label, code, words if words is not None else
                             fact_words(compiled, name, code, language), warning))

    if values.get("caller_type"):
        row("caller_type", "Caller")
    if values.get("reason"):
        row("reason", "Reason")
    status = values.get("known_status")
    if status:
        row("known_status", "Known to adult social care",
            KNOWN_STATUS_WORDS.get(status, str(status)))
        if values.get("person_id"):
            row("person_id", "Client index record", str(values["person_id"]))
        row("allocated_worker", "Allocated worker", str(values.get("allocated_worker") or "None"))
        row("allocated_team", "Allocated team", str(values.get("allocated_team") or "None"))
        alerts = values.get("alerts") or []
        row("alerts", "Alerts", ", ".join(fact_words(compiled, "alerts", a, language)
                                          for a in alerts) or "None", bool(alerts))
    return tuple(rows)


def placeholder_values(compiled: CompiledPathway, session: CallSession, node: Node,
                       outcome: Mapping[str, str] | None = None
                       ) -> Callable[[str], str | None]:
    """What each {placeholder} in a step's words stands for on this call."""
    constants = compiled.places.constants

    def lookup(name: str) -> str | None:
        if outcome and name in outcome:
            return outcome[name]
        if name == "handler_name":
            return session.handler or None
        qualified = node.names.get(name, name)
        if qualified in session.values:
            value = session.values[qualified]
            rule = compiled.graph.answers.get(qualified) or compiled.facts.get(qualified)
            if rule is not None and rule.options and isinstance(value, str):
                for option in rule.options:
                    if option.code == value:
                        return label_text(option.label, session.language)
            if isinstance(value, list):
                return ", ".join(str(v) for v in value) or None
            return None if value is None else str(value)
        return constants.get(name)

    return lookup


def step_view(compiled: CompiledPathway, session: CallSession, state: str,
              words_from: list[str]) -> StepView:
    """The step at ``state`` as the handler sees it, with the words of the read-out steps
    passed on the way (``words_from``)."""
    node = compiled.node(state)
    texts, notes, guidance, language = [], [], [], session.language
    for passed in [*words_from, node.state]:
        n = compiled.node(passed)
        if n.kind is StepKind.OUTCOME:
            continue
        lookup = placeholder_values(compiled, session, n)
        words = render(n.scripts, n.text, compiled.scripts, session.language, lookup)
        if words.text:
            texts.append(words.text)
        for_handler = guidance_for(compiled, n, session.language, lookup)
        if for_handler:
            guidance.append(for_handler)
        if words.note:
            notes.append(words.note)
            language = words.language
    choices: tuple[AnswerChoice, ...] = ()
    hint = ""
    if node.kind is StepKind.LOOKUP:
        choices = tuple(AnswerChoice(c, c) for c in session.candidates) + (
            AnswerChoice(KnownStatus.NOT_KNOWN, "Not known to adult social care"),
            AnswerChoice(KnownStatus.POSSIBLE_MATCH, "Possible match: cannot confirm yet"))
        hint = "Search for the person, then confirm one of the people found or say none."
    elif node.answer is not None:
        choices = tuple(AnswerChoice(c, lab)
                        for c, lab in options_for(node.answer, session.language))
        hint = describe_allowed(node.answer)
    known = {r.name: r.code for r in known_so_far(compiled, session) if r.code}
    return StepView(
        state=node.state, step_id=node.local_id, kind=node.kind, title=node.title,
        pathway_id=node.pathway_id, words="\n\n".join(texts), language=language,
        note=" ".join(dict.fromkeys(notes)) or None,
        answer_type=("lookup" if node.kind is StepKind.LOOKUP else
                     node.answer.type.value if node.answer else None),
        required=bool(node.answer.required) if node.answer else node.kind is StepKind.LOOKUP,
        choices=choices, hint=hint, known=known, finished=session.at_outcome,
        phase=session.phase, need=session.need,
        earlier_contacts=tuple(session.earlier_contacts), guidance="\n\n".join(guidance))


def outcome_view(compiled: CompiledPathway, session: CallSession, node: Node) -> OutcomeView:
    """The outcome ``node`` as the handler sees it: what to say, who acts, by when."""
    spec = node.outcome
    assert spec is not None
    team = compiled.places.teams.get(spec.team or "")
    service = compiled.places.services.get(spec.service or "")
    started = dt.datetime.fromisoformat(session.started_at)
    # Working days and hours are English ones, whatever the server's own time zone.
    local_start = started.astimezone(UK_TIME).replace(tzinfo=None)
    due = parse_timeframe(spec.timeframe).due(local_start, compiled.places.hours)
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
    lookup = placeholder_values(compiled, session, node, context)
    words: Words = render(node.scripts, node.text, compiled.scripts, session.language, lookup)
    route = tuple(RouteStep(h.state, h.answer, h.kind, h.why, h.route) for h in session.history
                  if h.kind != TrailKind.OUTCOME)
    return OutcomeView(
        outcome_id=f"{node.pathway_id}:{node.local_id}", kind=spec.kind.value,
        summary=spec.summary,
        team={"id": team.id, "name": team.name, "phone": team.phone} if team else None,
        service=({"id": service.id, "name": service.name, "url": service.url,
                  "assisted": service.assisted} if service else None),
        timeframe=spec.timeframe,
        due=due.replace(tzinfo=UK_TIME).isoformat(timespec="minutes"),
        words=words.text, language=words.language, note=words.note,
        codes=spec.codes.as_dict(), pathway_id=compiled.id,
        pathway_version=compiled.version, route=route, person=person_of(session),
        need=session.need, guidance=guidance_for(compiled, node, session.language, lookup))


def guidance_for(compiled: CompiledPathway, node: Node, language: str,
                 lookup: Callable[[str], str | None]) -> str:
    """A step's words for the handler: its scripts' guidance, then its own."""
    return render(node.scripts, node.guidance, compiled.guidance, language, lookup).text


def person_of(session: CallSession) -> dict[str, Any] | None:
    """The person check's facts on the call, or None before it is done."""
    values = session.values
    if "known_status" not in values:
        return None
    return {name: values.get(name) for name in LOOKUP_FACTS}


@dataclass(frozen=True)
class NeedSummary:
    """One need routed on a call: its number, its outcome and the answers it was routed on."""

    need: int
    outcome: OutcomeView
    values: dict[str, Any]


@dataclass(frozen=True)
class WrapUpView:
    """The call after its outcome: what is left to do before it can be finished."""

    phase: CallPhase
    needs: tuple[NeedSummary, ...]
    person_check_needed: bool
    """The need ended before the person check (an escalation): do it, or say why not."""
    person: dict[str, Any] | None
    earlier_contacts: tuple[dict[str, Any], ...]
    flags: tuple[dict[str, Any], ...]


def wrap_up_view(compiled: CompiledPathway, session: CallSession,
                 needs: list[NeedSummary], person_check_needed: bool) -> WrapUpView:
    """What the wrap-up shows."""
    return WrapUpView(session.phase, tuple(needs), person_check_needed, person_of(session),
                      tuple(session.earlier_contacts), tuple(session.flags))
