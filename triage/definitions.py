"""The pathway and call-script language as pydantic models (the schema stage of loading).

These models say what a file may contain; they know nothing of YAML or of files. Checks
that need more than one file (references, reachability, safety) live in
:mod:`triage.checks`. Every model forbids unknown keys so a misspelt key is an error.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from triage.timeframes import WEEKDAYS, parse_day_hours, parse_timeframe
from triage.vocabulary import AnswerType, OutcomeKind, RequestOutcome, RouteOfAccess

STEP_ID = r"^[a-z][a-z0-9_]*$"
"""Step ids double as the names of their answers in conditions, so they are identifiers."""
REF_ID = r"^[a-z][a-z0-9-]*$"
"""Pathways, scripts, teams and online services are named in kebab-case."""

StepId = Annotated[str, Field(pattern=STEP_ID, max_length=64)]
RefId = Annotated[str, Field(pattern=REF_ID, max_length=64)]
LocalText = dict[str, str]
"""Text keyed by language code (``en`` is required, checked semantically)."""
GUIDANCE = ("For the handler, never read out: what to check, look up or do (shown apart "
            "from the words to read).")


class Strict(BaseModel):
    """Base for every file model: unknown keys are errors and models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(Strict):
    """One allowed answer: a stable code for conditions and a label for people."""

    code: StepId
    label: str | LocalText


class AnswerSpec(Strict):
    """What a question accepts, and whether an answer is required."""

    type: AnswerType
    required: bool = True
    options: list[Option] | None = None
    unsure_means: Literal["yes", "no"] | None = Field(
        default=None,
        description="yes_no_unsure only: how 'not sure' is routed (on a risk question: yes).",
    )
    min: float | None = None
    max: float | None = None
    integer: bool = False
    not_in_future: bool = False
    not_before: str | None = Field(default=None, description="date only: earliest ISO date")
    max_length: int = Field(default=2000, ge=1, le=20000)

    @model_validator(mode="after")
    def _fields_fit_the_type(self) -> AnswerSpec:
        has_options = self.type in (AnswerType.CHOICE, AnswerType.MULTI_CHOICE)
        if has_options and not self.options:
            raise ValueError(f"a {self.type.value} answer needs 'options' (a list of code/label)")
        if not has_options and self.options is not None:
            raise ValueError(
                f"'options' only applies to choice and multi_choice answers, not {self.type.value}"
            )
        if self.unsure_means is not None and self.type is not AnswerType.YES_NO_UNSURE:
            raise ValueError("'unsure_means' only applies to yes_no_unsure answers")
        if (self.min is not None or self.max is not None or self.integer) and (
            self.type is not AnswerType.NUMBER
        ):
            raise ValueError("'min', 'max' and 'integer' only apply to number answers")
        if (self.not_in_future or self.not_before) and self.type is not AnswerType.DATE:
            raise ValueError("'not_in_future' and 'not_before' only apply to date answers")
        return self


class Route(Strict):
    """Go to ``goto`` when ``when`` holds; routes are tried in order."""

    when: str = Field(min_length=1)
    goto: StepId
    why: str | None = Field(default=None, description="Plain words recorded when taken.")


class _StepBase(Strict):
    id: StepId
    title: str | None = Field(default=None, description="Short label for tables and diagrams.")
    script: RefId | list[RefId] | None = None
    text: LocalText | None = None
    guidance: LocalText | None = Field(default=None, description=GUIDANCE)


class SayStep(_StepBase):
    """Words to read out; the call then moves on to ``next``."""

    kind: Literal["say"]
    next: StepId


class _Routed(_StepBase):
    routes: list[Route] = Field(default_factory=list)
    default: StepId | None = None
    next: StepId | None = None

    @model_validator(mode="after")
    def _next_or_routes(self) -> _Routed:
        if self.next is not None and (self.routes or self.default is not None):
            raise ValueError("give either 'next' or 'routes' with 'default', not both")
        if self.next is None and not self.routes and self.default is None:
            raise ValueError("say where the call goes: 'next', or 'routes' and 'default'")
        return self


class QuestionStep(_Routed):
    """A question with a typed answer.

    The answer is named by ``fact`` (a call fact shared by every pathway in the call,
    declared in facts.yaml) or, without one, by the step id.
    """

    kind: Literal["question"]
    fact: StepId | None = None
    answer: AnswerSpec | None = None

    @model_validator(mode="after")
    def _answer_or_fact(self) -> QuestionStep:
        if self.answer is None and self.fact is None:
            raise ValueError("a question needs an 'answer' (its type) or a 'fact' to take it from")
        return self


class LookupStep(_Routed):
    """Checks whether the person is known to adult social care (sets known_status)."""

    kind: Literal["lookup"]


class HandoverStep(Strict):
    """Hands the call to another pathway, composed in when compiled."""

    kind: Literal["handover"]
    id: StepId
    title: str | None = None
    pathway: RefId
    inputs: dict[StepId, StepId] = Field(
        default_factory=dict, description="sub-pathway input name: name in this pathway"
    )
    outputs: dict[StepId, StepId] = Field(
        default_factory=dict, description="name in this pathway: sub-pathway output name"
    )
    next: StepId | None = Field(default=None, description="Where to go when it returns.")


