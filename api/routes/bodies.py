"""What the REST API's requests may carry: the body models (unknown fields refused) and
the largest body read."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_BODY = 64 * 1024
"""The largest request body, in bytes; a larger one is refused before it is read."""


class Strict(BaseModel):
    """Request bodies: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class SignIn(Strict):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class StartCall(Strict):
    pathway: str = Field(min_length=1, max_length=64)
    facts: dict[str, str | list[str]] = Field(default_factory=dict)
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}$")


class Versioned(Strict):
    version: int = Field(ge=1, description="The call version this change is made from.")


class Answer(Versioned):
    step: str = Field(min_length=1, max_length=200)
    answer: str | list[str] | None = Field(default=None)


class Change(Versioned):
    step: str = Field(min_length=1, max_length=200)
    answer: str | list[str] | None = Field(default=None)
    reason: str | None = Field(default=None, max_length=500, description=(
        "Why the answer is changed; kept in the trail. Needed to change a red-flag "
        "answer once the call has reached an escalation."))


class ConfirmPerson(Versioned):
    answer: str = Field(min_length=1, max_length=200, description=(
        "In the wrap-up after an escalation: the id of a person the last search found, "
        "or not_known / possible_match."))


class Search(Versioned):
    step: str | None = Field(default=None, max_length=200, description=(
        "The person-check step to search from when correcting it (check your answers); "
        "by default the step the call is at."))
    nhs_number: str | None = Field(default=None, max_length=40)
    given_name: str | None = Field(default=None, max_length=200)
    family_name: str | None = Field(default=None, max_length=200)
    date_of_birth: str | None = Field(default=None, max_length=40)
    postcode: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=400)


class OverrideIn(Strict):
    kind: str = Field(min_length=1, max_length=40)
    team: str | None = Field(default=None, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)


class Finish(Versioned):
    override: OverrideIn | None = None
    without_person_check: str | None = Field(default=None, max_length=500, description=(
        "After an escalation that ended before the person check, why the person check "
        "was not done (\"the caller would not say\"); recorded on the contact records."))


class TakeOver(Versioned):
    reason: str = Field(min_length=1, max_length=500,
                        description="Why you are taking the call over; kept in its record.")


class SendLink(Strict):
    by: str = Field(pattern=r"^(sms|email)$")
    to: str = Field(min_length=3, max_length=200)


class MoveLive(Strict):
    version: int = Field(ge=1, le=2**31 - 1, description="The pathway version to make live.")
    reason: str = Field(min_length=1, max_length=2000, description=(
        "Why this version should be live (the change note, or why it is rolled back); "
        "kept in the history."))
    expected_live: int | None = Field(ge=1, le=2**31 - 1, description=(
        "The version you saw live (null if none was): if another designer has moved it "
        "since, the answer is 409 and nothing is changed."))


class Publish(MoveLive):
    replay_report: str | None = Field(default=None, max_length=20000, description=(
        "The replay report looked at before publishing: its reference or summary."))
