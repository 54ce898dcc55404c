"""Building the run-time form (:mod:`triage.routing.plan`) from the file models, one
builder per model: used while loading, never by the run time."""

from __future__ import annotations

from triage.definitions import AnswerSpec, Directory, OpeningHoursSpec, OutcomeSpec
from triage.routing.plan import (
    AnswerRule,
    Choice,
    Codes,
    Outcome,
    Places,
    Policy,
    RepeatRule,
    Service,
    Team,
)
from triage.timeframes import OFFICE_HOURS, WEEKDAYS, OpeningHours, parse_day_hours


def answer_rule(spec: AnswerSpec) -> AnswerRule:
    """The run-time form of a file's ``answer``."""
    return AnswerRule(
        type=spec.type, required=spec.required,
        options=tuple(Choice(o.code, o.label) for o in spec.options or ()),
        unsure_means=spec.unsure_means, min=spec.min, max=spec.max, integer=spec.integer,
        not_in_future=spec.not_in_future, not_before=spec.not_before,
        max_length=spec.max_length)


def outcome_of(spec: OutcomeSpec) -> Outcome:
    """The run-time form of a file's ``outcome``."""
    codes = spec.codes
    return Outcome(spec.kind, spec.summary, spec.timeframe,
                   Codes(codes.cld_request,
                         codes.route_of_access.value if codes.route_of_access else None,
                         codes.request_outcome.value if codes.request_outcome else None),
                   spec.team, spec.service)


def places_of(directory: Directory) -> Places:
    """The run-time form of ``directory.yaml``."""
    return Places(
        dict(directory.constants),
        {t.id: Team(t.id, t.name, t.phone, t.hours) for t in directory.teams},
        {s.id: Service(s.id, s.name, s.url, s.assisted) for s in directory.online_services},
        hours_of(directory.opening_hours) if directory.opening_hours else OFFICE_HOURS)


def hours_of(spec: OpeningHoursSpec) -> OpeningHours:
    """The run-time form of the directory's ``opening_hours``."""
    return OpeningHours(
        week=tuple(parse_day_hours(getattr(spec, day)) for day in WEEKDAYS),
        closures=frozenset(c.date for c in spec.closures),
        bank_holidays_open=spec.bank_holidays == "open")


def policy_of(directory: Directory) -> Policy:
    """The run-time form of the directory's safety policy."""
    safety = directory.safety
    return Policy(frozenset(safety.early_exit_kinds), frozenset(safety.escalation_kinds),
                  RepeatRule(safety.repeat_contacts.contacts, safety.repeat_contacts.hours))