class ReturnStep(Strict):
    """Ends a sub-pathway and goes back to the handover's ``next`` step."""

    kind: Literal["return"]
    id: StepId
    title: str | None = None


class StatutoryCodes(Strict):
    """Client Level Data codes; a contact that is not a Request says so."""

    cld_request: bool = True
    route_of_access: RouteOfAccess | None = None
    request_outcome: RequestOutcome | None = None

    @model_validator(mode="after")
    def _request_has_codes(self) -> StatutoryCodes:
        if self.cld_request and (self.route_of_access is None or self.request_outcome is None):
            raise ValueError(
                "a Client Level Data request needs 'route_of_access' and 'request_outcome' "
                "(or set 'cld_request: false' for a contact that is not a request)"
            )
        return self


class OutcomeSpec(Strict):
    """The disposition reached: who acts, how fast, and what the caller is told."""

    kind: OutcomeKind
    summary: str = Field(min_length=1)
    team: RefId | None = None
    service: RefId | None = Field(default=None, description="Online service for deflections.")
    timeframe: str = Field(description="immediate, same working day, 2 working days, 4 hours")
    script: RefId | list[RefId] | None = None
    text: LocalText | None = None
    guidance: LocalText | None = Field(default=None, description=GUIDANCE)
    codes: StatutoryCodes


class OutcomeStep(Strict):
    """An end of the call with a disposition."""

    kind: Literal["outcome"]
    id: StepId
    title: str | None = None
    outcome: OutcomeSpec


Step = Annotated[
    SayStep | QuestionStep | LookupStep | HandoverStep | ReturnStep | OutcomeStep,
    Field(discriminator="kind"),
]


PATHWAY_VERSION_MAX = 2**31 - 1
"""The largest pathway version: the service stores versions in 32-bit integer columns."""
_VERSION_RANGE = (f"the version must be a whole number from 1 to {PATHWAY_VERSION_MAX} (the "
                  "range a 32-bit database column holds)")


STATUS_LIVE_GONE = ("'live' is no longer a status: write 'ready' (this version may be "
                    "published) or 'draft' (not ready to publish). A file never makes a "
                    "version live; publishing does (triage publish, or the API)")


class Waiver(Strict):
    """A signed waiver for one route that used to escalate and now ends early: the
    cross-version check lets this version be published with that route as it is."""

    route: str = Field(min_length=1, description="The route's answers exactly as "
                       "'triage validate --against' and 'triage diff' print them, such as "
                       "\"danger_to_life=no; abuse_or_neglect=yes\".")
    signed_by: str = Field(min_length=1, description="Who signed it: the clinical or "
                           "practice safety lead, by name and role.")
    reason: str = Field(min_length=1, description="Why ending early is safe on this route.")

    @field_validator("route", "signed_by", "reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class PathwayMeta(Strict):
    """Who owns a pathway, which version it is, and whether it may be published."""

    id: RefId
    title: str
    version: int = Field(description="A whole number from 1 to 2147483647; raise it for "
                         "every change that is published.", json_schema_extra={
                             "minimum": 1, "maximum": PATHWAY_VERSION_MAX})
    owner: str
    status: Literal["draft", "ready"] = Field(description="draft: not ready to publish; "
                                              "ready: may be published. Neither makes this "
                                              "version live.")
    change_note: str
    waivers: list[Waiver] = Field(default_factory=list, description="Signed waivers, one per "
                                  "route that reached an escalation in the live version and "
                                  "ends early in this one (see docs/pathways.md).")
    usage: Literal["entry", "subpathway"] = Field(
        default="entry", description="subpathway: only reached by a handover, never started."
    )

    @field_validator("status", mode="before")
    @classmethod
    def _live_is_not_a_status(cls, value: object) -> object:
        if value == "live":  # the old meaning: say what to write instead
            raise ValueError(STATUS_LIVE_GONE)
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version_is_not_true_or_false(cls, value: object) -> object:
        if isinstance(value, bool):  # pydantic would take true for version 1
            raise ValueError(_VERSION_RANGE)
        return value

    @field_validator("version")
    @classmethod
    def _version_in_range(cls, value: int) -> int:
        # The service keeps versions in 32-bit integer columns: a larger one used to pass
        # here and then fail to store, half taken up.
        if not 1 <= value <= PATHWAY_VERSION_MAX:
            raise ValueError(_VERSION_RANGE)
        return value


class Calculation(Strict):
    """A value worked out from answers, usable in conditions and scripts."""

    name: StepId
    expr: str = Field(min_length=1)
    type: Literal["number", "text", "boolean", "date"]


class InputSpec(Strict):
    """A value a sub-pathway needs from the pathway that hands over to it."""

    name: StepId
    answer: AnswerSpec


class Pathway(Strict):
    """A routing definition: a start step, steps, and the red-flag screen it declares."""

    pathway: PathwayMeta
    start: StepId
    red_flag_screen: list[StepId] = Field(default_factory=list)
    inputs: list[InputSpec] = Field(default_factory=list)
    outputs: list[StepId] = Field(default_factory=list)
    calculations: list[Calculation] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)


