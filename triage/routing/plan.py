"""The run-time form of a pathway: plain frozen dataclasses built once from the file models.

The file models (:mod:`triage.definitions`) say what a file may contain and how it is
checked; once a pathway has been checked and composed, the run time (calls, route
exploration, the designers' views) reads only these, so it never loads the file models.
:mod:`triage.routing.build` turns each file model into its run-time form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from triage.expressions import Expression
from triage.timeframes import OFFICE_HOURS, OpeningHours
from triage.vocabulary import AnswerType, OutcomeKind, StepKind

LocalText = Mapping[str, str]
"""Words keyed by language code (``en`` always present)."""


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed answer: a stable code for conditions and a label for people."""

    code: str
    label: str | LocalText


@dataclass(frozen=True, slots=True)
class AnswerRule:
    """What a question accepts, and whether an answer is required."""

    type: AnswerType
    required: bool = True
    options: tuple[Choice, ...] = ()
    unsure_means: str | None = None  # yes_no_unsure: how "not sure" is routed
    min: float | None = None
    max: float | None = None
    integer: bool = False
    not_in_future: bool = False
    not_before: str | None = None  # an ISO date
    max_length: int = 2000


@dataclass(frozen=True, slots=True)
class Codes:
    """Client Level Data codes of an outcome; a contact that is not a request says so."""

    cld_request: bool
    route_of_access: str | None = None
    request_outcome: str | None = None

    def as_dict(self) -> dict[str, object]:
        """Plain data for records and replies."""
        return {"cld_request": self.cld_request, "route_of_access": self.route_of_access,
                "request_outcome": self.request_outcome}


@dataclass(frozen=True, slots=True)
class Outcome:
    """The disposition reached: who acts, how fast, and the codes it is reported with."""

    kind: OutcomeKind
    summary: str
    timeframe: str
    codes: Codes
    team: str | None = None
    service: str | None = None


@dataclass(frozen=True, slots=True)
class Team:
    """A team that takes referrals, escalations or transfers."""

    id: str
    name: str
    phone: str | None = None
    hours: str | None = None


@dataclass(frozen=True, slots=True)
class Service:
    """An online form or portal that simple requests are deflected to."""

    id: str
    name: str
    url: str
    assisted: bool = True


@dataclass(frozen=True, slots=True)
class Places:
    """The directory as the run time needs it: constants for scripts, teams and services."""

    constants: Mapping[str, str]
    teams: Mapping[str, Team]
    services: Mapping[str, Service]
    hours: OpeningHours = OFFICE_HOURS
    """The offices' opening hours: what is in hours, and how working time is counted."""


@dataclass(frozen=True, slots=True)
class RepeatRule:
    """The directory's repeat-contact rule: the Nth contact within H hours."""

    contacts: int = 3
    hours: float = 96.0


@dataclass(frozen=True, slots=True)
class Policy:
    """The directory's safety policy as the run time needs it."""

    early_exit_kinds: frozenset[OutcomeKind] = frozenset()
    escalation_kinds: frozenset[OutcomeKind] = frozenset()
    repeat: RepeatRule = RepeatRule()


@dataclass(frozen=True, slots=True)
class Edge:
    """One way out of a state: a condition (None for the default or next) and a target."""

    condition: Expression | None
    target: str
    why: str
    label: str  # the condition as written, or default / next / handover / return


@dataclass(frozen=True)
class Node:
    """A state of the composed graph, with everything the run time needs about its step."""

    state: str
    kind: StepKind
    local_id: str
    pathway_id: str
    pathway_version: int
    title: str | None
    var: str | None = None
    answer: AnswerRule | None = None
    edges: tuple[Edge, ...] = ()
    scripts: tuple[str, ...] = ()
    text: LocalText | None = None
    guidance: LocalText | None = None
    """This step's own words for the handler, never read out (scripts bring theirs)."""
    outcome: Outcome | None = None
    red_flag: bool = False
    calc_triggers: tuple[str, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    """This step's pathway names -> names in the composed call (for placeholders)."""


@dataclass(frozen=True, slots=True)
class Calc:
    """A calculation with its names resolved in the composed graph."""

    name: str
    expression: Expression
    type: str


@dataclass(frozen=True)
class ComposedGraph:
    """An entry pathway and all its sub-pathways as one flat graph."""

    pathway_id: str
    version: int
    start: str
    nodes: Mapping[str, Node]
    calcs: tuple[Calc, ...]
    red_flag_states: tuple[str, ...]
    subpathways: Mapping[str, int]
    answers: Mapping[str, AnswerRule]
    """The answer rule of every name a step of the call sets."""
