"""The clinical-safety hazard log as a file beside the pathways (DCB0129 / DCB0160).

A ``hazards.yaml`` lists each hazard with its cause, effect and harm, its risk before and
after its controls on the DCB0129 5 x 5 matrix, and the controls that implement it: the
named checks of the validator, steps of the pathways, safety rules, and Gherkin
scenarios. The validator refuses a control that names something that does not exist, and
a safety rule the pathways use with no hazard; ``triage hazards`` prints the log as a
table or as a Markdown safety-case section.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from triage.definitions import Strict

SEVERITY = ("minor", "significant", "considerable", "major", "catastrophic")
LIKELIHOOD = ("very low", "low", "medium", "high", "very high")

# DCB0129's risk matrix: rows are likelihood (very low .. very high), columns severity
# (minor .. catastrophic); 1 is acceptable, 5 unacceptable.
MATRIX = (
    (1, 1, 2, 2, 3),
    (1, 2, 2, 3, 4),
    (2, 2, 3, 3, 4),
    (2, 3, 3, 4, 5),
    (3, 4, 4, 5, 5),
)
RATING = {1: "acceptable", 2: "acceptable where cost of further reduction outweighs "
          "benefit", 3: "undesirable: reduce where reasonably practicable",
          4: "mandatory elimination or reduction", 5: "unacceptable"}

SAFETY_RULES = ("red_flag_screen", "repeat_contacts", "cross_version")
"""The safety rules a control can name: the red-flag rule, the repeat-contact rule and the
cross-version check (``triage validate --against``)."""

Level = Annotated[int, Field(ge=1, le=5)]


class Risk(Strict):
    """Severity and likelihood, each 1 (least) to 5 (most), as DCB0129 grades them."""

    severity: Level
    likelihood: Level

    @property
    def rating(self) -> int:
        return MATRIX[self.likelihood - 1][self.severity - 1]

    def describe(self) -> str:
        return (f"{self.rating} ({SEVERITY[self.severity - 1]} x "
                f"{LIKELIHOOD[self.likelihood - 1]})")


class Control(Strict):
    """One control, naming exactly one thing that implements it."""

    check: str | None = None
    step: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]*:[a-z][a-z0-9_]*$")
    scenario: str | None = None
    rule: Literal["red_flag_screen", "repeat_contacts", "cross_version"] | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Control:
        named = [k for k in ("check", "step", "scenario", "rule") if getattr(self, k)]
        if len(named) != 1:
            raise ValueError("a control names exactly one of check, step, scenario or rule "
                             f"(this one names {', '.join(named) or 'none'})")
        return self

    def describe(self) -> str:
        kind = next(k for k in ("check", "step", "scenario", "rule") if getattr(self, k))
        return f"{kind}: {getattr(self, kind)}"


class Hazard(Strict):
    """One hazard, with its controls."""

    id: str = Field(pattern=r"^HAZ-[0-9]{3}$")
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    cause: str = Field(min_length=1)
    effect: str = Field(min_length=1)
    harm: str = Field(min_length=1)
    initial: Risk
    residual: Risk
    controls: list[Control] = Field(min_length=1)


class HazardsFile(Strict):
    """A hazard log; ``features`` is the folder of Gherkin scenarios, relative to it."""

    hazards: list[Hazard] = Field(min_length=1)
    features: str = "../features"


def table(hazards: list[Hazard]) -> str:
    """The log as plain text: one hazard a block."""
    out = []
    for h in hazards:
        out.append(f"{h.id}  {h.title}")
        out.append(f"  risk: initial {h.initial.describe()}, residual {h.residual.describe()}")
        out.append(f"  cause: {h.cause}")
        out.append(f"  harm: {h.harm}")
        out.extend(f"  control  {c.describe()}" for c in h.controls)
        out.append("")
    ratings = [h.residual.rating for h in hazards]
    out.append(f"{len(hazards)} hazard(s); highest residual risk {max(ratings)} "
               f"({RATING[max(ratings)]}).")
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """Text safe in a Markdown table cell (a scenario outline's <name> is not HTML)."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def markdown(hazards: list[Hazard]) -> str:
    """The log as a Markdown safety-case section."""
    out = ["## Hazard log", "",
           "Risk is graded on the DCB0129 matrix (severity x likelihood, rating 1 to 5).", "",
           "| id | hazard | harm | initial | residual | controls |",
           "|---|---|---|---|---|---|"]
    for h in hazards:
        controls = "<br>".join(_md(c.describe()) for c in h.controls)
        out.append(f"| {h.id} | {_md(h.title)} | {_md(h.harm)} | {h.initial.describe()} | "
                   f"{h.residual.describe()} | {controls} |")
    out.append("")
    for h in hazards:
        out += [f"### {h.id}: {h.title}", "", h.description, "",
                f"- **Cause:** {h.cause}", f"- **Effect:** {h.effect}", f"- **Harm:** {h.harm}",
                f"- **Initial risk:** {h.initial.describe()}; **residual:** "
                f"{h.residual.describe()} ({RATING[h.residual.rating]})", ""]
    return "\n".join(out)