class Fact(Strict):
    """A call fact shared by every pathway in a call (caller type, reason, age...)."""

    name: StepId
    label: str
    answer: AnswerSpec


class FactsFile(Strict):
    """facts.yaml: the vocabulary of call facts."""

    facts: list[Fact]


class Team(Strict):
    """A team that takes referrals, escalations or transfers."""

    id: RefId
    name: str
    phone: str | None = None
    hours: str | None = None


class OnlineService(Strict):
    """An online form or portal that simple requests are deflected to."""

    id: RefId
    name: str
    url: str
    assisted: bool = Field(
        default=True, description="A handler can complete it on the caller's behalf."
    )


class RepeatContactRule(Strict):
    """A person's Nth contact within H hours can never end in an early exit."""

    contacts: int = Field(default=3, description="N: this contact and the earlier ones.")
    hours: float = Field(default=96, description="H: the window, in hours.")

    @model_validator(mode="after")
    def _a_rule_that_can_hold(self) -> RepeatContactRule:
        if self.contacts < 2:
            raise ValueError(f"'contacts' is {self.contacts}: a repeat needs at least 2 "
                             "contacts (this one and an earlier one); NHS 111 uses 3")
        if self.hours <= 0:
            raise ValueError(f"'hours' is {self.hours:g}: the window must be more than 0 "
                             "hours (NHS 111 uses 96)")
        return self


class OutOfHoursRule(Strict):
    """Work due this soon cannot wait for the office to open: every outcome of these kinds
    with a timeframe of ``within`` or shorter, for a team that does not work out of hours,
    is reached only in hours; out of hours the call goes to one of ``teams``."""

    within: str = Field(default="same working day",
                        description="same working day, or a shorter timeframe")
    kinds: list[OutcomeKind] = Field(
        default_factory=lambda: [OutcomeKind.URGENT_ESCALATION, OutcomeKind.TEAM_REFERRAL,
                                 OutcomeKind.ALLOCATED_WORKER])
    teams: list[RefId] = Field(min_length=1, description="Teams that work out of hours "
                               "(the emergency duty team)")

    @field_validator("within")
    @classmethod
    def _a_timeframe(cls, value: str) -> str:
        parse_timeframe(value)  # a TimeframeError is a ValueError: reported where it is
        return value


class SafetyPolicy(Strict):
    """Which outcome kinds end a call early and which count as escalation, the
    repeat-contact rule and the out-of-hours rule."""

    early_exit_kinds: list[OutcomeKind]
    escalation_kinds: list[OutcomeKind]
    repeat_contacts: RepeatContactRule = Field(default_factory=RepeatContactRule)
    out_of_hours: OutOfHoursRule | None = None


class Closure(Strict):
    """A day the offices are closed besides weekends and bank holidays."""

    date: dt.date
    why: str = Field(min_length=1)


_DAY_HOURS = Field(default="closed", description="HH:MM-HH:MM periods separated by "
                   "commas, 00:00-24:00 for all day, or closed")


class OpeningHoursSpec(Strict):
    """When the front door's offices are open (UK local time); out of hours is the rest."""

    monday: str = _DAY_HOURS
    tuesday: str = _DAY_HOURS
    wednesday: str = _DAY_HOURS
    thursday: str = _DAY_HOURS
    friday: str = _DAY_HOURS
    saturday: str = _DAY_HOURS
    sunday: str = _DAY_HOURS
    bank_holidays: Literal["closed", "open"] = Field(
        default="closed", description="English bank holidays, from the holidays package")
    closures: list[Closure] = Field(default_factory=list)

    @field_validator(*WEEKDAYS)
    @classmethod
    def _hours_that_parse(cls, value: str) -> str:
        parse_day_hours(value)
        return value


class HandlerWords(Strict):
    """Phrases that address the handler: in words to read they belong in ``guidance``."""

    phrases: list[Annotated[str, Field(min_length=2)]] = Field(
        default_factory=list, description="Matched whole-word, whatever the case.")
    severity: Literal["warning", "error"] = Field(
        default="warning", description="error: words to read with such a phrase fail "
        "validation; warning: they are reported and still load.")


class Directory(Strict):
    """Teams, online services, constants for scripts and the safety policy."""

    constants: dict[StepId, str] = Field(default_factory=dict)
    teams: list[Team] = Field(default_factory=list)
    online_services: list[OnlineService] = Field(default_factory=list)
    safety: SafetyPolicy
    opening_hours: OpeningHoursSpec | None = Field(
        default=None, description="Monday to Friday 9am to 5pm when not given")
    handler_words: HandlerWords = Field(default_factory=HandlerWords)


class DirectoryFile(Strict):
    """directory.yaml."""

    directory: Directory


class Script(Strict):
    """A named, reusable fragment of words, keyed by language, with {placeholders}."""

    id: RefId
    title: str | None = None
    text: LocalText
    guidance: LocalText | None = Field(default=None, description=GUIDANCE)


class ScriptsFile(Strict):
    """A file in scripts/: a list of fragments."""

    scripts: list[Script]
