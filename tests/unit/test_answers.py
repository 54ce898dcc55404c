"""Typed answers: each type accepts what a handler would type and refuses the rest clearly."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from triage.answers import validate_answer
from triage.definitions import AnswerSpec, Option
from triage.errors import AnswerRejected


def spec(**kwargs: Any) -> AnswerSpec:
    return AnswerSpec.model_validate(kwargs)


CHOICE = spec(type="choice", options=[Option(code="gp", label="A GP"),
                                      Option(code="self", label="The person")])


@pytest.mark.parametrize(("answer_spec", "raw", "expected"), [
    (CHOICE, "gp", "gp"),
    (CHOICE, "A GP", "gp"),
    (spec(type="multi_choice", options=[{"code": "a", "label": "A"}, {"code": "b", "label": "B"}]),
     "a, b, a", ["a", "b"]),
    (spec(type="yes_no"), "Y", "yes"),
    (spec(type="yes_no_unsure"), "don't know", "not_sure"),
    (spec(type="number", min=0, max=120, integer=True), "42", 42),
    (spec(type="date"), "21/03/1948", "1948-03-21"),
    (spec(type="nhs_number"), "999 100 0003", "9991000003"),
    (spec(type="postcode"), "ub81qq", "UB8 1QQ"),
    (spec(type="phone"), "01895 250111", "+441895250111"),
    (spec(type="email"), "Someone@Example.org", "Someone@example.org"),
    (spec(type="text", required=False), "  ", None),
])
def test_valid_answers_are_normalised(answer_spec: AnswerSpec, raw: Any, expected: Any) -> None:
    assert validate_answer(answer_spec, raw) == expected


@pytest.mark.parametrize(("answer_spec", "raw", "message"), [
    (CHOICE, "police", "'police' is not one of the answers: gp, self"),
    (spec(type="yes_no"), "not sure", "'not sure' is not one of the answers: yes, no"),
    (spec(type="number", min=0, max=120), "130", "130 is above the largest allowed, 120"),
    (spec(type="number", integer=True), "2.5", "'2.5' must be a whole number"),
    (spec(type="number"), "lots", "'lots' is not a number"),
    (spec(type="date", not_in_future=True),
     (dt.date.today() + dt.timedelta(days=1)).isoformat(), "is in the future"),
    (spec(type="date"), "31/02/1950", "is not a date"),
    (spec(type="nhs_number"), "999 100 0004", "check digit does not match"),
    (spec(type="nhs_number"), "12345", "needs exactly 10 digits"),
    (spec(type="postcode"), "NOT A POSTCODE", "is not a UK postcode"),
    (spec(type="phone"), "12", "phone number"),
    (spec(type="email"), "nobody-at-example", "is not a valid email address"),
    (spec(type="text", max_length=5), "far too long", "at most 5 fit"),
    (spec(type="text"), "", "an answer is required"),
])
def test_invalid_answers_are_refused_with_a_reason(answer_spec: AnswerSpec, raw: Any,
                                                  message: str) -> None:
    with pytest.raises(AnswerRejected, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_answer(answer_spec, raw)


def test_an_answer_spec_refuses_options_on_a_number() -> None:
    with pytest.raises(ValueError, match="'options' only applies to choice"):
        spec(type="number", options=[{"code": "a", "label": "A"}])
